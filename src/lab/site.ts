import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { TsplayError } from '../errors.js';
import { loadInventory } from '../inventory/inventory.js';
import type { Vars } from '../types.js';

/** What the lab needs to know about a site: its hosts, its groups and the hosts' variables. */
export interface Site {
  name: string;
  dir: string;
  hosts: string[];
  groups: Record<string, string[]>;
  vars(host: string): Vars;
  /** Hosts of a group ([] when the site has no such group). */
  group(name: string): string[];
  /** The one host of a group, or an error naming the group. */
  one(name: string): string;
}

/** `site-a` (a directory under inventory/) or a path to an inventory directory. */
export function siteDir(site: string, repo: string): string {
  const dir = site.includes('/') ? resolve(site) : resolve(repo, 'inventory', site);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new TsplayError(`lab: no site inventory directory ${dir}`);
  return dir;
}

export async function readSite(dir: string): Promise<Site> {
  const inv = await loadInventory([dir]);
  const groups = inv.groupsMap();
  const hosts = [...inv.hosts.keys()];
  if (hosts.length === 0) throw new TsplayError(`lab: the site inventory ${dir} has no hosts`);
  const group = (name: string) => groups[name] ?? [];
  return {
    name: dir.split('/').pop()!,
    dir,
    hosts,
    groups,
    vars: (h) => inv.hostVars(h),
    group,
    one(name) {
      const g = group(name);
      if (g.length !== 1) throw new TsplayError(`lab: group '${name}' of ${dir} must hold exactly one host, it holds ${g.length}`);
      return g[0]!;
    },
  };
}
