import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { repoRoot, startFleet, standinsBin, type Fleet } from '../fleet/fleet.js';
import { startMariadb, type MariadbServer } from '../fleet/mariadb.js';
import { startPostgres, type PostgresServer } from '../fleet/postgres.js';
import { buildSreRpms } from '../fleet/rpms.js';
import { assertLabRequirements } from '../fleet/requirements.js';
import { createLabDatabases } from './database.js';
import { createOpensips23, opensipsMyCnf } from './opensips-db.js';
import { killDaemonsNow, labDaemons, stopDaemons } from './daemons.js';
import { writeLabInventory } from './inventory.js';
import { provision } from './provision.js';
import { readSite, siteDir, type Site } from './site.js';

/** The repo root (where inventory/ and playbooks/ are), from src/lab or dist/src/lab. */
export { repoRoot };

export interface LabOptions {
  /** A directory under inventory/ (default site-a) or a path to an inventory directory. */
  site?: string;
  /** Where the lab keeps its hosts, keys and inventory (default: a fresh <repo>/.work/fleet-XXXXXX). */
  dir?: string;
  /** Seconds a Genesys installation takes (default 0.3). */
  installSeconds?: number;
}

export interface Lab {
  site: Site;
  fleet: Fleet;
  postgres: PostgresServer;
  /** MariaDB with `opensips_2_3` (the OpenSIPS host reaches it through its ~/.my.cnf). */
  mariadb: MariadbServer;
  /** Pass as `-i`: the site's inventory with the lab's addresses. */
  inventory: string;
  dir: string;
  /** Controller-side path of an absolute path on a host. */
  path(host: string, p: string): string;
  /** A host's /var/log/lab/actions.log as lines (empty when nothing happened yet). */
  actions(host: string): string[];
  /** Stop the daemons on the hosts, the hosts, then the database. Idempotent. */
  stop(): Promise<void>;
}

/** Bring up a site on the test fleet with everything the seed procedures need; see README "The lab". */
export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  assertLabRequirements();
  const repo = repoRoot();
  const site = await readSite(siteDir(opts.site ?? 'site-a', repo));
  const started = await Promise.allSettled([buildSreRpms(), startPostgres(), startMariadb()]);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    for (const r of started) if (r.status === 'fulfilled' && typeof r.value === 'object' && 'stop' in r.value) await r.value.stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  const [rpms, postgres, mariadb] = started.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [Awaited<ReturnType<typeof buildSreRpms>>, PostgresServer, MariadbServer];
  let fleet: Fleet | undefined;
  let roots: Record<string, string> = {};
  const onExit = () => killDaemonsNow(labDaemons(roots));
  const cleanup = async () => {
    process.off('exit', onExit);
    await stopDaemons(labDaemons(roots));
    await fleet?.stop();
    await postgres.stop();
    await mariadb.stop();
  };
  try {
    await Promise.all([createLabDatabases(postgres), createOpensips23(mariadb)]);
    fleet = await startFleet({ names: site.hosts, dir: opts.dir ? resolve(opts.dir) : undefined });
    roots = Object.fromEntries(fleet.hosts.map((h) => [h.name, h.root]));
    process.on('exit', onExit);
    const shared = join(fleet.dir, 'shared');
    await mkdir(shared, { recursive: true });
    await provision({ fleet, site, rpms, dbPort: postgres.port, myCnf: opensipsMyCnf(mariadb), standins: standinsBin(), shared, installSeconds: opts.installSeconds });
    const inventory = await writeLabInventory(site, fleet, fleet.dir, postgres.port);
    const f = fleet;
    let stopped: Promise<void> | undefined;
    return {
      site,
      fleet: f,
      postgres,
      mariadb,
      inventory,
      dir: f.dir,
      path: (h, p) => f.path(h, p),
      actions(h) {
        const log = f.path(h, '/var/log/lab/actions.log');
        return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
      },
      stop: () => (stopped ??= cleanup()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
