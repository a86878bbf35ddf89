import type { ModuleDef } from './types.js';
import { coreModules } from './set-core.js';
import { fileModules } from './set-files.js';
import { systemModules } from './set-system.js';
import { dataModules } from './set-data.js';

/** Every module tsplay knows, by name and alias; `ansible.builtin.X` and `ansible.legacy.X` resolve to X. */
const registry = new Map<string, ModuleDef>();
for (const mod of [...coreModules, ...fileModules, ...systemModules, ...dataModules]) {
  for (const name of [mod.name, ...(mod.aliases ?? [])]) registry.set(name, mod);
}

export function findModule(name: string): ModuleDef | undefined {
  const short = name.replace(/^ansible\.(builtin|legacy)\./, '');
  return registry.get(short);
}

export function moduleNames(): string[] {
  return [...registry.keys()].sort();
}
