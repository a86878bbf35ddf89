import type { Vars } from '../types.js';

/**
 * The mutable graph that inventory sources fill in, with Ansible's InventoryData rules:
 * groups and hosts keep creation order, children keep the order they were added, a child
 * that would close a loop is refused, and `reconcile()` hangs parentless groups under `all`
 * and puts group-less hosts in `ungrouped`.
 */
export class GroupNode {
  readonly hosts: HostNode[] = [];
  readonly hostNames = new Set<string>();
  readonly children: GroupNode[] = [];
  readonly parents: GroupNode[] = [];
  vars: Vars = {};
  priority = 1;
  constructor(readonly name: string) {}

  ancestors(): Set<GroupNode> {
    const seen = new Set<GroupNode>();
    const stack = [...this.parents];
    while (stack.length) {
      const g = stack.pop()!;
      if (seen.has(g)) continue;
      seen.add(g);
      stack.push(...g.parents);
    }
    return seen;
  }
}

export class HostNode {
  vars: Vars = {};
  /** Groups the host was put in directly. */
  readonly direct: GroupNode[] = [];
  constructor(readonly name: string) {}
}

/** A loop in `children` (the caller adds file and line). */
export class CycleError extends Error {}

export class InventoryData {
  readonly groups = new Map<string, GroupNode>();
  readonly hosts = new Map<string, HostNode>();

  constructor() {
    this.addGroup('all');
    this.addGroup('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  addGroup(name: string): GroupNode {
    let g = this.groups.get(name);
    if (!g) {
      g = new GroupNode(name);
      this.groups.set(name, g);
    }
    return g;
  }

  /** Add a host (to a group); the port only counts when the host is new, as in Ansible. */
  addHost(name: string, group?: string, port?: number): HostNode {
    let h = this.hosts.get(name);
    if (!h) {
      h = new HostNode(name);
      if (port) h.vars.ansible_port = port;
      this.hosts.set(name, h);
    }
    if (group) this.putHost(this.groups.get(group)!, h);
    return h;
  }

  private putHost(g: GroupNode, h: HostNode): void {
    if (g.hostNames.has(h.name)) return;
    g.hosts.push(h);
    g.hostNames.add(h.name);
    h.direct.push(g);
  }

  private removeHost(g: GroupNode, h: HostNode): void {
    if (!g.hostNames.delete(h.name)) return;
    g.hosts.splice(g.hosts.indexOf(h), 1);
    h.direct.splice(h.direct.indexOf(g), 1);
  }

  addChild(parent: string, child: string): void {
    const p = this.groups.get(parent)!;
    const c = this.groups.get(child);
    if (!c) {
      const h = this.hosts.get(child);
      if (!h) throw new Error(`${child} is not a known host nor group`);
      this.putHost(p, h);
      return;
    }
    if (p === c) throw new CycleError(`group '${parent}' cannot be its own child`);
    if (p.children.includes(c)) return;
    if (p.ancestors().has(c)) throw new CycleError(`adding group '${child}' as child to '${parent}' creates a recursive dependency loop`);
    p.children.push(c);
    if (!c.parents.includes(p)) c.parents.push(p);
  }

  /** Group variables: `ansible_group_priority` sets the priority and is not a variable. */
  setGroupVar(group: string, key: string, value: unknown): void {
    const g = this.groups.get(group)!;
    if (key === 'ansible_group_priority') {
      const n = typeof value === 'number' ? value : Number.parseInt(String(value), 10);
      if (!Number.isInteger(n)) throw new Error(`ansible_group_priority must be an integer, got ${JSON.stringify(value)}`);
      g.priority = n;
      return;
    }
    checkConnectionVar(key, value);
    setVar(g.vars, key, value);
  }

  setHostVar(host: string, key: string, value: unknown): void {
    checkConnectionVar(key, value);
    setVar(this.hosts.get(host)!.vars, key, value);
  }

  /** Ansible's reconcile_inventory: every group under `all`, group-less hosts in `ungrouped`. */
  reconcile(): void {
    for (const g of this.groups.values()) {
      if (g.name !== 'all' && g.parents.length === 0) this.addChild('all', g.name);
    }
    const all = this.groups.get('all')!;
    const ungrouped = this.groups.get('ungrouped')!;
    for (const h of this.hosts.values()) {
      const mine = hostGroups(h);
      if (mine.has(ungrouped)) {
        mine.delete(ungrouped);
        mine.delete(all);
        if (mine.size > 0) this.removeHost(ungrouped, h);
      } else if (mine.size === 0 || (mine.size === 1 && mine.has(all))) {
        this.putHost(ungrouped, h);
      }
    }
  }
}

/** A host's groups, direct and inherited (Ansible's host.get_groups()). */
export function hostGroups(h: HostNode): Set<GroupNode> {
  const out = new Set<GroupNode>();
  for (const g of h.direct) {
    out.add(g);
    for (const a of g.ancestors()) out.add(a);
  }
  return out;
}

function setVar(vars: Vars, key: string, value: unknown): void {
  Object.defineProperty(vars, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Connection variables that can be checked when the inventory is read, so a typo fails before any
 * host is contacted (a template is checked once rendered, when connecting).
 */
export function checkConnectionVar(key: string, value: unknown): void {
  if (key !== 'ansible_port' && key !== 'ansible_ssh_port') return;
  if (typeof value === 'string' && /\{\{|\{%/.test(value)) return;
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${key} must be a port number (1-65535), got ${typeof value === 'string' ? `'${value}'` : JSON.stringify(value)}`);
}
