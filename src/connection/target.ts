import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { TsplayError } from '../errors.js';
import type { ConnectionTarget } from './types.js';

/** Keys OpenSSH tries by default, in its order. */
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
const IMPLICIT_LOCAL = new Set(['localhost', '127.0.0.1', '::1']);

/** Ansible booleans: yes/no, true/false, on/off, 1/0 (any case). */
function asBool(value: unknown, what: string): boolean {
  if (typeof value === 'boolean') return value;
  const s = String(value).trim().toLowerCase();
  if (['yes', 'true', 'on', '1', 'y'].includes(s)) return true;
  if (['no', 'false', 'off', '0', 'n'].includes(s)) return false;
  throw new TsplayError(`${what}: expected a boolean, got ${JSON.stringify(value)}`);
}

function asPort(value: unknown, host: string): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new TsplayError(`host ${host}: ansible_port must be a port number (1-65535), got ${JSON.stringify(value)}`);
  return n;
}

function asSeconds(value: unknown, what: string): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isFinite(n) || n <= 0) throw new TsplayError(`${what}: expected a number of seconds, got ${JSON.stringify(value)}`);
  return n;
}

function str(value: unknown): string | undefined {
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

/**
 * Resolve how to reach a host from its variables, as Ansible does:
 * ansible_host/port/user, ansible_ssh_private_key_file (else ~/.ssh/id_ed25519, id_ecdsa, id_rsa,
 * and ssh-agent when SSH_AUTH_SOCK is set), ansible_password/ansible_ssh_pass, ansible_connection
 * (localhost is implicitly local), ansible_ssh_timeout/ANSIBLE_TIMEOUT (10 s),
 * host key checking (ansible_host_key_checking, ANSIBLE_HOST_KEY_CHECKING, TSPLAY_HOST_KEY_CHECKING)
 * and the known_hosts file (tsplay_known_hosts_file, TSPLAY_KNOWN_HOSTS, ~/.ssh/known_hosts).
 */
export function targetFromVars(
  name: string,
  vars: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): ConnectionTarget {
  const address = str(vars.ansible_host) ?? name;
  const declared = str(vars.ansible_connection);
  let kind: ConnectionTarget['kind'];
  if (declared === undefined) kind = IMPLICIT_LOCAL.has(name) && vars.ansible_host === undefined ? 'local' : 'ssh';
  else if (declared === 'local') kind = 'local';
  else if (declared === 'ssh' || declared === 'paramiko' || declared === 'smart') kind = 'ssh';
  else throw new TsplayError(`host ${name}: ansible_connection '${declared}' is not supported (use ssh or local)`);

  let hostKeyChecking = true;
  if (env.ANSIBLE_HOST_KEY_CHECKING !== undefined && env.ANSIBLE_HOST_KEY_CHECKING !== '')
    hostKeyChecking = asBool(env.ANSIBLE_HOST_KEY_CHECKING, 'ANSIBLE_HOST_KEY_CHECKING');
  if (env.TSPLAY_HOST_KEY_CHECKING !== undefined && env.TSPLAY_HOST_KEY_CHECKING !== '')
    hostKeyChecking = asBool(env.TSPLAY_HOST_KEY_CHECKING, 'TSPLAY_HOST_KEY_CHECKING');
  if (vars.ansible_host_key_checking !== undefined)
    hostKeyChecking = asBool(vars.ansible_host_key_checking, `host ${name}: ansible_host_key_checking`);

  const knownHostsPath = expandHome(
    str(vars.tsplay_known_hosts_file) ?? str(env.TSPLAY_KNOWN_HOSTS) ?? join(homedir(), '.ssh', 'known_hosts'),
  );

  const timeout = vars.ansible_ssh_timeout ?? vars.ansible_timeout ?? str(env.ANSIBLE_TIMEOUT);
  const connectTimeoutMs = timeout === undefined ? 10_000 : asSeconds(timeout, `host ${name}: ansible_ssh_timeout`) * 1000;

  const password = str(vars.ansible_password ?? vars.ansible_ssh_pass);
  const agentSocket = str(env.SSH_AUTH_SOCK);
  const explicitKey = str(vars.ansible_ssh_private_key_file ?? vars.ansible_private_key_file);
  let privateKeyPath = explicitKey === undefined ? undefined : expandHome(explicitKey);
  if (privateKeyPath === undefined && password === undefined) {
    privateKeyPath = DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k)).find((p) => existsSync(p));
  }

  return {
    name,
    kind,
    address,
    port: vars.ansible_port === undefined ? 22 : asPort(vars.ansible_port, name),
    user: str(vars.ansible_user ?? vars.ansible_ssh_user) ?? str(env.USER) ?? userInfo().username,
    ...(privateKeyPath !== undefined ? { privateKeyPath } : {}),
    ...(agentSocket !== undefined ? { agentSocket } : {}),
    ...(password !== undefined ? { password } : {}),
    hostKeyChecking,
    knownHostsPath,
    connectTimeoutMs,
  };
}

/** The play/task/block keywords that say how to connect (already rendered). */
export interface ConnectionKeywords {
  remoteUser?: unknown;
  port?: unknown;
  connection?: unknown;
}

/**
 * The one place where connection keywords meet connection variables: `remote_user`, `port` and
 * `connection` are defaults that `ansible_user`/`ansible_port`/`ansible_connection` from any variable
 * level (inventory, play, block or task vars, -e) override, as in Ansible.
 */
export function targetFor(
  name: string,
  vars: Record<string, unknown>,
  keywords: ConnectionKeywords,
  env: NodeJS.ProcessEnv = process.env,
): ConnectionTarget {
  const defaults: Record<string, unknown> = {};
  if (keywords.remoteUser !== undefined) defaults.ansible_user = keywords.remoteUser;
  if (keywords.port !== undefined) defaults.ansible_port = keywords.port;
  if (keywords.connection !== undefined) defaults.ansible_connection = keywords.connection;
  if (Object.keys(defaults).length === 0) return targetFromVars(name, vars, env);
  // a lookup overlay, not a copy: `vars` may be a lazy scope that renders what is read
  const merged = new Proxy(vars, {
    get: (t, k) => {
      const v = Reflect.get(t, k) as unknown;
      if (v === undefined && typeof k === 'string' && k in defaults) {
        // ansible_ssh_user is the older name of ansible_user: it overrides remote_user too
        if (k === 'ansible_user' && Reflect.get(t, 'ansible_ssh_user') !== undefined) return Reflect.get(t, 'ansible_ssh_user');
        return defaults[k];
      }
      return v;
    },
  });
  return targetFromVars(name, merged, env);
}
