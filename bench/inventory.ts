/**
 * Inventory resolution at fleet scale: 10,000 hosts in 200 groups (under 10 parent groups),
 * with group_vars for every group and host_vars for every host, written to a temp dir.
 * Times loadInventory + hostVars for all hosts; the target is under 1 s.
 * Run: npx tsx bench/inventory.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadInventory } from '../src/inventory/inventory.js';

const HOSTS = 10_000;
const GROUPS = 200;
const PARENTS = 10;

function generate(dir: string): string {
  const lines: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    lines.push(`[site${String(g).padStart(3, '0')}]`);
    for (let h = g; h < HOSTS; h += GROUPS) lines.push(`cp${String(h).padStart(5, '0')} ansible_host=127.0.${h >> 8}.${h & 255} idx=${h}`);
    lines.push(`[site${String(g).padStart(3, '0')}:vars]`, `site_id=${g}`, `region="r${g % PARENTS}"`);
  }
  for (let p = 0; p < PARENTS; p++) {
    lines.push(`[region${p}:children]`);
    for (let g = p; g < GROUPS; g += PARENTS) lines.push(`site${String(g).padStart(3, '0')}`);
  }
  const inv = join(dir, 'hosts');
  writeFileSync(inv, lines.join('\n') + '\n');
  mkdirSync(join(dir, 'group_vars'));
  mkdirSync(join(dir, 'host_vars'));
  writeFileSync(join(dir, 'group_vars', 'all.yml'), 'ntp: 10.0.0.1\nsip_port: 5060\n');
  for (let g = 0; g < GROUPS; g++) writeFileSync(join(dir, 'group_vars', `site${String(g).padStart(3, '0')}.yml`), `site_name: site-${g}\nlimits: {calls: ${g * 10}}\n`);
  for (let p = 0; p < PARENTS; p++) writeFileSync(join(dir, 'group_vars', `region${p}.yml`), `region_name: region-${p}\n`);
  for (let h = 0; h < HOSTS; h++) writeFileSync(join(dir, 'host_vars', `cp${String(h).padStart(5, '0')}.yml`), `serial: SN${h}\nweight: ${h % 7}\n`);
  return inv;
}

const dir = mkdtempSync(join(tmpdir(), 'tsplay-inv-bench-'));
try {
  const inv = generate(dir);
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const inventory = await loadInventory([inv]);
    let keys = 0;
    for (const name of inventory.hosts.keys()) keys += Object.keys(inventory.hostVars(name)).length;
    runs.push(performance.now() - t0);
    if (inventory.hosts.size !== HOSTS || keys !== HOSTS * 11) throw new Error(`unexpected result: ${inventory.hosts.size} hosts, ${keys} vars`);
  }
  const best = Math.min(...runs);
  console.log(`inventory: ${HOSTS} hosts, ${GROUPS} groups (+${PARENTS} parents), group_vars + host_vars: load + hostVars(all) best ${best.toFixed(0)} ms, first ${runs[0]!.toFixed(0)} ms (target < 1000 ms)`);
  process.exitCode = runs[0]! < 1000 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
