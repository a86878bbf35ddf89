import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { TsplayError } from '../errors.js';
import { toBool } from '../util/bool.js';
import { parseSshArgs, type SshArgs } from './ssh-args.js';
import { first, list, lookupSshConfig, type SshConfigValues } from './ssh-config.js';
import type { ConnectionTarget } from './types.js';

/** Keys OpenSSH tries by default, in its order. */
const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
const IMPLICIT_LOCAL = new Set(['localhost', '127.0.0.1', '::1']);
/** Jump hosts of jump hosts: OpenSSH has no limit, a loop in a config file needs one. */
const MAX_HOPS = 8;

/** An Ansible boolean setting (toBool's words; an empty value is no boolean), or an error naming it. */
function asBool(value: unknown, what: string): boolean {
  const b = toBool(value, { emptyIsFalse: false });
  if (b === undefined) throw new TsplayError(`${what}: expected a boolean, got ${JSON.stringify(value)}`);
  return b;
}

function asPort(value: unknown, what: string): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new TsplayError(`${what} must be a port number (1-65535), got ${JSON.stringify(value)}`);
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

/** ssh's answer to StrictHostKeyChecking: yes/ask check; no/off/accept-new accept an unknown key. */
function strictness(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (v === 'no' || v === 'off' || v === 'accept-new' || v === 'false') return false;
  return true;
}

function yes(value: string | undefined): boolean {
  return value !== undefined && ['yes', 'true', 'on'].includes(value.toLowerCase());
}

/** `[user@]host[:port]` or `ssh://[user@]host[:port]`, as ProxyJump and -J take them. */
function parseHop(spec: string, what: string): { host: string; user?: string; port?: number } {
  const m = /^(?:ssh:\/\/)?(?:([^@]+)@)?(\[[^\]]+\]|[^:@]+)(?::(\d+))?$/.exec(spec.trim());
  if (!m) throw new TsplayError(`${what}: bad jump host '${spec}' (expected [user@]host[:port])`);
  return { host: m[2]!.replace(/^\[|\]$/g, ''), ...(m[1] ? { user: m[1] } : {}), ...(m[3] ? { port: asPort(m[3], what) } : {}) };
}

/** What every hop of a connection shares: the ssh config file, known_hosts and checking, agent, timeout. */
interface Shared {
  env: NodeJS.ProcessEnv;
  configFile?: string;
  /** Set when a variable or the environment decided; then it applies to every hop. */
  hostKeyChecking?: boolean;
  knownHostsPath?: string;
  connectTimeoutMs?: number;
  agentSocket?: string;
  localUser: string;
}

/** What the caller already decided for this host (inventory variables); they win over the ssh config. */
interface Fixed {
  user?: string;
  port?: number;
  privateKeyPath?: string;
  password?: string;
  /** A ProxyJump chain that replaces the config's for this host (the hops before it in -J a,b). */
  jump?: string;
}

/**
 * One SSH hop or target: the ssh arguments' -o options first, then the ssh config for `host`, then
 * ssh's defaults; `fixed` (the inventory) above both. ProxyJump hops are resolved the same way,
 * each from the config for its own name.
 */
