import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The daemons the systemctl stand-in started on lab hosts (kamailio, sre, Genesys servers) are detached
 * (setsid) and outlive the SSH session that started them, so stopping the sshds does not stop them. Each
 * is recorded in the host's /run/lab/units/NAME.pid with its /proc start time in NAME.start: we kill
 * exactly those, and only while the start time still matches (a reused PID is someone else's).
 */
export interface Daemon {
  host: string;
  unit: string;
  pid: number;
}

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return f[0] === 'Z' || f[0] === 'X' ? undefined : `${f[0]} ${f[19]}`;
  } catch {
    return undefined;
  }
}

/** Live daemons recorded under each host's root (`<root>/run/lab/units`). */
export function labDaemons(hostRoots: Record<string, string>): Daemon[] {
  const out: Daemon[] = [];
  for (const [host, root] of Object.entries(hostRoots)) {
    const dir = join(root, 'run/lab/units');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.pid')) continue;
      const unit = file.slice(0, -4);
      try {
        const pid = Number(readFileSync(join(dir, file), 'utf8').trim());
        const recorded = readFileSync(join(dir, `${unit}.start`), 'utf8').trim();
        // The stand-in records "STATE STARTTIME"; only the start time identifies the process.
        const now = startTime(pid);
        if (pid > 1 && now && now.split(' ')[1] === recorded.split(' ').pop()) out.push({ host, unit, pid });
      } catch {
        // a unit stopped while we looked
      }
    }
  }
  return out;
}

function kill(pid: number, sig: NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch {
    // gone
  }
}

/** SIGTERM each daemon's process group (as `systemctl stop` does), SIGKILL what is left after 5 s. */
export async function stopDaemons(daemons: Daemon[]): Promise<void> {
  for (const d of daemons) kill(d.pid, 'SIGTERM', true);
  for (let i = 0; i < 50 && daemons.some((d) => startTime(d.pid)); i++) await sleep(100);
  for (const d of daemons) if (startTime(d.pid)) kill(d.pid, 'SIGKILL', true);
}

/** Synchronous, for exit hooks. */
export function killDaemonsNow(daemons: Daemon[]): void {
  for (const d of daemons) kill(d.pid, 'SIGKILL', true);
}
