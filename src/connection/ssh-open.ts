import { readFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { NodeSSH, type Config } from 'node-ssh';
import { UnreachableError, type ConnectionTarget } from './types.js';
import {
  algorithmsForKeyType,
  checkHostKey,
  knownHostName,
  knownKeyTypes,
  readKnownHosts,
  keyTypeOf,
} from './known-hosts.js';

export interface SshOpenOptions {
  /** TCP_NODELAY on the socket (default true): without it every command pays Nagle + delayed ACK (~40 ms). */
  noDelay?: boolean;
  /** SSH keepalive interval (default 15 s; 3 missed answers drop the connection). */
  keepaliveIntervalMs?: number;
}

/** ssh2's host-key algorithms in its default order; known types are moved to the front. */
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/**
 * Open one SSH session to a target: TCP socket with TCP_NODELAY, host key checked against known_hosts,
 * key/agent/password authentication. Every failure becomes an UnreachableError with a one-line reason.
 */
export async function openSsh(target: ConnectionTarget, opts: SshOpenOptions = {}): Promise<NodeSSH> {
  const { name, address, port } = target;
  const hostName = knownHostName(address, port);
  const entries = safeKnownHosts(target);
  // Why the host key was refused: ssh2 only says "Host denied", we say why.
  let hostKeyProblem: string | undefined;

  const hostVerifier = (blob: Buffer): boolean => {
    const verdict = checkHostKey(entries, address, port, blob);
    const type = keyTypeOf(blob);
    switch (verdict.status) {
      case 'known':
        return true;
      case 'revoked':
        hostKeyProblem = `the ${type} host key of ${hostName} is marked @revoked in ${target.knownHostsPath}:${verdict.line}`;
        return false;
      case 'changed':
        // never accepted, even with checking off: that is what a man in the middle looks like
        hostKeyProblem =
          `REMOTE HOST IDENTIFICATION HAS CHANGED for ${hostName}: its ${type} key differs from ` +
          `${target.knownHostsPath}:${verdict.line}; if the host was reinstalled, remove that line (ssh-keygen -R)`;
        return false;
      case 'unknown':
        if (!target.hostKeyChecking) return true;
        hostKeyProblem =
          `host key for ${hostName} is not in ${target.knownHostsPath}; ` +
          `add it (ssh-keyscan) or set host_key_checking=false`;
        return false;
    }
  };

  const known = knownKeyTypes(entries, address, port).flatMap(algorithmsForKeyType);
  const preferred = [...known.filter((a) => HOST_KEY_ALGORITHMS.includes(a))];
  const config: Config = {
    username: target.user,
    readyTimeout: target.connectTimeoutMs,
    keepaliveInterval: opts.keepaliveIntervalMs ?? 15_000,
    keepaliveCountMax: 3,
    hostVerifier,
    algorithms: { serverHostKey: [...preferred, ...HOST_KEY_ALGORITHMS.filter((a) => !preferred.includes(a))] as never },
  };
  if (target.privateKeyPath) {
    try {
      config.privateKey = await readFile(target.privateKeyPath, 'utf8');
    } catch (e) {
      throw new UnreachableError(name, `cannot read private key ${target.privateKeyPath}: ${(e as Error).message}`);
    }
  }
  if (target.agentSocket) config.agent = target.agentSocket;
  if (target.password !== undefined) {
    config.password = target.password;
    config.tryKeyboard = true;
  }

  // The socket is made here, not by ssh2, so that TCP_NODELAY is set before the first byte.
  const sock = tcpConnect({ host: address, port, noDelay: opts.noDelay ?? true });
  sock.on('error', () => {}); // ssh2 reports socket errors through the client; never let one go unhandled
  config.sock = sock;
  const ssh = new NodeSSH();
  try {
    await ssh.connect(config);
  } catch (e) {
    sock.destroy();
    ssh.connection?.on('error', () => {});
    ssh.connection?.end();
    throw new UnreachableError(name, describeConnectError(e, target, hostKeyProblem));
  }
  return ssh;
}

function safeKnownHosts(target: ConnectionTarget) {
  try {
    return readKnownHosts(target.knownHostsPath);
  } catch (e) {
    throw new UnreachableError(target.name, `cannot read ${target.knownHostsPath}: ${(e as Error).message}`);
  }
}

/** One line saying why a connection failed: refused, timeout, auth, host key. */
export function describeConnectError(e: unknown, target: ConnectionTarget, hostKeyProblem?: string): string {
  const where = `ssh ${target.user}@${target.address}:${target.port}`;
  if (hostKeyProblem) return `${where}: ${hostKeyProblem}`;
  const err = e as NodeJS.ErrnoException & { level?: string };
  const msg = String(err?.message ?? e);
  if (err?.code === 'ECONNREFUSED') return `${where}: connection refused`;
  if (err?.code === 'EHOSTUNREACH' || err?.code === 'ENETUNREACH') return `${where}: host unreachable`;
  if (err?.code === 'ECONNRESET') return `${where}: connection reset by peer`;
  if (err?.level === 'client-timeout' || /timed out/i.test(msg))
    return `${where}: timed out after ${target.connectTimeoutMs / 1000} s`;
  if (err?.level === 'client-authentication' || /authentication methods failed/i.test(msg)) {
    const how = target.privateKeyPath ? `key ${target.privateKeyPath}` : target.password !== undefined ? 'password' : target.agentSocket ? 'ssh-agent' : 'no key, no password';
    return `${where}: authentication failed (${how})`;
  }
  if (/passphrase/i.test(msg)) return `${where}: private key ${target.privateKeyPath} is encrypted; use ssh-agent`;
  return `${where}: ${msg.split('\n')[0]}`;
}
