import test from 'ava';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInventoryCommand } from '../../src/inventory/cli.js';
import { loadInventory } from '../../src/inventory/inventory.js';

/**
 * tsplay against fixtures recorded from ansible-core (scripts/record-inventory-fixtures.py).
 * Ansible is not needed here. The one normalisation: Python prints integral floats as `1000.0`,
 * JavaScript numbers print as `1000` (values are equal once parsed).
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const corpus = join(here, 'corpus');
const fixtures = join(here, 'fixtures');
process.chdir(corpus);

interface Case { name: string; sources: string[]; playbookDir?: string; hosts?: string[] }
const cases = (JSON.parse(readFileSync(join(corpus, 'cases.json'), 'utf8')) as { cases: Case[] }).cases;
const fixture = (f: string) => readFileSync(join(fixtures, f), 'utf8');
const pyFloats = (s: string) => s.replace(/(\d)\.0(?=[,\n\]}]|$)/g, '$1');

async function cli(c: Case, extra: Record<string, unknown>): Promise<{ code: number; out: string; warnings: string[] }> {
  let out = '';
  const warnings: string[] = [];
  const code = await runInventoryCommand({ inventory: c.sources, playbookDir: c.playbookDir, ...extra }, (s) => (out += s), (w) => warnings.push(w));
  return { code, out, warnings };
}

for (const c of cases) {
  test(`${c.name}: --list equals ansible-inventory --list`, async (t) => {
    const { code, out } = await cli(c, { list: true });
    t.is(code, 0);
    const want = fixture(`${c.name}.list.json`);
    t.deepEqual(JSON.parse(out), JSON.parse(want));
    t.is(out, pyFloats(want));
  });

  test(`${c.name}: --graph equals ansible-inventory --graph`, async (t) => {
    const { out } = await cli(c, { graph: true });
    t.is(out, fixture(`${c.name}.graph.txt`));
  });

  for (const h of c.hosts ?? []) {
    test(`${c.name}: --host ${h} equals ansible-inventory --host`, async (t) => {
      const { out } = await cli(c, { host: h });
      t.is(out, pyFloats(fixture(`${c.name}.host.${h}.json`)));
    });
  }

  test(`${c.name}: every pattern selects the hosts ansible --list-hosts selects`, async (t) => {
    const inv = await loadInventory(c.sources, { playbookDirs: c.playbookDir ? [c.playbookDir] : [] });
    const recorded = JSON.parse(fixture(`${c.name}.patterns.json`)) as { pattern: string | string[]; hosts: string[]; warned: boolean }[];
    t.true(recorded.length > 0);
    for (const r of recorded) {
      const warnings: string[] = [];
      t.deepEqual(inv.select(r.pattern, warnings), r.hosts, `pattern ${JSON.stringify(r.pattern)}`);
      t.is(warnings.some((w) => w.startsWith('Could not match supplied host pattern')), r.warned, `warning for ${JSON.stringify(r.pattern)}`);
    }
  });

  const limits = join(fixtures, `${c.name}.limits.json`);
  if (existsSync(limits)) {
    test(`${c.name}: --limit selects the hosts ansible --limit selects and narrows --list`, async (t) => {
      const inv = await loadInventory(c.sources);
      for (const r of JSON.parse(readFileSync(limits, 'utf8')) as { limit: string; hosts: string[]; list: string }[]) {
        t.deepEqual(inv.select('all', [], r.limit), r.hosts, `limit ${r.limit}`);
        const { out } = await cli(c, { list: true, limit: r.limit });
        t.is(out, pyFloats(r.list) + '\n', `--list --limit ${r.limit}`);
      }
    });
  }
}
