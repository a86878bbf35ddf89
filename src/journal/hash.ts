import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { isHostList } from '../inventory/sources.js';
import type { Playbook } from '../playbook/types.js';
import { playbookSources } from './task-index.js';

/** A directory tree larger than this is not hashed file by file (an inventory pointed at a big dir). */
const MAX_FILES = 20_000;

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function walk(dir: string, out: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const e of entries) {
    if (out.length >= MAX_FILES) return;
    // hidden entries: .git, and .tsplay/ itself when the inventory is "."
    if (e.startsWith('.') || e === 'node_modules' || e.endsWith('~')) continue;
    const full = join(dir, e);
    let st;
    try {
      st = statSync(full);
    } catch {
      continue;
    }
    if (st.isDirectory()) walk(full, out);
    else if (st.isFile()) out.push(full);
  }
}

function filesOf(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [resolve(path)];
  const out: string[] = [];
  walk(resolve(path), out);
  return out;
}

/**
 * What a resumed run must find unchanged: the playbooks and every file they read, the roles (all their
 * files: tasks, templates, defaults…), the inventory sources, and group_vars/host_vars beside the
 * inventory and the playbooks. Returns sha256 per absolute path; a host list ("a,b,") is its own text.
 */
export function sourceHashes(playbooks: Playbook[], inventory: string[]): Record<string, string> {
  const { files, roleDirs } = playbookSources(playbooks);
  const paths = new Set<string>(files);
  for (const d of roleDirs) filesOf(d).forEach((f) => paths.add(f));
  const varsBases = new Set(playbooks.flatMap((pb) => pb.plays.map((p) => p.dir)));
  const out: Record<string, string> = {};
  for (const src of inventory) {
    if (isHostList(src)) {
      out[`host list: ${src}`] = sha256(src);
      continue;
    }
    filesOf(src).forEach((f) => paths.add(f));
    if (existsSync(src)) varsBases.add(statSync(src).isDirectory() ? resolve(src) : dirname(resolve(src)));
  }
  for (const base of varsBases) for (const sub of ['group_vars', 'host_vars']) filesOf(join(base, sub)).forEach((f) => paths.add(f));
  for (const p of [...paths].sort()) {
    try {
      out[p] = sha256(readFileSync(p));
    } catch {
      out[p] = 'missing';
    }
  }
  return out;
}

/** One hash over all of them (recorded for a quick comparison and shown by `tsplay runs show`). */
export function combinedHash(hashes: Record<string, string>): string {
  return sha256(Object.keys(hashes).sort().map((k) => `${k}\0${hashes[k]}\n`).join(''));
}

/** What changed between two sets of hashes, one phrase per file ("roles/x/tasks/main.yml modified"). */
export function describeChanges(before: Record<string, string>, now: Record<string, string>, cwd = process.cwd()): string[] {
  const show = (p: string) => (p.startsWith('/') ? relative(cwd, p) || p : p);
  const out: string[] = [];
  for (const [p, h] of Object.entries(before)) {
    if (!(p in now)) out.push(`${show(p)} removed (or no longer used)`);
    else if (now[p] !== h) out.push(`${show(p)} modified`);
  }
  for (const p of Object.keys(now)) if (!(p in before)) out.push(`${show(p)} added`);
  return out;
}
