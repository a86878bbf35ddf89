import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ensureMountPoints, prepareHostRoot, prepareOverlays, overlayDirs, type OverlayDir, privateRootOf, PRIVATE_DIRS, sessionPath } from './hostfs.js';
import { generateKey, knownHostsLine } from './keys.js';
import { ensureLabUser } from './labuser.js';
import { killTree, signal } from './procs.js';
import { makeFleetDir } from './workdir.js';
import { APT_STATE_DIRS, copyAptState } from './aptstate.js';
import { onProcessEnd } from './exit-hooks.js';
import { launchSshd, sshdConfig, waitListening, type SshdLaunch } from './sshd.js';

export interface FleetHost {
  name: string;
  address: string;
  port: number;
  /** controller-side dir holding this host's private filesystem parts */
  root: string;
  /** sshd PID */
  pid: number;
}

export interface Fleet {
  hosts: FleetHost[];
  /** fleet state dir (keys, configs, logs, inventory) */
  dir: string;
  /** INI inventory for the hosts */
  inventoryPath: string;
  /** client private key (ed25519) authorised on every host for root and for `labuser` */
  keyPath: string;
  /** known_hosts with every host's key, as "[address]:port key" */
  knownHostsPath: string;
  host(name: string): FleetHost;
  /** The variables that reach host `name` as root, as the inventory gives them (address, port, key, known_hosts). */
  connectionVars(name: string): Record<string, string | number>;
  /** Controller-side path where host `name` keeps its own version of `p` (under an overlay dir) once it wrote it. */
  overlayUpper(name: string, p: string): string;
  /** controller-side path of file `p` (absolute path as seen on the host) on host `name`, when p is under a private dir */
  path(name: string, p: string): string;
  /** count of accepted SSH connections (sessions authenticated) on that host so far, read from its sshd log */
  acceptedConnections(name: string): number;
  /** path of its sshd log file */
  sshdLog(name: string): string;
  /** kill that sshd (and its children), host becomes unreachable */
  stopHost(name: string): Promise<void>;
  /** start it again (same address, port, keys) */
  startHost(name: string): Promise<void>;
  /** kill exactly the PIDs this fleet started, remove nothing else */
  stop(): Promise<void>;
}

export interface FleetOptions {
  /** default 5; host names h1..hN unless `names` */
  size?: number;
  names?: string[];
  /** written as [group] sections in the inventory */
  groups?: Record<string, string[]>;
  /** default: <repo>/.work/fleet-<random> (gitignored) */
  dir?: string;
  /** extra [all:vars] */
  vars?: Record<string, string>;
  /**
   * Passwords for existing users (e.g. root, labuser), set in each host's own /etc/shadow (the `/etc`
   * overlay is then implied; the controller's is never touched); sshd also accepts passwords.
   */
  passwords?: Record<string, string>;
  /** More directories private to each host (empty at start), e.g. /etc/yum.repos.d. */
  privateDirs?: string[];
  /**
   * Give each host its own copy of the controller's apt and dpkg state (aptstate.ts): apt/dpkg tests then
   * install and remove packages on the host without touching the controller's package database.
   */
  aptState?: boolean;
  /**
   * Dirs each host sees as a copy-on-write overlay of the controller's: `/etc` gives every host its
   * own /etc/passwd, /etc/group, /etc/shadow, /etc/gshadow, /etc/hostname… (useradd, groupadd and the
   * hostname module change only that host); `/var/spool/cron` its own crontabs.
   */
  overlays?: OverlayDir[];
}

export const SSH_PORT = 2222;

/** The repo root: the nearest ancestor with tsplay's package.json (works from src/ and dist/src/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dirname(dir) !== dir) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tsplay') return dir;
    dir = dirname(dir);
  }
  throw new Error('fleet: cannot find the tsplay repo root (package.json)');
}

/** Stand-in commands (fake systemctl…) that sessions find first in PATH. */
export function standinsBin(): string {
  return join(repoRoot(), 'src/fleet/standins/bin');
}

function tcpOpen(address: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ host: address, port });
    s.once('connect', () => (s.destroy(), done(true)));
    s.once('error', () => done(false));
  });
}

/** A random 127.A.B.0/24 for this fleet, so parallel fleets (ava workers, other runs) never meet. */
async function pickSubnet(): Promise<string> {
  for (;;) {
    const a = 16 + Math.floor(Math.random() * 238);
    const b = 1 + Math.floor(Math.random() * 254);
    if (!(await tcpOpen(`127.${a}.${b}.1`, SSH_PORT))) return `127.${a}.${b}`;
  }
}

