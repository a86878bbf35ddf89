/**
 * Test hosts for the system administration modules: each host's /etc and /var/spool/cron are
 * copy-on-write overlays of the controller's (fleet option `overlays`), so useradd, crontab, sysctl's
 * file and the hostname module change only that host. Everything is read back over SSH.
 */
import { ConnectionPool } from '../../src/connection/pool.js';
import { targetFromVars } from '../../src/connection/target.js';
import type { ExecResult } from '../../src/connection/types.js';
import { runModule } from '../../src/executor/run-module.js';
import type { ModuleContext, ModuleDef, Outcome } from '../../src/modules/types.js';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';

export interface AdminLab {
  fleet: Fleet;
  pool: ConnectionPool;
  sh(host: string, cmd: string): Promise<ExecResult>;
  run(module: ModuleDef, host: string, args: unknown, opts?: { check?: boolean; diff?: boolean }): Promise<Outcome>;
  stop(): Promise<void>;
}

export async function startAdminLab(size: number): Promise<AdminLab> {
  const fleet = await startFleet({ size, overlays: ['/etc', '/var/spool/cron'] });
  const pool = new ConnectionPool();
  const conn = (host: string) => pool.get(targetFromVars(host, fleet.connectionVars(host)));
  return {
    fleet,
    pool,
    sh: async (host, cmd) => (await conn(host)).exec(cmd),
    run: async (module, host, args, opts = {}) =>
      runModule({ module, args, conn: await conn(host), host, vars: fleet.connectionVars(host), check: opts.check ?? false, diff: opts.diff ?? false, where: { file: 'test' } }),
    stop: async () => {
      await pool.closeAll();
      await fleet.stop();
    },
  };
}

/** A ModuleContext answering probes from a table (first matching regexp wins): the pure level. */
export function cannedContext(answers: [RegExp, Partial<ExecResult>][], seen: string[] = [], check = false): ModuleContext {
  return {
    host: 'h1',
    vars: { ansible_host: '192.0.2.1' },
    check,
    diff: false,
    where: { file: 'test.yml', line: 3 },
    signal: new AbortController().signal,
    probe: async (cmd) => {
      seen.push(cmd);
      const hit = answers.find(([re]) => re.test(cmd));
      return { rc: 0, stdout: '', stderr: '', ...(hit?.[1] ?? {}) };
    },
    findLocalFile: (_kind, name) => name,
    render: (t) => t,
  };
}
