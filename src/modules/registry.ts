import type { ModuleDef } from './types.js';
import { coreModules } from './set-core.js';
import { fileModules } from './set-files.js';
import { systemModules } from './set-system.js';
import { dataModules } from './set-data.js';
import { packageModules } from './set-packages.js';
import { moreFileModules } from './set-files-more.js';
import { moreSystemModules } from './set-system-more.js';
import { databaseModules } from './set-db.js';
import { controlModules } from './set-control.js';

/** Every module tsplay knows, by name and alias; `ansible.builtin.X` and `ansible.legacy.X` resolve to X. */
const registry = new Map<string, ModuleDef>();
const sets = [coreModules, fileModules, systemModules, dataModules, packageModules, moreFileModules, moreSystemModules, databaseModules, controlModules];
for (const mod of sets.flat()) {
  for (const name of [mod.name, ...(mod.aliases ?? [])]) registry.set(name, mod);
}

export function findModule(name: string): ModuleDef | undefined {
  const short = name.replace(/^ansible\.(builtin|legacy)\./, '');
  return registry.get(short);
}

export function moduleNames(): string[] {
  return [...registry.keys()].sort();
}