function hostNames(opts: FleetOptions): string[] {
  const names = opts.names ?? Array.from({ length: opts.size ?? 5 }, (_, i) => `h${i + 1}`);
  if (names.length === 0 || names.length > 254) throw new Error(`test fleet: between 1 and 254 hosts, not ${names.length}`);
  for (const n of names) {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(n)) throw new Error(`test fleet: invalid host name "${n}"`);
  }
  if (new Set(names).size !== names.length) throw new Error('test fleet: duplicate host names');
  for (const [group, members] of Object.entries(opts.groups ?? {})) {
    const unknown = members.filter((m) => !names.includes(m));
    if (unknown.length) throw new Error(`test fleet: group "${group}" names unknown hosts: ${unknown.join(', ')}`);
  }
  return names;
}

function inventoryText(hosts: FleetHost[], opts: FleetOptions, keyPath: string, knownHostsPath: string): string {
  const lines = hosts.map((h) => `${h.name} ansible_host=${h.address} ansible_port=${h.port}`);
  for (const [group, members] of Object.entries(opts.groups ?? {})) lines.push('', `[${group}]`, ...members);
  lines.push('', '[all:vars]', 'ansible_user=root', `ansible_ssh_private_key_file=${keyPath}`);
  lines.push(`tsplay_known_hosts_file=${knownHostsPath}`);
  for (const [k, v] of Object.entries(opts.vars ?? {})) lines.push(`${k}=${v}`);
  return lines.join('\n') + '\n';
}

/** The controller's /etc/shadow with these users' passwords set (SHA-512 crypt, as passwd writes them). */
async function shadowWith(passwords: Record<string, string>): Promise<string> {
  const lines = (await readFile('/etc/shadow', 'utf8')).split('\n');
  for (const [user, password] of Object.entries(passwords)) {
    const i = lines.findIndex((l) => l.startsWith(`${user}:`));
    if (i < 0) throw new Error(`test fleet: no user "${user}" to give a password (users are the controller's)`);
    const hash = execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: password + '\n', encoding: 'utf8' }).trim();
    const fields = lines[i]!.split(':');
    fields[1] = hash;
    lines[i] = fields.join(':');
  }
  return lines.join('\n');
}

interface HostState {
  host: FleetHost;
  launch: SshdLaunch;
  child?: ChildProcess;
}

function running(s: HostState): s is HostState & { child: ChildProcess } {
  return s.child !== undefined && s.child.exitCode === null && s.child.signalCode === null;
}

/** Every live host of every fleet in this process: what the exit hooks kill. */
const live = new Set<HostState>();

/** Synchronous, for exit hooks: freeze sshd so it cannot fork more, kill its sessions, then it. */
function killNow(s: HostState): void {
  if (!running(s)) return;
  signal(s.child.pid!, 'SIGSTOP');
  killTree(s.child.pid!, 'SIGKILL');
}

function killAllNow(): void {
  for (const s of live) killNow(s);
}

let hooksInstalled = false;
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  onProcessEnd(killAllNow);
}

async function startOne(s: HostState): Promise<void> {
  const child = launchSshd(s.launch);
  s.child = child;
  s.host.pid = child.pid!;
  live.add(s);
  await waitListening(child, s.launch);
}

async function stopOne(s: HostState): Promise<void> {
  live.delete(s);
  if (!running(s)) return;
  const child = s.child;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.ref(); // keep Node alive until the exit is seen
  killNow(s);
  await exited;
}

