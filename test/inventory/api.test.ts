import test from 'ava';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadInventory } from '../../src/inventory/inventory.js';
import { literalEval } from '../../src/inventory/literal.js';
import { shlexSplit } from '../../src/inventory/shlex.js';
import { expandHostRange } from '../../src/inventory/address.js';

const corpus = join(fileURLToPath(new URL('.', import.meta.url)), 'corpus');

test('hosts are in inventory order and carry group_names as Ansible sorts them', async (t) => {
  const inv = await loadInventory([join(corpus, 'ini-basic/hosts')]);
  t.deepEqual([...inv.hosts.keys()].slice(0, 5), ['lonely1', 'lonely2', '10.0.0.7', 'core02', 'db01']);
  t.deepEqual(inv.groupNames('core02'), ['core', 'lab', 'telecom', 'voice']);
  t.deepEqual(inv.groupNames('lonely1'), ['ungrouped']);
  t.deepEqual(inv.groupsMap().db, ['db01', 'db02']);
  t.deepEqual(inv.groupsMap().all!.length, 21);
});

test('ansible_group_priority beats name order at the same depth and is not a variable', async (t) => {
  const inv = await loadInventory([join(corpus, 'priority/hosts'), join(corpus, 'priority/hosts.yml')]);
  t.is(inv.hostVars('h3').who, 'beta');
  t.is(inv.hostVars('h2').who, 'alpha', 'alpha is deeper (under boosted), mid has priority 0');
  t.is(inv.hostVars('y1').who, 'first');
  t.false('ansible_group_priority' in inv.hostVars('h3'));
  t.is(inv.groups.get('beta')!.priority, 2);
  // and across depths priority does not matter: the deeper group wins
  const basic = await loadInventory([join(corpus, 'ini-basic/hosts')]);
  t.is(basic.hostVars('core02').shared, 'from_voice');
});

test('playbook group_vars/host_vars win over the inventory ones', async (t) => {
  const inv = await loadInventory([join(corpus, 'playbook-dir/inv/hosts')], { playbookDirs: [join(corpus, 'playbook-dir/play')] });
  t.deepEqual(inv.hostVars('app01'), { who: 'playbook', who_all: 'playbook', inv_only: 1, h: 'playbook' });
  const without = await loadInventory([join(corpus, 'playbook-dir/inv/hosts')]);
  t.is(without.hostVars('app01').who, 'inventory');
});

test('implicit localhost: selectable without warning, local connection, not listed', async (t) => {
  const inv = await loadInventory([join(corpus, 'vars-dirs/hosts')]);
  const warnings: string[] = [];
  t.deepEqual(inv.select('localhost', warnings), ['localhost']);
  t.deepEqual(warnings, []);
  t.is(inv.hostVars('localhost').ansible_connection, 'local');
  t.is(inv.hostVars('localhost').all_only, 1);
  t.false(inv.hosts.has('localhost'));
});

test('group_by on the implicit localhost: it joins the group (changed), as Ansible, and stays out of all', async (t) => {
  const inv = await loadInventory([join(corpus, 'vars-dirs/hosts')]);
  const all = inv.select('all');
  t.true(inv.addDynamicGroup('localhost', 'test_localhost', ['all']));
  t.false(inv.addDynamicGroup('localhost', 'test_localhost', ['all']), 'already in it: unchanged');
  t.deepEqual(inv.select('test_localhost'), ['localhost']);
  t.deepEqual(inv.groupsMap().test_localhost, ['localhost']);
  t.deepEqual(inv.select('all'), all);
  t.deepEqual(inv.groupNames('localhost'), ['test_localhost']);
  t.is(inv.hostVars('localhost').ansible_connection, 'local');
  t.false(inv.hosts.has('localhost'));
  t.false(inv.addDynamicGroup('nosuch', 'test_localhost', ['all']), 'a host not in the inventory joins nothing');
});

test('no -i: only the implicit localhost, with a warning', async (t) => {
  const warnings: string[] = [];
  const inv = await loadInventory([], { warnings });
  t.is(inv.hosts.size, 0);
  t.deepEqual(inv.select('localhost'), ['localhost']);
  t.regex(warnings[0]!, /only implicit localhost/);
});

