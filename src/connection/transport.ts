import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import type { ConnectionTarget } from './types.js';

/** A byte stream to speak SSH over, and why it broke when the handshake fails. */
export interface Transport {
  sock: Duplex;
  /** A reason better than ssh2's ("connection lost before handshake") when the transport itself failed. */
  failure(): Promise<string | undefined>;
}

/**
 * ProxyCommand, as ssh runs it: `/bin/sh -c COMMAND` with SSH on its stdin and stdout; its stderr
 * is kept for the error message. The command is killed when the connection closes.
 */
export function proxyCommandTransport(command: string): Transport {
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let exit: string | undefined;
  let spawnError: string | undefined;
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
  child.on('error', (e) => (spawnError = e.message));
  const exited = new Promise<void>((done) =>
    child.on('close', (code, signal) => {
      exit = signal ? `killed by ${signal}` : `exited ${code}`;
      done();
    }),
  );
  // a command that exits closes its pipes under ssh2's feet: the handshake fails, reported by failure()
  child.stdin.on('error', () => {});
  child.stdout.on('error', () => {});
  const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
  sock.on('error', () => {});
  sock.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  return {
    sock,
    failure: async () => {
      // the handshake fails on the broken pipe before the command's exit is seen: wait a moment for it
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 1000)))]);
      clearTimeout(timer);
      if (spawnError) return `ProxyCommand could not start: ${spawnError}`;
      if (exit === undefined) return undefined;
      const last = stderr.trim().split('\n').pop();
      return `ProxyCommand '${command}' ${exit}${last ? `: ${last}` : ''}`;
    },
  };
}

/** A direct-tcpip channel through an open jump connection to the target's address and port (ProxyJump). */
export function forwardThrough(jump: Client, jumpName: string, target: ConnectionTarget): Promise<Transport> {
  return new Promise((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, target.address, target.port, (err, channel) => {
      if (err) return reject(new Error(`${jumpName} cannot reach ${target.address}:${target.port}: ${err.message.replace(/^\(SSH\) /, '')}`));
      resolve({ sock: channel as unknown as Duplex, failure: async () => undefined });
    });
  });
}
