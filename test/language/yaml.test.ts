import test from 'ava';
import { join } from 'node:path';
import { loadPlaybook } from '../../src/playbook/load.js';
import { loadYamlText, type YamlWarning } from '../../src/util/yaml.js';
import { runCli } from '../helpers/cli.js';
import { tasksOf, tree } from './helpers.js';

/**
 * YAML as Ansible reads it. Expected values were recorded from PyYAML 6.0.3 (ansible-core 2.14's
 * loader): python3 -c "import yaml; print(yaml.safe_load(TEXT))".
 */
const load = (text: string, warnings?: YamlWarning[]) => loadYamlText(text, 'x.yml', warnings) as Record<string, unknown>;

test('YAML 1.1 booleans: yes/no/on/off/true/false in the three casings PyYAML knows', (t) => {
  for (const word of ['yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE']) t.is(load(`v: ${word}`).v, true, word);
  for (const word of ['no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE']) t.is(load(`v: ${word}`).v, false, word);
});

test("`y`, `n` and odd casings stay strings (PyYAML's resolver), quoted booleans too", (t) => {
  for (const word of ['y', 'Y', 'n', 'N', 'yEs', 'nO', 'oN', 'tRUE']) t.is(load(`v: ${word}`).v, word, word);
  t.is(load('v: "yes"').v, 'yes');
  t.is(load("v: 'off'").v, 'off');
});

test('octal-looking modes: 0644 unquoted is the number 420 (as PyYAML), quoted stays the string', (t) => {
  t.deepEqual(load('a: 0644\nb: 0755\nc: "0644"\nd: 0o644\ne: -0644\nf: 00\ng: 010_0'), { a: 420, b: 493, c: '0644', d: '0o644', e: -420, f: 0, g: 64 });
});

test('other YAML 1.1 scalars PyYAML resolves: hex, binary, underscores, sexagesimal, null, inf, dates as text', (t) => {
  t.deepEqual(load('a: 0x1F\nb: 0b101\nc: 1_000\nd: 1:20\ne: ~\nf: NULL\ng: .5\nh: +12\ni: 1.5e+3'), { a: 31, b: 5, c: 1000, d: 80, e: null, f: null, g: 0.5, h: 12, i: 1500 });
  t.is(load('p: .inf').p, Infinity);
  // PyYAML makes a datetime.date, which Ansible templates back to the same text.
  t.is(load('e: 2024-01-01').e, '2024-01-01');
});

test('numbers PyYAML leaves as strings: 08 and 0089 (not octal, leading zero), 1e3 and 1.5e3 (no dot or no exponent sign)', (t) => {
  // src/util/yaml.ts uses the `yaml` package's YAML 1.1 int/float tags, whose decimal regex
  // /^[-+]?[0-9][0-9_]*$/ accepts a leading zero and whose float regex accepts "1e3". PyYAML:
  // decimal is [-+]?(0|[1-9][0-9_]*), float needs a dot and a signed exponent. A zero-padded id
  // (mnc: 08, site: 0089) loses its padding in tsplay but not in Ansible.
  t.deepEqual(load('a: 08\nb: 0089\nc: 1e3\nd: 1.5e3\ne: 09.5'), { a: '08', b: '0089', c: '1e3', d: '1.5e3', e: 9.5 });
});

test('duplicate keys: the last value wins, with a warning naming file:line:column', (t) => {
  const warnings: YamlWarning[] = [];
  const v = load('port: 1\nname: x\nport: 2\nnested:\n  a: 1\n  a: 3\n', warnings);
  t.is(v.port, 2);
  t.deepEqual(v.nested, { a: 3 });
  t.deepEqual(warnings.map((w) => [w.message, w.where.line, w.where.column]), [
    ["duplicate key 'port': the last value wins", 3, 1],
    ["duplicate key 'a': the last value wins", 6, 3],
  ]);
});

test('duplicate keys in a task: the last module argument wins and the CLI warns with the location', async (t) => {
  const dir = tree({ 'site.yml': '- hosts: localhost\n  gather_facts: no\n  tasks:\n    - name: Twice\n      debug:\n        msg: first\n        msg: second\n' });
  const pb = loadPlaybook(join(dir, 'site.yml'));
  t.deepEqual(tasksOf(pb.plays[0]!.tasks)[0]!.args, { msg: 'second' });
  t.deepEqual(pb.warnings, [`${join(dir, 'site.yml')}:7:9: duplicate key 'msg': the last value wins`]);
  const r = await runCli([join(dir, 'site.yml'), '-i', 'localhost,', '--syntax-check']);
  t.is(r.code, 0);
  t.is(r.stderr, `[WARNING]: ${join(dir, 'site.yml')}:7:9: duplicate key 'msg': the last value wins\n`);
});

test('empty files are allowed: playbook, role defaults/vars/tasks/handlers/meta, vars_files, included tasks', async (t) => {
  const empty = tree({ 'site.yml': '' });
  t.deepEqual(loadPlaybook(join(empty, 'site.yml')).plays, []);
  const comments = tree({ 'site.yml': '# nothing yet\n---\n' });
  t.deepEqual(loadPlaybook(join(comments, 'site.yml')).plays, []);
  const r = await runCli([join(empty, 'site.yml'), '-i', 'localhost,', '--syntax-check']);
  t.is(r.code, 0, r.stderr);

  const dir = tree({
    'site.yml': '- hosts: all\n  vars_files: [empty.yml]\n  roles: [r]\n  tasks:\n    - include_tasks: none.yml\n    - import_tasks: none.yml\n',
    'empty.yml': '',
    'none.yml': '---\n',
    'roles/r/tasks/main.yml': '',
    'roles/r/handlers/main.yml': '',
    'roles/r/defaults/main.yml': '# defaults come later\n',
    'roles/r/vars/main.yml': '',
    'roles/r/meta/main.yml': '',
  });
  const play = loadPlaybook(join(dir, 'site.yml')).plays[0]!;
  t.deepEqual(tasksOf(play.tasks), []);
  t.deepEqual(play.varsFiles, {});
  t.deepEqual(play.handlers, []);
});

test('booleans and modes as a playbook uses them: gather_facts: no, become: yes, when: on', (t) => {
  const dir = tree({ 'site.yml': '- hosts: all\n  gather_facts: no\n  become: Yes\n  vars:\n    flag: on\n    answer: n\n  tasks:\n    - file: path=/tmp/x state=touch\n      become: NO\n    - copy:\n        content: x\n        dest: /tmp/y\n        mode: 0640\n' });
  const play = loadPlaybook(join(dir, 'site.yml')).plays[0]!;
  t.is(play.gatherFacts, false);
  t.is(play.become, true);
  t.deepEqual(play.vars, { flag: true, answer: 'n' });
  const [touch, copy] = tasksOf(play.tasks);
  t.is(touch!.become, false);
  t.is((copy!.args as { mode: unknown }).mode, 0o640);
});

test('anchors, aliases and merge keys (<<) as PyYAML reads them: explicit keys win', (t) => {
  const v = load('base: &b\n  port: 5060\n  proto: udp\nsip:\n  <<: *b\n  proto: tcp\nlist: [*b]\n');
  t.deepEqual(v.sip, { port: 5060, proto: 'tcp' });
  t.deepEqual(v.list, [{ port: 5060, proto: 'udp' }]);
});

test('a key named __proto__ is plain data, never the prototype', (t) => {
  const v = load('__proto__:\n  polluted: yes\n');
  t.deepEqual(Object.keys(v), ['__proto__']);
  t.is(({} as Record<string, unknown>).polluted, undefined);
  t.is(Object.getPrototypeOf(v), Object.prototype);
});