test('a pattern that matches nothing warns and selects nothing', async (t) => {
  const inv = await loadInventory([join(corpus, 'vars-dirs/hosts')]);
  const warnings: string[] = [];
  t.deepEqual(inv.select('nosuch', warnings), []);
  t.deepEqual(warnings, ['Could not match supplied host pattern, ignoring: nosuch']);
});

test('INI value typing follows ast.literal_eval (checked against ansible-inventory)', (t) => {
  t.is(literalEval('5'), 5);
  t.is(literalEval('0x1F'), 31);
  t.is(literalEval('1_000'), 1000);
  t.is(literalEval('-0x10'), -16);
  t.is(literalEval('.5'), 0.5);
  t.is(literalEval('05'), undefined);
  t.is(literalEval('00'), 0);
  t.is(literalEval('yes'), undefined);
  t.is(literalEval('true'), undefined);
  t.is(literalEval('True'), true);
  t.is(literalEval('None'), null);
  t.deepEqual(literalEval('1,2'), [1, 2]);
  t.deepEqual(literalEval('(1,)'), [1]);
  t.deepEqual(literalEval("{'a': [1, (2, 3)], 1: None}"), { a: [1, [2, 3]], 1: null });
  t.is(literalEval("'x\\ny'"), 'x\ny');
  t.is(literalEval("'a' \"b\""), 'ab');
  t.is(literalEval('12L'), undefined);
  t.is(literalEval('1j'), undefined);
  t.is(literalEval('{1, 2}'), undefined);
});

test('host lines split like shlex: quotes removed, # ends the line anywhere', (t) => {
  t.deepEqual(shlexSplit(`h a="x y" b='c\\d' c=a'b'c d=\\"e\\" u=abc#x v=1`), ['h', 'a=x y', 'b=c\\d', 'c=abc', 'd="e"', 'u=abc']);
  t.deepEqual(shlexSplit(`h e="" f=`), ['h', 'e=', 'f=']);
});

test('host ranges: zero padding, step, letters, several ranges', (t) => {
  t.deepEqual(expandHostRange('cp[08:10]'), ['cp08', 'cp09', 'cp10']);
  t.deepEqual(expandHostRange('x[1:9:4]'), ['x1', 'x5', 'x9']);
  t.deepEqual(expandHostRange('[a:c].net'), ['a.net', 'b.net', 'c.net']);
  t.deepEqual(expandHostRange('r[1:2]n[1:2]'), ['r1n1', 'r1n2', 'r2n1', 'r2n2']);
  t.throws(() => expandHostRange('cp[01:100]'), { message: /equal-length/ });
});

test('the vars-file fast path agrees with the YAML loader or declines', async (t) => {
  const { simpleYaml } = await import('../../src/inventory/vars-dirs.js');
  const { loadYamlText } = await import('../../src/util/yaml.js');
  const samples = [
    'a: 1\nb: word\n', 'a: 0644\n', 'a: yes\n', 'a: Off\n', 'a: y\n', 'a: 1.5\n', 'a: 1e3\n', 'a: null\n', 'a: ~\n', 'a: 2024-01-01\n',
    'a: "q"\n', 'a: [1]\n', 'a: {b: 1}\n', 'a:\n  b: 1\n', 'a: 1\na: 2\n', '# c\n\na: x.y-z\n', 'a: .inf\n', 'a: 0x1F\n', 'a: 1_000\n',
    'a: 12345678901234567890\n', 'a: b # comment\n', '---\na: 1\n', 'a: 190:20:30\n', 'a: -5\n', 'a: NULL\n', '', 'key_2: Value9\nz: 0\n', 'a: sbc-lon.example.net\n',
  ];
  let fast = 0;
  for (const s of samples) {
    const v = simpleYaml(s);
    if (v === undefined) continue;
    fast++;
    t.deepEqual(v, loadYamlText(s, 'x.yml') as never, JSON.stringify(s));
  }
  t.true(fast >= 5);
});
