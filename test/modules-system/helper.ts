/**
 * Shared setup for the package/service module tests: a test fleet, one SSH connection per host, the sre
 * RPMs in each host's repository (/srv/repo), and small readers for what changed on a host.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ConnectionPool } from '../../src/connection/pool.js';
import { targetFromVars } from '../../src/connection/target.js';
import type { Connection, ExecResult } from '../../src/connection/types.js';
import { runModule } from '../../src/executor/run-module.js';
import type { ModuleContext, ModuleDef, Outcome } from '../../src/modules/types.js';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { buildSreRpms, type SreVersion } from '../../src/fleet/rpms.js';

export interface SystemLab {
  fleet: Fleet;
  pool: ConnectionPool;
  /** sre RPM paths as the hosts see them: /srv/repo/sre-V-1.x86_64.rpm */
  rpm: Record<SreVersion, string>;
  conn(host: string): Promise<Connection>;
  /** Run a shell command on a host. */
  sh(host: string, cmd: string): Promise<ExecResult>;
  run(module: ModuleDef, host: string, args: unknown, opts?: { check?: boolean; diff?: boolean; vars?: Record<string, unknown> }): Promise<Outcome>;
  /** A file's text on a host ('' when missing), read from the controller side of its private dir. */
  read(host: string, path: string): Promise<string>;
  /** Lines of the stand-ins' /var/log/lab/actions.log, without the timestamps. */
  actions(host: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startSystemLab(size: number): Promise<SystemLab> {
  const [fleet, built] = await Promise.all([startFleet({ size }), buildSreRpms()]);
  const rpm = {} as Record<SreVersion, string>;
  for (const [v, p] of Object.entries(built) as [SreVersion, string][]) rpm[v] = `/srv/repo/${basename(p)}`;
  for (const h of fleet.hosts) {
    await mkdir(fleet.path(h.name, '/srv/repo'), { recursive: true });
    for (const [v, p] of Object.entries(built) as [SreVersion, string][]) await copyFile(p, fleet.path(h.name, rpm[v]));
  }
  const pool = new ConnectionPool();
  const conn = (host: string) => pool.get(targetFromVars(host, fleet.connectionVars(host)));
  const read = (host: string, path: string) => readFile(fleet.path(host, path), 'utf8').catch(() => '');
  return {
    fleet,
    pool,
    rpm,
    conn,
    read,
    sh: async (host, cmd) => (await conn(host)).exec(cmd),
    run: async (module, host, args, opts = {}) =>
      runModule({
        module,
        args,
        conn: await conn(host),
        host,
        // The stand-in hosts run dnf on Debian, whose pkg_mgr rule says apt: named as the lab inventory does.
        vars: opts.vars ?? { ansible_pkg_mgr: 'dnf' },
        check: opts.check ?? false,
        diff: opts.diff ?? false,
        where: { file: 'test' },
      }),
    actions: async (host) =>
      (await read(host, '/var/log/lab/actions.log'))
        .split('\n')
        .filter(Boolean)
        .map((l) => l.replace(/^\S+Z /, '')),
    stop: async () => {
      await pool.closeAll();
      await fleet.stop();
    },
  };
}

/** Alive and not a zombie (the stand-in's processes are reaped by whoever inherits them). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/** A ModuleContext whose probe returns canned output: the pure (no host) level of module tests. */
export function fakeContext(stdout: string, seen: string[] = [], check = false): ModuleContext {
  return {
    host: 'h1',
    vars: {},
    check,
    diff: false,
    where: { file: 'test.yml', line: 3 },
    signal: new AbortController().signal,
    probe: async (cmd) => (seen.push(cmd), { rc: 0, stdout, stderr: '' }),
    findLocalFile: (_kind, name) => name,
    render: (t) => t,
  };
}

/** A value that must reach the target as literal data, never as shell syntax. */
export const NASTY = `x'y"z $(touch /tmp/pwned-by-tsplay) \`touch /tmp/pwned2\`\nnext line`;
