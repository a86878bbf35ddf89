import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { labDaemons, stopDaemons } from './daemons.js';

/**
 * `<dir>/lab.json`: what `tsplay lab up` started, so that `tsplay lab down` can stop exactly that —
 * by asking the up process (SIGTERM), or, when it died without cleaning up, by killing the recorded
 * daemons, sshds, PostgreSQL and MariaDB servers itself, each checked against its /proc identity first.
 */
export interface LabState {
  pid: number;
  /** /proc start time of `pid`: a reused PID is not ours. */
  start: string;
  site: string;
  inventory: string;
  hostRoots: Record<string, string>;
  sshdPids: number[];
  postgres: { dataDir: string; port: number };
  mariadb?: { dataDir: string; port: number; pid: number; socket: string };
}

export const stateFile = (dir: string) => join(dir, 'lab.json');

export function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return f[0] === 'Z' || f[0] === 'X' ? undefined : f[19];
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

export function readState(dir: string): LabState | undefined {
  const file = stateFile(dir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LabState) : undefined;
}

export function writeState(dir: string, state: LabState): void {
  writeFileSync(stateFile(dir), JSON.stringify(state, null, 2) + '\n');
}

export const upAlive = (s: LabState): boolean => procStart(s.pid) === s.start;

/** Stop what a dead `lab up` left behind. */
export async function reapOrphans(s: LabState): Promise<void> {
  await stopDaemons(labDaemons(s.hostRoots));
  for (const pid of s.sshdPids) if (cmdline(pid).includes('sshd')) kill(pid, 'SIGKILL');
  const pidFile = join(s.postgres.dataDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (cmdline(pid).includes(s.postgres.dataDir)) {
      kill(pid, 'SIGQUIT');
      for (let i = 0; i < 50 && procStart(pid); i++) await sleep(100);
    }
  }
  rmSync(s.postgres.dataDir, { recursive: true, force: true });
  if (s.mariadb) {
    if (cmdline(s.mariadb.pid).includes(s.mariadb.dataDir)) {
      kill(s.mariadb.pid, 'SIGKILL');
      for (let i = 0; i < 50 && procStart(s.mariadb.pid); i++) await sleep(100);
    }
    rmSync(s.mariadb.dataDir, { recursive: true, force: true });
    rmSync(dirname(s.mariadb.socket), { recursive: true, force: true });
  }
}

function kill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone
  }
}

/** Ask a live `lab up` to stop and wait for it (it removes lab.json when done). */
export async function stopUp(s: LabState, timeoutMs = 60_000): Promise<boolean> {
  kill(s.pid, 'SIGTERM');
  for (let waited = 0; waited < timeoutMs; waited += 100) {
    if (!upAlive(s)) return true;
    await sleep(100);
  }
  return false;
}
