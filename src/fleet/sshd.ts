import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { namespaceScript } from './hostfs.js';

export const SSHD = '/usr/sbin/sshd';

export interface SshdConfig {
  address: string;
  port: number;
  hostKeyPath: string;
  authorizedKeysPath: string;
  /** Variables every session gets (PATH with the stand-ins first, LAB_HOST). */
  env: Record<string, string>;
  /** Accept password authentication (the host has its own /etc/shadow with the fleet's passwords). */
  passwordAuth?: boolean;
}

/** sshd_config values are split on spaces unless double-quoted. */
function q(value: string): string {
  return `"${value}"`;
}

let penaltiesSupported: boolean | undefined;
/** OpenSSH 9.8+ penalises sources that fail auth; our tests connect from 127.0.0.1 on purpose. */
function supportsPerSourcePenalties(): boolean {
  if (penaltiesSupported === undefined) {
    const out = spawnSync(SSHD, ['-V'], { encoding: 'utf8' });
    const m = /OpenSSH_(\d+)\.(\d+)/.exec(`${out.stdout}${out.stderr}`);
    penaltiesSupported = m !== null && (Number(m[1]) > 9 || (Number(m[1]) === 9 && Number(m[2]) >= 8));
  }
  return penaltiesSupported;
}

/** One test host's sshd_config: key auth only, verbose log (accepted connections are counted from it). */
export function sshdConfig(c: SshdConfig): string {
  const env = Object.entries(c.env).map(([k, v]) => q(`${k}=${v}`));
  return [
    `ListenAddress ${c.address}:${c.port}`,
    `HostKey ${q(c.hostKeyPath)}`,
    'PidFile none',
    'LogLevel VERBOSE',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    `PasswordAuthentication ${c.passwordAuth ? 'yes' : 'no'}`,
    'KbdInteractiveAuthentication no',
    `AuthorizedKeysFile ${q(c.authorizedKeysPath)}`,
    'StrictModes no',
    'MaxSessions 20',
    'MaxStartups 100',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'X11Forwarding no',
    'Subsystem sftp internal-sftp',
    `SetEnv ${env.join(' ')}`,
    ...(supportsPerSourcePenalties() ? ['PerSourcePenalties no'] : []),
    '',
  ].join('\n');
}

export interface SshdLaunch {
  name: string;
  address: string;
  port: number;
  configPath: string;
  logPath: string;
  /** Controller-side dir holding the host's private filesystem parts. */
  root: string;
  /** Controller paths that must stay visible inside the host's namespace. */
  keep: string[];
  /** Private dirs beyond PRIVATE_DIRS (fleet option `privateDirs`, the apt state). */
  extraDirs?: readonly string[];
  /** Dirs mounted as copy-on-write overlays of the controller's (see hostfs OVERLAY_DIRS). */
  overlays?: readonly string[];
}

/**
 * Start sshd in its own mount + UTS namespace. unshare and sh both exec, so the child's PID is
 * sshd's. setpriv's parent-death signal stops it if the controller dies without running its hooks.
 */
export function launchSshd(l: SshdLaunch): ChildProcess {
  const command = ['setpriv', '--pdeathsig', 'TERM', '--', SSHD, '-D', '-f', l.configPath, '-E', l.logPath];
  const script = namespaceScript(l.root, l.name, l.keep, command, l.extraDirs, l.overlays);
  const log = openSync(l.logPath, 'a');
  try {
    const child = spawn('unshare', ['--mount', '--uts', '--propagation', 'private', '--', '/bin/sh', '-c', script], {
      stdio: ['ignore', log, log],
    });
    child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

function tail(path: string, lines = 5): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function canConnect(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: address, port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** Resolve once the host accepts TCP; reject with the log's tail if sshd exits or never listens. */
export async function waitListening(child: ChildProcess, l: SshdLaunch, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`test host ${l.name}: sshd exited (${child.exitCode ?? child.signalCode}):\n${tail(l.logPath)}`);
    }
    if (await canConnect(l.address, l.port)) return;
    if (Date.now() > deadline) {
      throw new Error(`test host ${l.name}: no sshd listening on ${l.address}:${l.port} after ${timeoutMs} ms:\n${tail(l.logPath)}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