function resolveSsh(name: string, host: string, fixed: Fixed, args: SshArgs, shared: Shared, what: string, depth: number): Omit<ConnectionTarget, 'kind'> {
  const cfg: SshConfigValues = lookupSshConfig(host, shared.configFile);
  const opt = (k: string) => args.options[k] ?? first(cfg, k);
  const address = (opt('hostname') ?? host).replace(/%h/g, host);
  const port = fixed.port ?? (opt('port') !== undefined ? asPort(opt('port'), `${what}: Port`) : 22);
  const user = fixed.user ?? opt('user') ?? shared.localUser;

  const hostKeyChecking = shared.hostKeyChecking ?? strictness(opt('stricthostkeychecking')) ?? true;
  const configKnown = args.options.userknownhostsfile?.split(/\s+/)[0] ?? list(cfg, 'userknownhostsfile')[0];
  const knownHostsPath = expandHome(shared.knownHostsPath ?? configKnown ?? join(homedir(), '.ssh', 'known_hosts'));
  const timeout = opt('connecttimeout');
  const connectTimeoutMs = shared.connectTimeoutMs ?? (timeout !== undefined ? asSeconds(timeout, `${what}: ConnectTimeout`) * 1000 : 10_000);
  const alive = opt('serveraliveinterval');
  const keepaliveIntervalMs = alive !== undefined && Number(alive) > 0 ? asSeconds(alive, `${what}: ServerAliveInterval`) * 1000 : undefined;

  const identities = [...args.identityFiles, ...list(cfg, 'identityfile')].map((f) => expandHome(f.replace(/%d/g, homedir()).replace(/%u/g, shared.localUser).replace(/%r/g, user).replace(/%h/g, address)));
  const identitiesOnly = yes(opt('identitiesonly'));
  let identityFiles = identities;
  if (identityFiles.length === 0 && fixed.privateKeyPath === undefined) identityFiles = DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k)).filter((p) => existsSync(p));
  const agentOpt = opt('identityagent');
  let agentSocket = agentOpt === undefined || agentOpt === 'SSH_AUTH_SOCK' ? shared.agentSocket : agentOpt.toLowerCase() === 'none' ? undefined : expandHome(agentOpt);
  // IdentitiesOnly: only the keys named; the agent's other keys are not offered
  if (identitiesOnly && (identities.length > 0 || fixed.privateKeyPath !== undefined)) agentSocket = undefined;

  // ProxyJump and ProxyCommand exclude each other: the command line's wins over the file's
  const fromArgs = args.options.proxyjump !== undefined || args.options.proxycommand !== undefined;
  const jumpSpec = fixed.jump ?? (fromArgs ? args.options.proxyjump : first(cfg, 'proxyjump'));
  const proxyCommandSpec = jumpSpec === undefined || jumpSpec.toLowerCase() === 'none' ? (fromArgs ? args.options.proxycommand : first(cfg, 'proxycommand')) : undefined;
  let via: ConnectionTarget | undefined;
  if (jumpSpec !== undefined && jumpSpec.toLowerCase() !== 'none') {
    if (depth >= MAX_HOPS) throw new TsplayError(`${what}: ProxyJump nested more than ${MAX_HOPS} hops deep (a loop in the ssh config?)`);
    // -J a,b,c: c is reached through b, which is reached through a
    const hops = jumpSpec.split(',').map((s) => s.trim()).filter(Boolean);
    const last = parseHop(hops[hops.length - 1]!, `${what}: ProxyJump`);
    const before = hops.slice(0, -1).join(',');
    const hopName = `${last.user ? `${last.user}@` : ''}${last.host}${last.port ? `:${last.port}` : ''}`;
    via = {
      kind: 'ssh',
      ...resolveSsh(`jump ${hopName}`, last.host, { ...(last.user ? { user: last.user } : {}), ...(last.port ? { port: last.port } : {}), ...(before ? { jump: before } : {}) }, { options: {}, identityFiles: [] }, shared, `${what}: jump host ${hopName}`, depth + 1),
    };
  }
  const proxyCommand =
    proxyCommandSpec !== undefined && proxyCommandSpec.toLowerCase() !== 'none'
      ? proxyCommandSpec.replace(/%(.)/g, (m, c: string) => ({ h: address, p: String(port), r: user, n: host, '%': '%' })[c] ?? m)
      : undefined;

  return {
    name,
    address,
    port,
    user,
    ...(fixed.privateKeyPath !== undefined ? { privateKeyPath: fixed.privateKeyPath } : {}),
    ...(identityFiles.length ? { identityFiles } : {}),
    ...(agentSocket !== undefined ? { agentSocket } : {}),
    ...(fixed.password !== undefined ? { password: fixed.password } : {}),
    hostKeyChecking,
    knownHostsPath,
    connectTimeoutMs,
    ...(keepaliveIntervalMs !== undefined ? { keepaliveIntervalMs } : {}),
    ...(opt('hostkeyalias') !== undefined ? { hostKeyAlias: opt('hostkeyalias')! } : {}),
    ...(yes(opt('forwardagent')) && agentSocket !== undefined ? { forwardAgent: true } : {}),
    ...(via ? { via } : {}),
    ...(proxyCommand !== undefined ? { proxyCommand } : {}),
  };
}

/**
 * Resolve how to reach a host, as Ansible's ssh connection does: the inventory variables
 * (ansible_host/port/user, ansible_ssh_private_key_file, ansible_password/ansible_ssh_pass,
 * ansible_ssh_timeout) win; then the -o options of ansible_ssh_args, ansible_ssh_common_args and
 * ansible_ssh_extra_args (first wins; `-F FILE` picks the ssh config file); then OpenSSH's client
 * configuration for the host (~/.ssh/config, /etc/ssh/ssh_config: HostName, User, Port,
 * IdentityFile, IdentitiesOnly, ProxyJump, ProxyCommand, ConnectTimeout, ServerAliveInterval,
 * StrictHostKeyChecking, UserKnownHostsFile, HostKeyAlias, ForwardAgent); then ssh's defaults.
 * Host key checking: ansible_host_key_checking, then ANSIBLE_HOST_KEY_CHECKING /
 * TSPLAY_HOST_KEY_CHECKING, then StrictHostKeyChecking; known_hosts: tsplay_known_hosts_file,
 * TSPLAY_KNOWN_HOSTS, UserKnownHostsFile, ~/.ssh/known_hosts. localhost is implicitly local.
 */