export async function startFleet(opts: FleetOptions = {}): Promise<Fleet> {
  // passwords live in the host's own /etc/shadow: the copy-on-write /etc
  if (opts.passwords && !(opts.overlays ?? []).includes('/etc')) opts = { ...opts, overlays: [...(opts.overlays ?? []), '/etc'] };
  const names = hostNames(opts);
  const repo = repoRoot();
  const dir = opts.dir ? resolve(opts.dir) : await makeFleetDir(join(repo, '.work'));
  if ((PRIVATE_DIRS as readonly string[]).includes(dir)) throw new Error(`test fleet: dir ${dir} is a per-host private dir`);
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755); // sshd reads authorized_keys as labuser too
  const standins = standinsBin();
  if (!existsSync(standins)) {
    await mkdir(standins, { recursive: true });
    await writeFile(join(standins, '.gitkeep'), '');
  }
  const extraDirs = [...(opts.privateDirs ?? []), ...(opts.aptState ? APT_STATE_DIRS : [])];
  for (const d of extraDirs) {
    if (!isAbsolute(d) || d === '/' || privateRootOf(d)) throw new Error(`test fleet: privateDirs: ${d} must be an absolute path outside the private dirs`);
  }
  ensureMountPoints(extraDirs);
  const [subnet] = await Promise.all([pickSubnet(), ensureLabUser(), mkdir('/run/sshd', { recursive: true })]);

  const keyPath = join(dir, 'id_ed25519');
  const knownHostsPath = join(dir, 'known_hosts');
  const authorizedKeysPath = join(dir, 'authorized_keys');
  const inventoryPath = join(dir, 'inventory.ini');
  const keep = [dir, standins];
  const hostsFile =
    (await readFile('/etc/hosts', 'utf8')).trimEnd() +
    '\n# tsplay test fleet\n' +
    names.map((n, i) => `${subnet}.${i + 1} ${n}`).join('\n') +
    '\n';

  const shadow = opts.passwords ? await shadowWith(opts.passwords) : '';
  const states: HostState[] = names.map((name, i) => {
    const hostDir = join(dir, 'hosts', name);
    const host: FleetHost = { name, address: `${subnet}.${i + 1}`, port: SSH_PORT, root: join(hostDir, 'root'), pid: 0 };
    const launch: SshdLaunch = {
      name,
      address: host.address,
      port: host.port,
      configPath: join(hostDir, 'sshd_config'),
      logPath: join(hostDir, 'sshd.log'),
      root: host.root,
      keep,
      extraDirs,
      overlays: opts.overlays ?? [],
    };
    return { host, launch };
  });

  const [clientPub, ...hostPubs] = await Promise.all([
    generateKey(keyPath, 'tsplay-fleet-client'),
    ...states.map(async (s) => {
      await prepareHostRoot(s.host.root, hostsFile, standins, keep);
      for (const d of opts.privateDirs ?? []) await mkdir(join(s.host.root, d), { recursive: true });
      if (opts.aptState) await copyAptState(s.host.root);
      await prepareOverlays(s.host.root, opts.overlays ?? []);
      const hostKeyPath = join(dirname(s.launch.configPath), 'ssh_host_ed25519_key');
      const pub = await generateKey(hostKeyPath, s.host.name);
      const env = { PATH: sessionPath(standins), LAB_HOST: s.host.name };
      if (opts.passwords) await writeFile(join(overlayDirs(s.host.root, '/etc').upper, 'shadow'), shadow, { mode: 0o640 });
      const config = sshdConfig({ address: s.host.address, port: s.host.port, hostKeyPath, authorizedKeysPath, env, passwordAuth: !!opts.passwords });
      await writeFile(s.launch.configPath, config);
      return pub;
    }),
  ]);
  await writeFile(authorizedKeysPath, clientPub + '\n', { mode: 0o644 });
  await writeFile(knownHostsPath, states.map((s, i) => knownHostsLine(s.host.address, s.host.port, hostPubs[i]!)).join('\n') + '\n');
  const hosts = states.map((s) => s.host);
  await writeFile(inventoryPath, inventoryText(hosts, opts, keyPath, knownHostsPath));

  installExitHooks();
  try {
    await Promise.all(states.map(startOne));
  } catch (err) {
    await Promise.all(states.map(stopOne));
    throw err;
  }

  const byName = new Map(states.map((s) => [s.host.name, s]));
  const state = (name: string): HostState => {
    const s = byName.get(name);
    if (!s) throw new Error(`test fleet: no host "${name}" (hosts: ${names.join(', ')})`);
    return s;
  };

  return {
    hosts,
    dir,
    inventoryPath,
    keyPath,
    knownHostsPath,
    host: (name) => state(name).host,
    connectionVars(name) {
      const h = state(name).host;
      return {
        ansible_host: h.address,
        ansible_port: h.port,
        ansible_user: 'root',
        ansible_ssh_private_key_file: keyPath,
        tsplay_known_hosts_file: knownHostsPath,
      };
    },
    path(name, p) {
      const s = state(name);
      if (!isAbsolute(p)) throw new Error(`test fleet: path must be absolute, got "${p}"`);
      if (!privateRootOf(p, extraDirs)) {
        throw new Error(`test fleet: ${p} is shared with the controller, not private to ${name} (private: ${PRIVATE_DIRS.join(' ')})`);
      }
      return join(s.host.root, p);
    },
    overlayUpper(name, p) {
      const d = (opts.overlays ?? []).filter((o) => p === o || p.startsWith(o + '/')).sort((a, b) => b.length - a.length)[0];
      if (!d) throw new Error(`test fleet: ${p} is not under an overlay of this fleet (overlays: ${(opts.overlays ?? []).join(' ') || 'none'})`);
      return join(overlayDirs(state(name).host.root, d).upper, p.slice(d.length));
    },
    acceptedConnections(name) {
      const log = readFileSync(state(name).launch.logPath, 'utf8');
      return log.match(/^.*Accepted publickey for /gm)?.length ?? 0;
    },
    sshdLog: (name) => state(name).launch.logPath,
    stopHost: (name) => stopOne(state(name)),
    async startHost(name) {
      const s = state(name);
      if (!running(s)) await startOne(s);
    },
    async stop() {
      await Promise.all(states.map(stopOne));
    },
  };
}
