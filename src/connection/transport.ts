import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import type { ConnectionTarget } from './types.js';

/** A byte stream to speak SSH over, and why it broke when the handshake fails. */
export interface Transport {
  sock: Duplex;
  /** A reason better than ssh2's ("connection lost before handshake") when the transport itself failed. */
  failure(): string | undefined;
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
  child.on('exit', (code, signal) => (exit = signal ? `killed by ${signal}` : `exited ${code}`));
  child.stdin.on('error', () => {});
  const sock = Duplex.from({ readable: child.stdout, writable: child.stdin });
  sock.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  return {
    sock,
    failure: () => {
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
      resolve({ sock: channel as unknown as Duplex, failure: () => undefined });
    });
  });
}
