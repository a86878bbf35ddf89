import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { parseRecap, runCli } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';
import { fixtures } from './helpers.js';

const fleet = freshFleet({ size: 1 }, { remove: ['/opt/loops'] });

test('with_sequence/together/nested/subelements/fileglob/dict/indexed_items run on a test host; the second run changes nothing', async (t) => {
  const h = fleet.hosts[0]!.name;
  const site = `${fixtures}/with-loops/site.yml`;
  const first = await runCli([site, '-i', fleet.inventoryPath]);
  t.is(first.code, 0, first.stdout + first.stderr);
  const ls = (d: string) => readdirSync(fleet.path(h, `/opt/loops/${d}`)).sort();
  const cat = (f: string) => readFileSync(fleet.path(h, `/opt/loops/${f}`), 'utf8');
  t.deepEqual(ls('seq'), ['cp01', 'cp02', 'cp03']);
  t.deepEqual(ls('together'), ['alice', 'bob']);
  t.is(cat('together/bob'), '5061');
  t.deepEqual(ls('nested'), ['a-5060', 'a-5061', 'b-5060', 'b-5061']);
  t.deepEqual(ls('sub'), ['k1', 'k2', 'k3']);
  t.is(cat('sub/k3'), 'bob');
  t.deepEqual(ls('glob'), ['a.conf', 'b.conf']);
  t.is(cat('glob/b.conf'), 'b\n');
  t.is(cat('dict/y'), '2');
  t.is(cat('indexed-1'), 'q');
  const second = await runCli([site, '-i', fleet.inventoryPath]);
  t.is(second.code, 0, second.stdout + second.stderr);
  t.is(parseRecap(second.stdout)[h]!.changed, 0, second.stdout);
});
