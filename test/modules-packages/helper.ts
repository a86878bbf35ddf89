/**
 * Test hosts for the package and code modules: a fleet whose hosts have their own copy of the apt/dpkg
 * state (fleet option aptState) and their own /etc/yum.repos.d, one SSH connection per host, and readers
 * for what changed on a host.
 */
import { readFile } from 'node:fs/promises';
import { ConnectionPool } from '../../src/connection/pool.js';
import { targetFromVars } from '../../src/connection/target.js';
import type { Connection, ExecResult } from '../../src/connection/types.js';
import { runModule } from '../../src/executor/run-module.js';
import type { ModuleContext, ModuleDef, Outcome } from '../../src/modules/types.js';
import { startFleet, type Fleet, type FleetOptions } from '../../src/fleet/fleet.js';
import type { Vars } from '../../src/types.js';

export interface PackagesLab {
  fleet: Fleet;
  conn(host: string): Promise<Connection>;
  sh(host: string, cmd: string): Promise<ExecResult>;
  run(module: ModuleDef, host: string, args: unknown, opts?: { check?: boolean; diff?: boolean; vars?: Vars }): Promise<Outcome>;
  /** A file's text on a host ('' when missing), read from the controller side of its private dir. */
  read(host: string, path: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPackagesLab(size: number, opts: FleetOptions = {}): Promise<PackagesLab> {
  const fleet = await startFleet({ size, aptState: true, privateDirs: ['/etc/yum.repos.d'], ...opts });
  const pool = new ConnectionPool();
  const conn = (host: string) => pool.get(targetFromVars(host, fleet.connectionVars(host)));
  return {
    fleet,
    conn,
    read: (host, path) => readFile(fleet.path(host, path), 'utf8').catch(() => ''),
    sh: async (host, cmd) => (await conn(host)).exec(cmd),
    run: async (module, host, args, o = {}) =>
      runModule({ module, args, conn: await conn(host), host, vars: o.vars ?? {}, check: o.check ?? false, diff: o.diff ?? false, where: { file: 'test' } }),
    stop: async () => {
      await pool.closeAll();
      await fleet.stop();
    },
  };
}

/** A ModuleContext whose probes answer from a list (in order): the pure level of module tests. */
export function fakeContext(answers: (string | ExecResult)[], seen: string[] = [], opts: { check?: boolean; vars?: Vars } = {}): ModuleContext {
  let i = 0;
  return {
    host: 'h1',
    vars: opts.vars ?? {},
    check: opts.check ?? false,
    diff: false,
    where: { file: 'test.yml', line: 3 },
    signal: new AbortController().signal,
    probe: async (cmd) => {
      seen.push(cmd);
      const a = answers[Math.min(i++, answers.length - 1)] ?? '';
      return typeof a === 'string' ? { rc: 0, stdout: a, stderr: '' } : a;
    },
    findLocalFile: (_kind, name) => name,
    render: (t) => t,
  };
}

export const where = { file: 'site.yml', line: 12 };
