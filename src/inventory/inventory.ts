import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TsplayError } from '../errors.js';
import type { Vars } from '../types.js';
import { InventoryData, hostGroups, type GroupNode } from './data.js';
import { applyLimit, evaluatePatterns, LOCALHOST_NAMES, splitHostPattern, type PatternIndex } from './patterns.js';
import { assignVars } from './plain.js';
import { isHostList, readSource } from './sources.js';
import { VarsDirs } from './vars-dirs.js';

export interface InventoryGroup {
  name: string;
  /** Hosts put directly in the group, in the order they were added. */
  hosts: string[];
  children: string[];
  vars: Vars;
  parents?: string[];
  /** Longest path from `all` (Ansible's group depth). */
  depth: number;
  priority: number;
}

export interface InventoryHost {
  name: string;
  /** The host's own inventory variables (inline, host entries of YAML/scripts). */
  vars: Vars;
  /** Groups the host belongs to, directly or through children, sorted as Ansible's group_names (no 'all'). */
  groups: string[];
}

/**
 * The resolved inventory. Built by `loadInventory`; everything here is pure lookups.
 * Variable layers for a host, low to high, as Ansible's VariableManager stacks them:
 * all (inventory) < other groups (inventory, by depth, priority, name) < group_vars/all of each
 * inventory dir < of each playbook dir < group_vars/<group> of inventory dirs < of playbook dirs
 * < host (inventory) < host_vars of inventory dirs < of playbook dirs.
 */
export class Inventory implements PatternIndex {
  hosts = new Map<string, InventoryHost>();
  /** The implicit localhost once group_by put it in groups (Ansible's implicit host: in those groups, never in `all`). */
  private implicitHosts = new Map<string, InventoryHost>();
  groups = new Map<string, InventoryGroup>();
  /** Host and group names in creation order (what patterns match against). */
  readonly hostOrder: string[];
  readonly groupOrder: string[];
  private readonly hostSet: Set<string>;
  private groupHostCache = new Map<string, string[]>();
  private hostVarCache = new Map<string, Vars>();
  private groupLayerCache = new Map<string, Vars>();

  constructor(
    data: InventoryData,
    private varsDirs: VarsDirs,
    /** Directories whose group_vars/host_vars apply: the inventory sources', then the playbooks'. */
    private readonly inventoryDirs: string[],
    private readonly playbookDirs: string[],
  ) {
    this.hostOrder = [...data.hosts.keys()];
    this.groupOrder = [...data.groups.keys()];
    this.hostSet = new Set(this.hostOrder);
    const depth = groupDepths(data);
    for (const g of data.groups.values()) {
      this.groups.set(g.name, {
        name: g.name,
        hosts: g.hosts.map((h) => h.name),
        children: g.children.map((c) => c.name),
        parents: g.parents.map((p) => p.name),
        vars: g.vars,
        depth: depth.get(g)!,
        priority: g.priority,
      });
    }
    const sorted = new Map<string, string[]>();
    for (const h of data.hosts.values()) {
      const groups = [...hostGroups(h)].filter((g) => g.name !== 'all');
      sorted.set(h.name, sortGroups(groups, depth).map((g) => g.name));
    }
    // `hosts` in inventory order: the order of the `all` pattern
    for (const name of this.groupHosts('all')) {
      const h = data.hosts.get(name)!;
      this.hosts.set(name, { name, vars: h.vars, groups: sorted.get(name)! });
    }
  }

  hasHost(name: string): boolean {
    return this.hostSet.has(name);
  }

  /** Hosts of a group and of its descendants, breadth first, as Ansible's group.get_hosts(). */
  groupHosts(name: string): readonly string[] {
    const cached = this.groupHostCache.get(name);
    if (cached) return cached;
    const root = this.groups.get(name);
    if (!root) return [];
    const ordered: InventoryGroup[] = [root];
    const seen = new Set<string>([root.name]);
    let level = [root];
    while (level.length) {
      const next: InventoryGroup[] = [];
      for (const g of level) {
        for (const c of g.children) {
          if (seen.has(c)) continue;
          seen.add(c);
          const cg = this.groups.get(c)!;
          ordered.push(cg);
          next.push(cg);
        }
      }
      level = next;
    }
    const out: string[] = [];
    const have = new Set<string>();
    for (const g of ordered) for (const h of g.hosts) if (!have.has(h) && (name !== 'all' || this.hostSet.has(h))) (have.add(h), out.push(h));
    this.groupHostCache.set(name, out);
    return out;
  }

  select(pattern: string | string[], warnings?: string[], limit?: string | string[]): string[] {
    const hosts = evaluatePatterns(this, pattern, warnings);
    return limit === undefined ? hosts : applyLimit(this, hosts, readLimit(limit), warnings);
  }

