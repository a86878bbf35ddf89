import test from 'ava';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { fixtures, msgs, resultsOf, runJson, type JsonRun } from './helpers.js';

/**
 * Magic variables on real hosts (fixtures/magic/site.yml, serial: 1). h1 is in `sip`; h2 in `sip`
 * and `db` (group_vars/db.yml: db_port 5432). The values match ansible-playbook 2.14 on the same
 * fixture, except that a whole-value reference keeps its type (5432 stays a number; Ansible's
 * debug shows "5432").
 */
let fleet: Fleet;
let check: JsonRun;
let normal: JsonRun;
const site = join(fixtures, 'magic/site.yml');

test.before(async () => {
  fleet = await startFleet({ size: 2, groups: { sip: ['h1', 'h2'], db: ['h2'] } });
  const [c, n] = await Promise.all([runJson([site, '-i', fleet.inventoryPath, '-C']), runJson([site, '-i', fleet.inventoryPath])]);
  for (const r of [c, n]) if (r.run.code !== 0) throw new Error(`magic run failed (${r.run.code}): ${r.run.stderr}`);
  check = c.doc;
  normal = n.doc;
});
test.after.always(async () => {
  await fleet?.stop();
});

test('inventory_hostname and inventory_hostname_short', (t) => {
  t.deepEqual(msgs(normal, 'inventory_hostname'), { h1: 'h1/h1', h2: 'h2/h2' });
});

test('groups (a list, whole value) and group_names (sorted, without all)', (t) => {
  t.deepEqual(msgs(normal, 'groups'), { h1: ['h1', 'h2'], h2: ['h1', 'h2'] });
  t.deepEqual(msgs(normal, 'group_names'), { h1: ['sip'], h2: ['db', 'sip'] });
});

test("hostvars: another host's group vars, and its set_fact from this run", (t) => {
  t.deepEqual(msgs(normal, 'hostvars of another host'), { h1: 5432, h2: 5432 });
  t.deepEqual(msgs(normal, 'hostvars set_fact'), { h1: 'tok-h1', h2: 'tok-h1' });
});

test('ansible_play_hosts (the whole play) and ansible_play_batch (the serial batch)', (t) => {
  t.deepEqual(msgs(normal, 'ansible_play_hosts'), { h1: ['h1', 'h2'], h2: ['h1', 'h2'] });
  t.deepEqual(msgs(normal, 'ansible_play_batch'), { h1: ['h1'], h2: ['h2'] });
});

test('ansible_check_mode follows -C', (t) => {
  t.deepEqual(msgs(check, 'ansible_check_mode'), { h1: true, h2: true });
  t.deepEqual(msgs(normal, 'ansible_check_mode'), { h1: false, h2: false });
});

test('playbook_dir and role_path', (t) => {
  t.deepEqual(msgs(normal, 'playbook_dir'), { h1: join(fixtures, 'magic'), h2: join(fixtures, 'magic') });
  t.deepEqual(msgs(normal, 'm : in role'), { h1: join(fixtures, 'magic/roles/m'), h2: join(fixtures, 'magic/roles/m') });
});

test('item, index_var and ansible_loop', (t) => {
  for (const [h, r] of Object.entries(resultsOf(normal, 'item and ansible_loop'))) {
    const results = r.results as { msg: string; item: string }[];
    t.deepEqual(results.map((x) => x.msg), ['x 0 1/3 rev 3', 'y 1 2/3 rev 2', 'z 2 3/3 rev 1'], h);
    t.deepEqual(results.map((x) => x.item), ['x', 'y', 'z']);
  }
});
