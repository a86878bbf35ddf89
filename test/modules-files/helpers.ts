/**
 * Shared setup for the file modules' tests: a fake-probe context for the pure level, and for the real
 * level a test fleet with one SSH connection per host, a controller dir for `src:` files, and readers
 * for what changed on a host.
 */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionPool } from '../../src/connection/pool.js';
import { targetFromVars } from '../../src/connection/target.js';
import type { Connection, ExecResult } from '../../src/connection/types.js';
import { runModule } from '../../src/executor/run-module.js';
import type { ModuleContext, ModuleDef, Outcome } from '../../src/modules/types.js';
import { renderText } from '../../src/template/render.js';
import type { Vars } from '../../src/types.js';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';

/** A value that must reach the target as literal data, never as shell syntax. */
export const NASTY = `it's "quoted" $(touch /tmp/pwned-by-tsplay) \`touch /tmp/pwned2\` a  b\nnext line`;

/**
 * A ModuleContext whose probe answers from a function of the command (the pure level: planning from
 * given facts, no host). `seen` collects every probe command.
 */
export function fakeContext(answer: (cmd: string) => string, opts: { diff?: boolean; seen?: string[]; files?: Record<string, string> } = {}): ModuleContext {
  return {
    host: 'h1',
    vars: {},
    check: false,
    diff: opts.diff ?? false,
    where: { file: 'test.yml', line: 3 },
    signal: new AbortController().signal,
    probe: async (cmd) => (opts.seen?.push(cmd), { rc: 0, stdout: answer(cmd), stderr: '' }),
    findLocalFile: (_kind, name) => opts.files?.[name] ?? name,
    render: (t) => t,
  };
}

/** statScript's output for a regular file (what the fake probe answers). */
export function statOutput(f: { mode?: string; owner?: string; group?: string; sha1?: string; dir?: boolean } | undefined): string {
  if (!f) return 'umask=0022\nexists=0\n';
  return [
    'umask=0022',
    'exists=1',
    f.dir ? 'dir=1' : 'file=1',
    `mode=${f.mode ?? '644'}`,
    'uid=0',
    'gid=0',
    `owner=${f.owner ?? 'root'}`,
    `group=${f.group ?? 'root'}`,
    'size=6',
    'mtime=1700000000',
    'inode=12',
    'dev=34',
    f.sha1 ? `sha1=${f.sha1}` : '',
  ]
    .filter(Boolean)
    .join('\n') + '\n';
}

export interface FilesLab {
  fleet: Fleet;
  /** Controller dir searched for `src:` files (files/, templates/ under it). */
  local: string;
  conn(host: string): Promise<Connection>;
  sh(host: string, cmd: string): Promise<ExecResult>;
  run(module: ModuleDef, host: string, args: unknown, opts?: { check?: boolean; diff?: boolean; vars?: Vars }): Promise<Outcome>;
  /** A file's bytes on a host (undefined when missing), read from the controller side of its private dir. */
  read(host: string, path: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

export async function startFilesLab(size = 1): Promise<FilesLab> {
  const fleet = await startFleet({ size });
  const pool = new ConnectionPool();
  const local = mkdtempSync(join(tmpdir(), 'tsplay-files-'));
  const conn = (host: string) => pool.get(targetFromVars(host, fleet.connectionVars(host)));
  return {
    fleet,
    local,
    conn,
    sh: async (host, cmd) => (await conn(host)).exec(cmd),
    read: (host, path) => readFile(fleet.path(host, path), 'utf8').catch(() => undefined),
    run: async (module, host, args, opts = {}) =>
      runModule({
        module,
        args,
        conn: await conn(host),
        host,
        vars: opts.vars ?? {},
        check: opts.check ?? false,
        diff: opts.diff ?? false,
        where: { file: 'test' },
        searchDirs: [local],
        render: (text) => renderText(text, opts.vars ?? {}, { file: 'template' }),
      }),
    stop: async () => {
      await pool.closeAll();
      await fleet.stop();
    },
  };
}
