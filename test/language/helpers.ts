import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TsplayError } from '../../src/errors.js';
import { loadPlaybook, type LoadOptions } from '../../src/playbook/load.js';
import type { Block, Item, Task } from '../../src/playbook/types.js';
import { repo, runCli, type CliRun } from '../helpers/cli.js';

export const fixtures = join(repo, 'test/language/fixtures');

/** A temp dir holding `files` (path → text; parent dirs created). */
export function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-lang-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

/** A copy of a fixture dir in a temp dir (tests may add files to it). */
export function fixtureCopy(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tsplay-${name}-`));
  cpSync(join(fixtures, name), dir, { recursive: true });
  return dir;
}

/** The one-line error loadPlaybook throws for `file` (fails the test if it loads). */
export function loadError(file: string, opts?: LoadOptions): string {
  try {
    loadPlaybook(file, opts);
  } catch (e) {
    if (e instanceof TsplayError) return e.describe();
    throw e;
  }
  throw new Error(`${file} loaded without an error`);
}

/** Every task of a list of items, depth first (blocks, rescue, always, includes, roles). */
export function tasksOf(items: Item[]): Task[] {
  return items.flatMap((i) => (i.kind === 'task' ? [i] : tasksOf([...i.block, ...i.rescue, ...i.always])));
}

export function blocksOf(items: Item[]): Block[] {
  return items.flatMap((i) => (i.kind === 'task' ? [] : [i, ...blocksOf([...i.block, ...i.rescue, ...i.always])]));
}

/**
 * A TCP listener on 127.0.0.1 that counts connections: an inventory host pointing at it proves
 * whether a run contacted it (validation must fail before any host is contacted).
 */
export async function tripwire(): Promise<{ port: number; connections: () => number; inventory: string; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((s) => {
    count++;
    s.destroy();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  const inventory = join(tree({ inv: `target ansible_host=127.0.0.1 ansible_port=${port} ansible_user=root\n` }), 'inv');
  return { port, connections: () => count, inventory, close: () => new Promise((ok) => server.close(() => ok())) };
}

/** One JSON document of `tsplay --json`, shaped like Ansible's json callback. */
export interface JsonRun {
  plays: { play: { name: string }; tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[];
  stats: Record<string, Record<string, number>>;
}

/** Run with --json; the parsed document and the raw run (fails the test on unparsable output). */
export async function runJson(args: string[], env?: NodeJS.ProcessEnv): Promise<{ doc: JsonRun; run: CliRun }> {
  const run = await runCli([...args, '--json'], { env });
  let doc: JsonRun;
  try {
    doc = JSON.parse(run.stdout) as JsonRun;
  } catch {
    throw new Error(`--json output does not parse (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
  return { doc, run };
}

/** host → result of the task named `name`, merged over every play and serial batch that ran it. */
export function resultsOf(doc: JsonRun, name: string): Record<string, Record<string, unknown>> {
  const tasks = doc.plays.flatMap((p) => p.tasks.filter((x) => x.task.name === name));
  if (tasks.length === 0) throw new Error(`no task named '${name}' in the run (tasks: ${doc.plays.flatMap((p) => p.tasks.map((x) => x.task.name)).join(' | ')})`);
  return Object.assign({}, ...tasks.map((x) => x.hosts)) as Record<string, Record<string, unknown>>;
}

/** host → `msg` of the debug task named `name`. */
export function msgs(doc: JsonRun, name: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(resultsOf(doc, name)).map(([h, r]) => [h, r.msg]));
}
