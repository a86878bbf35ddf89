import pLimit from 'p-limit';
import { ConnectionPool } from '../connection/pool.js';
import { killLeftoversScript } from '../connection/in-flight.js';
import { targetFromVars } from '../connection/target.js';
import type { Inventory } from '../inventory/inventory.js';

/**
 * Before a resumed run changes anything: on every host, kill the commands the resumed runs left running
 * (their controller was killed: SIGKILL, a crash) by their markers, so an old command cannot go on beside
 * its own re-run. Says what it killed; an unreachable host is a warning (the run itself will say more).
 */
export async function killLeftovers(inventory: Inventory, runs: string[], forks: number, say: (m: string) => void, warn: (m: string) => void): Promise<void> {
  const pool = new ConnectionPool();
  const limit = pLimit(Math.max(1, forks));
  const script = killLeftoversScript(runs);
  try {
    await Promise.all(
      inventory.hostOrder.map((h) =>
        limit(async () => {
          try {
            const conn = await pool.get(targetFromVars(h, inventory.hostVars(h)));
            const r = await conn.exec(script, { timeoutMs: 15_000 });
            const pids = r.stdout.split('\n').filter((l) => /^\d+$/.test(l.trim()));
            if (pids.length > 0) say(`[tsplay] ${h}: killed ${pids.length} command${pids.length > 1 ? 's' : ''} the resumed run left running (process group ${pids.join(', ')})\n`);
          } catch (e) {
            warn(`${h}: could not check for commands the resumed run left running: ${(e as Error).message}`);
          }
        }),
      ),
    );
  } finally {
    await pool.closeAll();
  }
}
