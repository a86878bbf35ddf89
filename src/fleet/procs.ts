import { readdirSync, readFileSync } from 'node:fs';

/**
 * Process-tree helpers for tearing down a test host. An sshd's per-connection children call
 * setsid(), so a process-group kill misses them; we walk /proc instead (no /proc/PID/task/TID/children
 * under gVisor) and kill by PID only what descends from a PID we started.
 */

/** Parent PID of every live process, read from /proc/PID/stat (field 4, after the `(comm)`). */
function parentMap(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(afterComm[1]));
    } catch {
      // exited while we were reading
    }
  }
  return parents;
}

/** PIDs of all descendants of `pid` (children, grandchildren…), deepest last. */
export function descendants(pid: number): number[] {
  const parents = parentMap();
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [child, parent] of parents) if (frontier.includes(parent)) next.push(child);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/** Send a signal, ignoring processes that are already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH: already exited
  }
}

/** Kill `pid`'s descendants with SIGKILL (open SSH sessions drop at once) and `pid` with `sig`. */
export function killTree(pid: number, sig: NodeJS.Signals): void {
  for (const child of descendants(pid)) signal(child, 'SIGKILL');
  signal(pid, sig);
}
