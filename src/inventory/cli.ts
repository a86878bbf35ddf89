import { writeFileSync } from 'node:fs';
import { TsplayError } from '../errors.js';
import type { Vars } from '../types.js';
import { dumpJson, dumpYaml } from './dump.js';
import { loadInventory, readLimit, type Inventory } from './inventory.js';
import { applyLimit } from './patterns.js';

/** `tsplay inventory`: ansible-inventory's --list, --host and --graph, plus --limit. */
export interface InventoryCliOptions {
  inventory: string[];
  list?: boolean;
  host?: string;
  graph?: boolean | string;
  limit?: string;
  yaml?: boolean;
  output?: string;
  /** ansible-inventory's --playbook-dir: its group_vars/ and host_vars/ apply too (and win). */
  playbookDir?: string;
}

/**
 * Prints the result through `out` (or into `--output`) and returns the exit code. Bad
 * inventories throw TsplayError (exit code 1) before anything is printed; warnings go to `warn`.
 */
export async function runInventoryCommand(
  opts: InventoryCliOptions,
  out: (s: string) => void,
  warn: (message: string) => void = (m) => process.stderr.write(`[WARNING]: ${m}\n`),
): Promise<number> {
  const actions = [opts.list, opts.host !== undefined, opts.graph !== undefined && opts.graph !== false].filter(Boolean).length;
  if (actions === 0) throw new TsplayError('no action selected, at least one of --host, --graph or --list needs to be specified', { code: 5 });
  if (actions > 1) throw new TsplayError('conflicting options used, only one of --host, --graph or --list can be used at the same time', { code: 5 });

  const warnings: string[] = [];
  const inv = await loadInventory(opts.inventory ?? [], { warnings, playbookDirs: opts.playbookDir ? [opts.playbookDir] : [] });
  let text: string;
  if (opts.host !== undefined) {
    const hosts = inv.select(opts.host, warnings);
    if (hosts.length !== 1 || !inv.hosts.has(hosts[0]!)) throw new TsplayError('you must pass a single valid host to --host parameter', { code: 5 });
    const vars = inv.hostVars(hosts[0]!);
    text = opts.yaml ? dumpYaml(vars) : dumpJson(vars);
  } else {
    const available = new Set(opts.limit === undefined ? inv.hosts.keys() : applyLimit(inv, [...inv.hosts.keys()], readLimit(opts.limit), warnings));
    if (opts.list) text = opts.yaml ? dumpYaml(yamlInventory(inv, available)) : dumpJson(jsonInventory(inv, available));
    else text = graph(inv, typeof opts.graph === 'string' ? opts.graph : 'all', available);
  }
  for (const w of warnings) warn(w);
  if (opts.output) writeFileSync(opts.output, text);
  else out(text.endsWith('\n') ? text : text + '\n');
  return 0;
}

/** ansible-inventory --list: groups with hosts/children (empty ones dropped) and _meta.hostvars. */
export function jsonInventory(inv: Inventory, available: Set<string>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const seen = new Set<string>();
  const format = (name: string): void => {
    const g = inv.groups.get(name)!;
    const entry: { hosts?: string[]; children?: string[] } = {};
    if (name !== 'all') {
      const hosts = g.hosts.filter((h) => available.has(h));
      if (hosts.length) entry.hosts = hosts;
    }
    if (g.children.length) entry.children = [...g.children];
    for (const c of g.children) {
      if (!seen.has(c)) {
        format(c);
        seen.add(c);
      }
    }
    if (entry.hosts || entry.children) result[name] = entry;
  };
  format('all');
  const hostvars: Record<string, Vars> = {};
  for (const h of inv.hosts.keys()) {
    if (!available.has(h)) continue;
    const vars = inv.hostVars(h);
    if (Object.keys(vars).length) hostvars[h] = vars;
  }
  result._meta = { hostvars };
  return result;
}

/** ansible-inventory --list --yaml: nested groups, each host's variables given once. */
function yamlInventory(inv: Inventory, available: Set<string>): Record<string, unknown> {
  const seenHosts = new Set<string>();
  const seenGroups = new Set<string>();
  const format = (name: string): Record<string, unknown> => {
    const g = inv.groups.get(name)!;
    const entry: Record<string, unknown> = {};
    const children: Record<string, unknown> = {};
    for (const c of g.children) {
      if (c === 'all') continue;
      if (seenGroups.has(c)) children[c] = {};
      else {
        seenGroups.add(c);
        Object.assign(children, format(c));
      }
    }
    if (Object.keys(children).length) entry.children = children;
    const hosts: Record<string, unknown> = {};
    if (name !== 'all') {
      for (const h of g.hosts) {
        if (!available.has(h)) continue;
        hosts[h] = seenHosts.has(h) ? {} : inv.hostVars(h);
        seenHosts.add(h);
      }
    }
    if (Object.keys(hosts).length) entry.hosts = hosts;
    return Object.keys(entry).length ? { [name]: entry } : {};
  };
  return format('all');
}

/** ansible-inventory --graph [GROUP]: children first, then hosts; --limit hides other hosts. */
export function graph(inv: Inventory, start: string, available: Set<string>): string {
  if (!inv.groups.has(start)) throw new TsplayError('pattern must be a valid group name when using --graph', { code: 5 });
  const lines: string[] = [];
  const name = (s: string, depth: number) => (depth ? '  |'.repeat(depth) + '--' + s : s);
  const walk = (g: string, depth: number): void => {
    lines.push(name(`@${g}:`, depth));
    const group = inv.groups.get(g)!;
    for (const c of group.children) walk(c, depth + 1);
    if (g !== 'all') for (const h of group.hosts) if (available.has(h)) lines.push(name(h, depth + 1));
  };
  walk(start, 0);
  return lines.join('\n');
}