export function targetFromVars(name: string, vars: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ConnectionTarget {
  const hostArg = str(vars.ansible_host) ?? name;
  const declared = str(vars.ansible_connection);
  let kind: ConnectionTarget['kind'];
  if (declared === undefined) kind = IMPLICIT_LOCAL.has(name) && vars.ansible_host === undefined ? 'local' : 'ssh';
  else if (declared === 'local') kind = 'local';
  else if (declared === 'ssh' || declared === 'paramiko' || declared === 'smart') kind = 'ssh';
  else throw new TsplayError(`host ${name}: ansible_connection '${declared}' is not supported (use ssh or local)`);

  let hostKeyChecking: boolean | undefined;
  if (env.ANSIBLE_HOST_KEY_CHECKING !== undefined && env.ANSIBLE_HOST_KEY_CHECKING !== '')
    hostKeyChecking = asBool(env.ANSIBLE_HOST_KEY_CHECKING, 'ANSIBLE_HOST_KEY_CHECKING');
  if (env.TSPLAY_HOST_KEY_CHECKING !== undefined && env.TSPLAY_HOST_KEY_CHECKING !== '')
    hostKeyChecking = asBool(env.TSPLAY_HOST_KEY_CHECKING, 'TSPLAY_HOST_KEY_CHECKING');
  if (vars.ansible_host_key_checking !== undefined)
    hostKeyChecking = asBool(vars.ansible_host_key_checking, `host ${name}: ansible_host_key_checking`);

  const timeout = vars.ansible_ssh_timeout ?? vars.ansible_timeout ?? str(env.ANSIBLE_TIMEOUT);
  const password = str(vars.ansible_password ?? vars.ansible_ssh_pass);
  const explicitKey = str(vars.ansible_ssh_private_key_file ?? vars.ansible_private_key_file);
  const shared: Shared = {
    env,
    ...(hostKeyChecking !== undefined ? { hostKeyChecking } : {}),
    ...(str(vars.tsplay_known_hosts_file) ?? str(env.TSPLAY_KNOWN_HOSTS) ? { knownHostsPath: (str(vars.tsplay_known_hosts_file) ?? str(env.TSPLAY_KNOWN_HOSTS))! } : {}),
    ...(timeout !== undefined ? { connectTimeoutMs: asSeconds(timeout, `host ${name}: ansible_ssh_timeout`) * 1000 } : {}),
    ...(str(env.SSH_AUTH_SOCK) ? { agentSocket: str(env.SSH_AUTH_SOCK)! } : {}),
    localUser: str(env.USER) ?? userInfo().username,
  };
  const fixed: Fixed = {
    ...(str(vars.ansible_user ?? vars.ansible_ssh_user) ? { user: str(vars.ansible_user ?? vars.ansible_ssh_user)! } : {}),
    ...(vars.ansible_port !== undefined ? { port: asPort(vars.ansible_port, `host ${name}: ansible_port`) } : {}),
    ...(explicitKey !== undefined ? { privateKeyPath: expandHome(explicitKey) } : {}),
    ...(password !== undefined ? { password } : {}),
  };
  if (kind === 'local') {
    // a local host needs none of ssh's settings; keep the shape every target has
    return {
      name, kind, address: hostArg, port: fixed.port ?? 22, user: fixed.user ?? shared.localUser,
      hostKeyChecking: shared.hostKeyChecking ?? true,
      knownHostsPath: expandHome(shared.knownHostsPath ?? join(homedir(), '.ssh', 'known_hosts')),
      connectTimeoutMs: shared.connectTimeoutMs ?? 10_000,
      ...(password !== undefined ? { password } : {}),
    };
  }
  const args = parseSshArgs(
    [str(vars.ansible_ssh_args) ?? str(env.ANSIBLE_SSH_ARGS), str(vars.ansible_ssh_common_args) ?? str(env.ANSIBLE_SSH_COMMON_ARGS), str(vars.ansible_ssh_extra_args) ?? str(env.ANSIBLE_SSH_EXTRA_ARGS)],
    `host ${name}: ansible_ssh_common_args`,
  );
  const configFile = args.configFile ?? str(env.TSPLAY_SSH_CONFIG);
  if (configFile !== undefined) shared.configFile = configFile;
  return { kind, ...resolveSsh(name, hostArg, fixed, args, shared, `host ${name}`, 0) };
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
