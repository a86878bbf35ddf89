import type { ModuleDef, Outcome } from '../modules/types.js';
import type { Vars } from '../types.js';
import type { HostState } from './state.js';

/**
 * What a task's result may change beyond its own host, shared by every play of the run: the inventory
 * (add_host, group_by) and the custom stats (set_stats).
 */
export interface RunChanges {
  addHost(name: string, groups: readonly string[], vars: Vars): boolean;
  addGroup(host: string, group: string, parents: readonly string[]): boolean;
  /** meta: refresh_inventory — read the inventory sources again. */
  refreshInventory(): Promise<void>;
  /** set_stats data: per host, and under `_run` for the whole run (Ansible's stats.custom). */
  customStats: Map<string, Vars>;
}

const isDict = (v: unknown): v is Vars => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Apply the result keys Ansible's strategy acts on, whatever the module: `add_host`, `add_group` +
 * `parent_groups` (they set `changed`, as Ansible's inventory does), `ansible_stats`, and the
 * `ansible_facts` of a module that declares `returnsVars` (include_vars precedence). The executor never
 * looks at the module's name.
 */
export function applyResultKeys(changes: RunChanges, state: HostState, mod: ModuleDef, result: Outcome): void {
  if (result.failed || result.skipped || result.unreachable) return;
  const addHost = result.add_host;
  if (isDict(addHost) && typeof addHost.host_name === 'string') {
    const groups = Array.isArray(addHost.groups) ? addHost.groups.map(String) : [];
    result.changed = changes.addHost(addHost.host_name, groups, isDict(addHost.host_vars) ? addHost.host_vars : {});
  } else if (typeof result.add_group === 'string') {
    const parents = Array.isArray(result.parent_groups) ? result.parent_groups.map(String) : [];
    result.changed = changes.addGroup(state.name, result.add_group, parents);
  }
  const stats = result.ansible_stats;
  if (isDict(stats) && isDict(stats.data) && Object.keys(stats.data).length > 0) {
    const key = stats.per_host === false ? '_run' : state.name;
    const mine = changes.customStats.get(key) ?? {};
    for (const [k, v] of Object.entries(stats.data)) mine[k] = stats.aggregate === false || !(k in mine) ? v : aggregate(mine[k], v);
    changes.customStats.set(key, mine);
  }
  if (mod.returnsVars && isDict(result.ansible_facts)) Object.assign(state.includeVars, result.ansible_facts);
}

/** Ansible's update_custom_stats: dictionaries merged, other values added (+), mismatched types ignored. */
function aggregate(old: unknown, v: unknown): unknown {
  if (isDict(old)) return isDict(v) ? mergeHash(old, v) : old;
  if (Array.isArray(old)) return Array.isArray(v) ? [...old, ...v] : old;
  if (typeof old === 'number' && typeof v === 'number') return old + v;
  if (typeof old === 'string' && typeof v === 'string') return old + v;
  return old;
}

/** Ansible's merge_hash: recursive for dictionaries, anything else replaced. */
function mergeHash(a: Vars, b: Vars): Vars {
  const out: Vars = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isDict(out[k]) && isDict(v) ? mergeHash(out[k] as Vars, v) : v;
  return out;
}
