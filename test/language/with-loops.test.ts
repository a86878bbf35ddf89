import test from 'ava';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { loadPlaybook } from '../../src/playbook/load.js';
import { loopItems } from '../../src/executor/loop.js';
import type { Vars } from '../../src/types.js';
import { loadError, tasksOf, tree } from './helpers.js';

/**
 * Ansible's with_<lookup> loops: loaded from YAML as written in real roles, items computed as
 * ansible-core 2.14's lookup plugins compute them (the same lookups are checked byte for byte
 * against ansible-playbook through query() in test/template/fixtures/jinja).
 */
const vars: Vars = {
  users: [
    { name: 'alice', keys: ['k1', 'k2'] },
    { name: 'bob', keys: ['k3'] },
  ],
  a: ['x', 'y', 'z'],
  b: [1, 2],
  n: 3,
};

function itemsOf(taskYaml: string, scope: Vars = vars, files: Record<string, string> = {}): unknown[] {
  const dir = tree({ 'site.yml': `- hosts: all\n  tasks:\n${taskYaml.replace(/^/gm, '    ')}\n`, ...files });
  const play = loadPlaybook(join(dir, 'site.yml')).plays[0]!;
  const task = tasksOf(play.tasks)[0]!;
  return loopItems(task.loop, { ...scope, playbook_dir: dir }, task.where, 'task');
}

test('with_sequence: key=value and shortcut forms, templated, items are strings', (t) => {
  t.deepEqual(itemsOf('- debug: msg={{ item }}\n  with_sequence: start=1 end={{ n }} format=cp%02d'), ['cp01', 'cp02', 'cp03']);
  t.deepEqual(itemsOf('- debug: msg={{ item }}\n  with_sequence: count=3'), ['1', '2', '3']);
  t.deepEqual(itemsOf('- debug: msg={{ item }}\n  with_sequence: 0-8/4'), ['0', '4', '8']);
  t.deepEqual(itemsOf('- debug: msg={{ item }}\n  with_sequence: start=0x0a end=0x0c format=%x'), ['a', 'b', 'c']);
});

test('with_together pads with None; with_nested is the product, first list outermost', (t) => {
  t.deepEqual(itemsOf('- debug: msg={{ item }}\n  with_together:\n    - "{{ a }}"\n    - "{{ b }}"'), [['x', 1], ['y', 2], ['z', null]]);
  t.deepEqual(itemsOf('- debug: msg={{ item }}\n  with_nested:\n    - "{{ b }}"\n    - [p, q]'), [[1, 'p'], [1, 'q'], [2, 'p'], [2, 'q']]);
});

test('with_subelements: (parent without the key, each subelement); skip_missing', (t) => {
  t.deepEqual(itemsOf('- debug: msg={{ item.1 }}\n  with_subelements:\n    - "{{ users }}"\n    - keys'), [
    [{ name: 'alice' }, 'k1'], [{ name: 'alice' }, 'k2'], [{ name: 'bob' }, 'k3'],
  ]);
  t.deepEqual(vars.users, [{ name: 'alice', keys: ['k1', 'k2'] }, { name: 'bob', keys: ['k3'] }], 'the variable itself is untouched');
  t.deepEqual(itemsOf('- debug: msg={{ item.1 }}\n  with_subelements:\n    - "{{ users }}"\n    - missing\n    - skip_missing: true'), []);
  const err = t.throws(() => itemsOf('- debug: msg={{ item.1 }}\n  with_subelements:\n    - "{{ users }}"\n    - missing'));
  t.regex(err!.message, /with_subelements: could not find 'missing' key in iterated item/);
});

test('with_dict, with_flattened, with_indexed_items, with_lines', (t) => {
  t.deepEqual(itemsOf('- debug: msg={{ item.key }}\n  with_dict: {a: 1, b: 2}'), [{ key: 'a', value: 1 }, { key: 'b', value: 2 }]);
  t.deepEqual(itemsOf('- debug: msg={{ item }}\n  with_flattened:\n    - [1, [2, [3]]]\n    - "{{ a }}"'), [1, 2, 3, 'x', 'y', 'z']);
  t.deepEqual(itemsOf('- debug: msg={{ item.1 }}\n  with_indexed_items: "{{ a }}"'), [[0, 'x'], [1, 'y'], [2, 'z']]);
  t.deepEqual(itemsOf('- debug: msg={{ item }}\n  with_lines: printf "one\\ntwo\\n"'), ['one', 'two']);
});