  /** group_vars/<name> of every inventory dir then every playbook dir (cached per group). */
  private groupLayer(name: string, dirs: 'inventory' | 'playbook'): Vars {
    const key = `${dirs}\0${name}`;
    let v = this.groupLayerCache.get(key);
    if (!v) {
      v = {};
      for (const d of dirs === 'inventory' ? this.inventoryDirs : this.playbookDirs) {
        const x = this.varsDirs.vars(d, 'group_vars', name);
        if (x) assignVars(v, x);
      }
      this.groupLayerCache.set(key, v);
    }
    return v;
  }

  hostVars(name: string): Vars {
    const cached = this.hostVarCache.get(name);
    if (cached) return { ...cached };
    const host = this.hosts.get(name);
    const implicit = !host && LOCALHOST_NAMES.includes(name);
    if (!host && !implicit) throw new TsplayError(`host '${name}' is not in the inventory`, { code: 1 });
    const groups = (host ?? this.implicitHosts.get(name))?.groups ?? [];
    const out: Vars = {};
    assignVars(out, this.groups.get('all')!.vars);
    for (const g of groups) assignVars(out, this.groups.get(g)!.vars);
    assignVars(out, this.groupLayer('all', 'inventory'));
    assignVars(out, this.groupLayer('all', 'playbook'));
    for (const d of this.inventoryDirs) for (const g of groups) assignVars(out, this.varsDirs.vars(d, 'group_vars', g) ?? {});
    for (const d of this.playbookDirs) for (const g of groups) assignVars(out, this.varsDirs.vars(d, 'group_vars', g) ?? {});
    assignVars(out, implicit ? { ansible_connection: 'local' } : host!.vars);
    for (const d of [...this.inventoryDirs, ...this.playbookDirs]) assignVars(out, this.varsDirs.vars(d, 'host_vars', name) ?? {});
    this.hostVarCache.set(name, out);
    return { ...out };
  }

  /**
   * meta: refresh_inventory — become `fresh` (the sources read again), as Ansible's refresh_inventory
   * does; the run then applies its add_host and group_by results again (executor/run.ts).
   */
  replaceWith(fresh: Inventory): void {
    this.hosts = fresh.hosts;
    this.groups = fresh.groups;
    (this.hostOrder as string[]).splice(0, this.hostOrder.length, ...fresh.hostOrder);
    (this.groupOrder as string[]).splice(0, this.groupOrder.length, ...fresh.groupOrder);
    this.hostSet.clear();
    for (const h of fresh.hostOrder) this.hostSet.add(h);
    this.varsDirs = fresh.varsDirs;
    this.implicitHosts.clear();
    this.groupHostCache.clear();
    this.hostVarCache.clear();
    this.groupLayerCache.clear();
  }

