import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Fleet } from '../../src/fleet/fleet.js';
import { repo, workDir } from '../helpers/cli.js';

export const fixture = (name: string) => join(repo, 'test/journal/fixtures', name);

/** A fresh journal dir under the gitignored test/.work. */
export function journalDir(): string {
  return workDir('journal-');
}

/** The run ids in a journal dir, oldest first. */
export function runIds(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

export type Rec = Record<string, unknown> & { kind: string };

export function journalOf(dir: string, id: string): Rec[] {
  return readFileSync(join(dir, id, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);
}

/** A host's append-only task log (what really ran there, in order). */
export function taskLog(fleet: Fleet, host: string): string {
  const p = fleet.path(host, '/opt/roll/tasks.log');
  return existsSync(p) ? readFileSync(p, 'utf8') : '';
}

export function resetHosts(fleet: Fleet): void {
  for (const h of fleet.hosts) rmSync(fleet.path(h.name, '/opt/roll'), { recursive: true, force: true });
}

/** Resolve when `check()` holds (polled), or reject after `ms`. */
export async function until(check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
