import { readFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { NodeSSH, type Config } from 'node-ssh';
import ssh2, { type AnyAuthMethod, type AuthHandlerMiddleware, type AuthenticationType, type NextAuthHandler } from 'ssh2';

// ssh2 is CommonJS: its `utils` comes through the default export
const sshUtils = ssh2.utils;
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
  /**
   * The byte stream to speak SSH over instead of a TCP connection: a channel through a jump host
   * (ProxyJump) or a ProxyCommand's stdio. Made by the pool.
   */
  sock?: Duplex;
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
  const { name, port } = target;
  // HostKeyAlias: the host key is looked up (and reported) under the alias
  const address = target.hostKeyAlias ?? target.address;
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
    keepaliveInterval: target.keepaliveIntervalMs ?? opts.keepaliveIntervalMs ?? 15_000,
    keepaliveCountMax: 3,
    hostVerifier,
    algorithms: { serverHostKey: [...preferred, ...HOST_KEY_ALGORITHMS.filter((a) => !preferred.includes(a))] as never },
  };
  const methods = await authMethods(target);
  if (target.agentSocket) {
    config.agent = target.agentSocket;
    if (target.forwardAgent) config.agentForward = true;
  }
  config.authHandler = methods.handler;

  // The socket is made here, not by ssh2, so that TCP_NODELAY is set before the first byte.
  const sock = opts.sock ?? tcpConnect({ host: target.address, port, noDelay: opts.noDelay ?? true });
  sock.on('error', () => {}); // ssh2 reports socket errors through the client; never let one go unhandled
  config.sock = sock;
  const ssh = new NodeSSH();
  try {
    await ssh.connect(config);
  } catch (e) {
    sock.destroy();
    ssh.connection?.on('error', () => {});
    ssh.connection?.end();
    throw new UnreachableError(name, describeConnectError(e, target, hostKeyProblem ?? methods.problem()));
  }
  return ssh;
}

/**
 * The authentication attempts, in ssh's order: the agent's keys, each private key (an encrypted one
 * opened with the password as its passphrase), then password and keyboard-interactive when a
 * password is set. Only methods the server still accepts are tried.
 */
async function authMethods(target: ConnectionTarget): Promise<{ handler: AuthHandlerMiddleware; problem: () => string | undefined }> {
  const username = target.user;
  const attempts: { method: string; auth: AnyAuthMethod }[] = [];
  let problem: string | undefined;
  if (target.agentSocket) attempts.push({ method: 'publickey', auth: { type: 'agent' as const, username, agent: target.agentSocket } });
  const keys: [string, boolean][] = [
    ...(target.privateKeyPath ? ([[target.privateKeyPath, true]] as [string, boolean][]) : []),
    ...(target.identityFiles ?? []).filter((f) => f !== target.privateKeyPath).map((f): [string, boolean] => [f, false]),
  ];
  for (const [file, required] of keys) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if (required) throw new UnreachableError(target.name, `cannot read private key ${file}: ${(e as Error).message}`);
      continue; // ssh skips an IdentityFile that does not exist
    }
    let parsed = sshUtils.parseKey(text);
    if (parsed instanceof Error && /passphrase/i.test(parsed.message)) {
      if (target.password === undefined) {
        problem = `private key ${file} is encrypted: give its passphrase (-k/--ask-pass or ansible_ssh_pass) or load it into ssh-agent`;
        continue;
      }
      parsed = sshUtils.parseKey(text, target.password);
      if (parsed instanceof Error) {
        problem = `the passphrase does not open private key ${file}`;
        continue;
      }
      attempts.push({ method: 'publickey', auth: { type: 'publickey' as const, username, key: text, passphrase: target.password } });
      continue;
    }
    if (parsed instanceof Error) {
      if (required) throw new UnreachableError(target.name, `cannot use private key ${file}: ${parsed.message}`);
      continue;
    }
    attempts.push({ method: 'publickey', auth: { type: 'publickey' as const, username, key: text } });
  }
  if (target.password !== undefined) {
    const password = target.password;
    attempts.push({ method: 'password', auth: { type: 'password' as const, username, password } });
    attempts.push({
      method: 'keyboard-interactive',
      auth: { type: 'keyboard-interactive' as const, username, prompt: (_n: string, _i: string, _l: string, prompts: unknown[], finish: (answers: string[]) => void) => finish(prompts.map(() => password)) },
    });
  }
  let next = 0;
  const handler: AuthHandlerMiddleware = (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, done: NextAuthHandler) => {
    const allowed = methodsLeft as unknown as string[] | null;
    while (next < attempts.length) {
      const a = attempts[next++]!;
      if (allowed === null || allowed.includes(a.method)) return done(a.auth);
    }
    return done(false as unknown as AuthenticationType);
  };
  return { handler, problem: () => problem };
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
    const how = [
      ...(target.agentSocket ? ['ssh-agent'] : []),
      ...(target.privateKeyPath ? [`key ${target.privateKeyPath}`] : []),
      ...(target.identityFiles ?? []).filter((f) => f !== target.privateKeyPath).map((f) => `key ${f}`),
      ...(target.password !== undefined ? ['password'] : []),
    ];
    return `${where}: authentication failed (tried ${how.length ? how.join(', ') : 'nothing: no key, no agent, no password'})`;
  }
  return `${where}: ${msg.split('\n')[0]}`;
}
