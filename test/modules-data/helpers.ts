import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConnectionPool } from '../../src/connection/pool.js';
import { targetFromVars } from '../../src/connection/target.js';
import type { Connection, ExecOptions, ExecResult } from '../../src/connection/types.js';
import { runModule } from '../../src/executor/run-module.js';
import type { ModuleContext, ModuleDef, Outcome } from '../../src/modules/types.js';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';

/** Shared setup for the data-module tests: a fake probe for planning, one fleet host for real runs. */

export const where = { file: 'test.yml', line: 3, column: 5 };

/** A ModuleContext whose probe answers from `answer` (pure planning tests) and records the commands. */
export function fakeCtx(answer: (cmd: string, opts?: ExecOptions) => Partial<ExecResult>, check = false) {
  const probes: { cmd: string; opts?: ExecOptions }[] = [];
  const ctx: ModuleContext = {
    host: 'h1',
    vars: {},
    check,
    diff: true,
    where,
    signal: new AbortController().signal,
    probe: async (cmd, opts) => {
      probes.push({ cmd, opts });
      return { rc: 0, stdout: '', stderr: '', ...answer(cmd, opts) };
    },
    findLocalFile: () => {
      throw new Error('no local files here');
    },
    render: (t) => t,
  };
  return { ctx, probes };
}

export interface OneHost {
  fleet: Fleet;
  pool: ConnectionPool;
  conn: Connection;
  /** Controller path of an absolute path on the host (under one of its private dirs). */
  path(p: string): string;
  /** Write a file on the host (through its private dir), creating parent dirs. */
  write(p: string, content: string): void;
  /** Run a module on the host. */
  run(module: ModuleDef, args: unknown, opts?: { check?: boolean; diff?: boolean }): Promise<Outcome>;
  sh(cmd: string, opts?: ExecOptions): Promise<ExecResult>;
  stop(): Promise<void>;
}

/** One fleet host with an SSH connection to it as root. */
export async function oneHost(): Promise<OneHost> {
  const fleet = await startFleet({ size: 1 });
  const pool = new ConnectionPool();
  const conn = await pool.get(targetFromVars('h1', fleet.connectionVars('h1'), {}));
  const path = (p: string) => fleet.path('h1', p);
  return {
    fleet,
    pool,
    conn,
    path,
    write(p, content) {
      const local = path(p);
      mkdirSync(dirname(local), { recursive: true });
      writeFileSync(local, content);
    },
    run: (module, args, opts = {}) =>
      runModule({ module, args, conn, host: 'h1', vars: {}, check: opts.check ?? false, diff: opts.diff ?? true, where }),
    sh: (cmd, opts) => conn.exec(cmd, opts),
    async stop() {
      await pool.closeAll();
      await fleet.stop();
    },
  };
}

/** A value that must arrive as literal data wherever it goes. */
export const NASTY = `it's "q" $(touch /tmp/pwned) \`id\` $HOME; x\nline two ü €`;
