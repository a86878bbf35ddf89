import { existsSync, readFileSync } from 'node:fs';
import type { Fleet } from '../../src/fleet/fleet.js';
import { targetFromVars } from '../../src/connection/target.js';
import type { ConnectionTarget } from '../../src/connection/types.js';

/** The connection target of a fleet host, as the inventory would give it. */
export function fleetTarget(fleet: Fleet, name: string, extra: Record<string, unknown> = {}): ConnectionTarget {
  return targetFromVars(name, { ...fleet.connectionVars(name), ...extra }, {});
}

/** Is this pid still running? A zombie counts as gone: it has exited, only its parent has not reaped it. */
export function processRunning(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    const state = readFileSync(stat, 'utf8').replace(/^.*\) /s, '')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Poll until `check` holds or `ms` pass (kill and cleanup happen asynchronously on the host). */
export async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
