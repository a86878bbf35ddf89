import { cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Fleet } from '../fleet/fleet.js';
import type { Site } from './site.js';

/**
 * The lab's inventory: a copy of the site's inventory directory (hosts, groups, group_vars, host_vars —
 * what the playbooks see on the real site) plus `zz-lab.yml`, read last, giving every host the lab's
 * address, SSH key and known_hosts, the lab database's port, and `ansible_pkg_mgr: dnf` (package's manager). Host variables from a later source win,
 * and host variables beat group_vars, so nothing of the site needs editing. Returns the directory.
 */
export async function writeLabInventory(site: Site, fleet: Fleet, dir: string, dbPort: number): Promise<string> {
  const out = join(dir, 'inventory');
  await mkdir(out, { recursive: true });
  for (const entry of await readdir(site.dir)) {
    if (entry.startsWith('.')) continue;
    await cp(join(site.dir, entry), join(out, entry), { recursive: true });
  }
  const hosts: Record<string, Record<string, unknown>> = {};
  for (const h of fleet.hosts) {
    // The lab's hosts stand in for RHEL 8 nodes on this Debian machine (stand-in dnf/yum over the real rpm):
    // Ansible's pkg_mgr rule would say apt here, so the inventory names the manager, as for any such host.
    hosts[h.name] = { ...fleet.connectionVars(h.name), sre_db_port: dbPort, ansible_pkg_mgr: 'dnf' };
  }
  const header = `# Written by \`tsplay lab up\` for ${site.name}: the lab's addresses and keys over the site's inventory.\n`;
  await writeFile(join(out, 'zz-lab.yml'), header + stringify({ all: { hosts } }));
  return out;
}