test('with_fileglob: controller files beside the playbook (files/ first), sorted, directories left out', (t) => {
  const files = { 'files/conf.d/b.conf': 'b', 'files/conf.d/a.conf': 'a', 'files/conf.d/c.txt': 'c', 'files/conf.d/d.conf/x': 'dir' };
  const items = itemsOf('- debug: msg={{ item }}\n  with_fileglob: conf.d/*.conf', vars, files) as string[];
  t.deepEqual(items.map((p) => p.replace(/.*\/files\//, '')), ['conf.d/a.conf', 'conf.d/b.conf']);
  t.deepEqual(itemsOf('- debug: msg={{ item }}\n  with_fileglob: nothing/*.conf', vars, files), []);
});

test('with_community.general.filetree: each directory and file under the tree, top-down, with their properties', (t) => {
  const files = { 'files/etc/b.conf': 'bb', 'files/etc/a/x.conf': 'x', 'files/etc/a/y/z.conf': 'z' };
  const items = itemsOf('- debug: msg={{ item.path }}\n  with_community.general.filetree: etc/', vars, files) as Record<string, unknown>[];
  t.deepEqual(items.map((i) => [i.path, i.state]), [['a', 'directory'], ['b.conf', 'file'], ['a/y', 'directory'], ['a/x.conf', 'file'], ['a/y/z.conf', 'file']]);
  const b = items.find((i) => i.path === 'b.conf')!;
  t.like(b, { size: 2, uid: process.getuid!(), owner: userInfo().username });
  t.regex(String(b.root), /\/files\/etc\/?$/);
  t.regex(String(b.src), /\/files\/etc\/b\.conf$/);
  t.regex(String(b.mode), /^0[0-7]{3}$/);
  t.is(typeof b.mtime, 'number');
  t.deepEqual(itemsOf('- debug: msg={{ item }}\n  with_filetree: nowhere/', vars, files), []);
});

test('with_first_found: the first existing file, names with undefined variables skipped; none found is an error unless skip', (t) => {
  const files = { 'files/default.conf': 'd', 'vars/Debian.yml': 'x: 1' };
  const found = itemsOf('- debug: msg={{ item }}\n  with_first_found:\n    - "{{ nope }}.conf"\n    - missing.conf\n    - default.conf', vars, files) as string[];
  t.is(found.length, 1);
  t.regex(found[0]!, /\/files\/default\.conf$/);
  const dict = itemsOf('- debug: msg={{ item }}\n  with_first_found:\n    - files: [RedHat.yml, Debian.yml]\n      paths: [vars]', vars, files) as string[];
  t.regex(dict[0]!, /\/vars\/Debian\.yml$/);
  t.deepEqual(itemsOf('- debug: msg={{ item }}\n  with_first_found:\n    - files: [none.yml]\n      skip: true', vars, files), []);
  const err = t.throws(() => itemsOf('- debug: msg={{ item }}\n  with_first_found: [none.yml]', vars, files));
  t.regex(err!.message, /No file was found when using first_found/);
});

test('an unknown with_ lookup, two loop keywords, or a loop on import_tasks are load errors naming file:line', (t) => {
  const dir = tree({
    'a.yml': '- hosts: all\n  tasks:\n    - debug: msg=x\n      with_bogus: [1]\n',
    'b.yml': '- hosts: all\n  tasks:\n    - debug: msg=x\n      with_items: [1]\n      with_sequence: count=2\n',
    'c.yml': '- hosts: all\n  tasks:\n    - import_tasks: t.yml\n      with_items: [1]\n',
    't.yml': '- debug: msg=x\n',
  });
  t.regex(loadError(join(dir, 'a.yml')), /a\.yml:4:\d+: task: 'with_bogus': the lookup 'bogus' is not supported/);
  t.regex(loadError(join(dir, 'b.yml')), /only one loop keyword may be used, got with_items and with_sequence/);
  t.regex(loadError(join(dir, 'c.yml')), /c\.yml:4:\d+: task: 'with_items' is not valid on import_tasks/);
});

test('with_first_found returns the path as Ansible joins it (os.path.join): a `..` in the name is kept, not normalised', (t) => {
  const files = { 'files/keep': '', 'vars/os/Debian.yml': 'x: 1' };
  const found = itemsOf('- include_vars: "{{ item }}"\n  with_first_found:\n    - ../vars/os/RedHat.yml\n    - ../vars/os/Debian.yml', vars, files) as string[];
  t.is(found.length, 1);
  t.regex(found[0]!, /\/files\/\.\.\/vars\/os\/Debian\.yml$/);
});