  groupsMap(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const g of this.groupOrder) out[g] = [...this.groupHosts(g)];
    return out;
  }

  /**
   * add_host: the host (new, or given more vars and groups) as Ansible's add_dynamic_host does; later
   * plays' patterns see it. Returns whether the inventory changed.
   */
  addDynamicHost(name: string, groups: readonly string[], vars: Vars): boolean {
    let changed = false;
    let host = this.hosts.get(name);
    if (!host) {
      host = { name, vars: {}, groups: [] };
      this.hosts.set(name, host);
      (this.hostOrder as string[]).push(name);
      this.hostSet.add(name);
      changed = true;
    }
    const merged = { ...host.vars, ...vars };
    if (JSON.stringify(merged) !== JSON.stringify(host.vars)) {
      host.vars = merged;
      changed = true;
    }
    for (const g of groups) {
      if (this.ensureGroup(g)) changed = true;
      const group = this.groups.get(g)!;
      if (!group.hosts.includes(name)) {
        group.hosts.push(name);
        changed = true;
      }
    }
    if (changed) this.reconcileHost(name);
    return changed;
  }

  /** group_by: the host joins `group`, which becomes a child of each of `parents` (created as needed). */
  addDynamicGroup(host: string, group: string, parents: readonly string[]): boolean {
    if (!this.hosts.has(host)) {
      // the implicit localhost joins the group, as Ansible's add_dynamic_group does (it stays out of `all`)
      if (!LOCALHOST_NAMES.includes(host)) return false;
      if (!this.implicitHosts.has(host)) this.implicitHosts.set(host, { name: host, vars: {}, groups: [] });
    }
    let changed = false;
    this.ensureGroup(group);
    for (const p of parents) if (this.ensureGroup(p)) changed = true;
    const g = this.groups.get(group)!;
    for (const p of parents) {
      const parent = this.groups.get(p)!;
      if (p === group || parent.children.includes(group)) continue;
      parent.children.push(group);
      g.parents = [...(g.parents ?? []), p];
      g.depth = Math.max(g.depth, parent.depth + 1);
      changed = true;
    }
    if (!g.hosts.includes(host)) {
      g.hosts.push(host);
      changed = true;
    }
    // the group's hosts (this one included) may have gained ancestors
    if (changed) for (const h of this.groupHostsFresh(group)) this.reconcileHost(h);
    return changed;
  }

  /** A group that did not exist becomes a child of `all` (Ansible's reconcile). True when it was created. */
  private ensureGroup(name: string): boolean {
    if (this.groups.has(name)) return false;
    this.groups.set(name, { name, hosts: [], children: [], parents: ['all'], vars: {}, depth: 1, priority: 1 });
    this.groups.get('all')!.children.push(name);
    (this.groupOrder as string[]).push(name);
    return true;
  }

  private groupHostsFresh(name: string): readonly string[] {
    this.groupHostCache.clear();
    return this.groupHosts(name);
  }

  /** After a change: caches dropped, the host out of `ungrouped` once in a group, its group_names sorted again. */
  private reconcileHost(name: string): void {
    this.groupHostCache.clear();
    this.hostVarCache.clear();
    const host = this.hosts.get(name) ?? this.implicitHosts.get(name)!;
    const direct = [...this.groups.values()].filter((g) => g.hosts.includes(name) && g.name !== 'all' && g.name !== 'ungrouped');
    const ungrouped = this.groups.get('ungrouped');
    if (ungrouped && this.hosts.has(name)) {
      const at = ungrouped.hosts.indexOf(name);
      if (direct.length > 0 && at >= 0) ungrouped.hosts.splice(at, 1);
      if (direct.length === 0 && at < 0) ungrouped.hosts.push(name);
    }
    const all = new Map<string, InventoryGroup>();
    const visit = (g: InventoryGroup) => {
      if (all.has(g.name) || g.name === 'all') return;
      all.set(g.name, g);
      for (const p of g.parents ?? []) {
        const pg = this.groups.get(p);
        if (pg) visit(pg);
      }
    };
    for (const g of this.groups.values()) if (g.hosts.includes(name)) visit(g);
    host.groups = [...all.values()]
      .sort((a, b) => a.depth - b.depth || a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((g) => g.name);
    this.groupHostCache.clear();
  }

  /** `group_names` of a host: its groups except `all`, sorted by name (an implicit localhost: those group_by gave it). */
  groupNames(name: string): string[] {
    return [...((this.hosts.get(name) ?? this.implicitHosts.get(name))?.groups ?? [])].sort();
  }
}

/** Longest path from `all`, which is what Ansible's depth bookkeeping amounts to. */
function groupDepths(data: InventoryData): Map<GroupNode, number> {
  const depth = new Map<GroupNode, number>();
  const visit = (g: GroupNode): number => {
    const d = depth.get(g);
    if (d !== undefined) return d;
    const v = g.parents.length ? Math.max(...g.parents.map((p) => visit(p) + 1)) : 0;
    depth.set(g, v);
    return v;
  };
  for (const g of data.groups.values()) visit(g);
  return depth;
}

/** Ansible's sort_groups: by depth, then ansible_group_priority, then name. */
function sortGroups(groups: GroupNode[], depth: Map<GroupNode, number>): GroupNode[] {
  return groups.sort((a, b) => depth.get(a)! - depth.get(b)! || a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `--limit` patterns; `@file` reads one pattern per line. */
export function readLimit(limit: string | readonly string[]): string[] {
  const out: string[] = [];
  for (const p of splitHostPattern(limit)) {
    if (p[0] !== '@') {
      out.push(p);
      continue;
    }
    const file = p.slice(1);
    if (!existsSync(file)) throw new TsplayError('unable to find limit file', { code: 1, where: { file } });
    if (!statSync(file).isFile()) throw new TsplayError('a limit starting with "@" must be a file, not a directory', { code: 1, where: { file } });
    out.push(...readFileSync(file, 'utf8').split('\n').map((l) => l.trim()));
  }
  return out;
}

export async function loadInventory(sources: string[], opts: { playbookDirs?: string[]; warnings?: string[] } = {}): Promise<Inventory> {
  const warnings = opts.warnings ?? [];
  const data = new InventoryData();
  if (sources.length === 0) warnings.push('No inventory was parsed, only implicit localhost is available');
  for (const s of sources) await readSource(s, data, warnings);
  data.reconcile();
  for (const name of data.hosts.keys()) if (data.groups.has(name)) warnings.push(`Found both group and host with same name: ${name}`);
  const inventoryDirs = sources.filter((s) => !isHostList(s)).map((s) => (statSync(s).isDirectory() ? resolve(s) : dirname(resolve(s))));
  const playbookDirs = (opts.playbookDirs ?? []).map((d) => resolve(d));
  return new Inventory(data, new VarsDirs(warnings), inventoryDirs, playbookDirs);
}
