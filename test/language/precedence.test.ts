import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { fixtures, msgs, runJson, tree, type JsonRun } from './helpers.js';

/**
 * Variable precedence on real hosts, one test per level boundary (fixtures/precedence/site.yml
 * defines each bN at exactly two adjacent levels). The expected values were recorded by running
 * the same playbook with ansible-playbook (ansible-core 2.14.18) on the same fleet.
 * h1 is in group `child` (a child of `parent`); h2 is only in `all`.
 */
let fleet: Fleet;
let inventory: string;
let doc: JsonRun;
let exitCode: number | null;

test.before(async () => {
  fleet = await startFleet({ size: 2 });
  inventory = join(fleet.dir, 'precedence.ini');
  writeFileSync(inventory, readFileSync(fleet.inventoryPath, 'utf8') + '\n[child]\nh1\n\n[parent:children]\nchild\n');
  const { doc: d, run } = await runJson([join(fixtures, 'precedence/site.yml'), '-i', inventory, '-e', 'b14=extra', '-e', '{"b15": "extra"}']);
  doc = d;
  exitCode = run.code;
});
test.after.always(async () => {
  await fleet?.stop();
});

test.serial('the run succeeds on both hosts', (t) => {
  t.is(exitCode, 0, JSON.stringify(doc.stats));
  t.like(doc.stats.h1, { failures: 0, unreachable: 0 });
  t.like(doc.stats.h2, { failures: 0, unreachable: 0 });
});

/** [task name (role tasks show as "prec : bN"), the boundary, the value per host] */
const boundaries: [string, string, Record<string, string>][] = [
  ['prec : b1', 'role defaults < inventory group vars (all)', { h1: 'group all', h2: 'group all' }],
  ['prec : b2', 'group all < parent group', { h1: 'parent group', h2: 'group all' }],
  ['prec : b3', 'parent group < child group', { h1: 'child group', h2: 'group all' }],
  ['prec : b4', 'child group < host vars', { h1: 'host vars', h2: 'group all' }],
  ['b6', 'facts < play vars (ansible_system set in play vars)', { h1: 'play vars', h2: 'play vars' }],
  ['prec : b7', 'play vars < vars_files', { h1: 'vars_files', h2: 'vars_files' }],
  ['prec : b8', 'vars_files < role vars', { h1: 'role vars', h2: 'role vars' }],
  ['prec : b9', 'role vars < block vars', { h1: 'block vars', h2: 'block vars' }],
  ['prec : b10', 'block vars < task vars', { h1: 'task vars', h2: 'task vars' }],
  ['b11', 'task vars < set_fact', { h1: 'set_fact', h2: 'set_fact' }],
  ['b11r', 'task vars < registered', { h1: 'registered', h2: 'registered' }],
  ['prec : b12', 'set_fact < role params', { h1: 'role params', h2: 'role params' }],
  ['prec : b14', 'include params < extra vars', { h1: 'extra', h2: 'extra' }],
  ['b15', 'set_fact < extra vars (JSON -e)', { h1: 'extra', h2: 'extra' }],
];

for (const [task, title, expected] of boundaries) {
  test.serial(`precedence ${title}`, (t) => {
    t.deepEqual(msgs(doc, task), expected);
  });
}

test.serial('precedence host vars < facts: the gathered ansible_kernel wins over host_vars', (t) => {
  // Both hosts share the controller's kernel (namespaces, not VMs).
  const kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  t.deepEqual(msgs(doc, 'b5'), { h1: kernel, h2: kernel });
});

test.serial('precedence role params < include params (vars on include_tasks inside a role)', (t) => {
  // Ansible: "include params". tsplay puts an include's `vars:` into block vars
  // (task.ts loadInclude → inheritable()), below set_fact and role params, and makes the include's
  // own options (file:, name:) the include params instead (task.ts:274).
  t.deepEqual(msgs(doc, 'prec : b13'), { h1: 'include params', h2: 'include params' });
});

test.serial('precedence set_fact < include params (vars on include_tasks in a play)', (t) => {
  t.deepEqual(msgs(doc, 'b12i'), { h1: 'include params', h2: 'include params' });
});

test.serial('lazy evaluation: a group var built on another is rendered with the task\'s value of it', (t) => {
  t.deepEqual(msgs(doc, 'lazy'), { h1: 'hello task vars', h2: 'hello task vars' });
  // play var → host var + group var, per host
  t.deepEqual(msgs(doc, 'lazy chain'), { h1: 'http://h1.example:8080/', h2: 'http://h2.example:8080/' });
});

test.serial('lazy evaluation: a var that references something undefined breaks only the tasks that read it', async (t) => {
  // Ansible renders a var only when read: `broken` is never used, so the play runs (checked with
  // ansible-playbook 2.14). tsplay spreads the lazy scope ({ ...scope }) in task-run.ts
  // (withData, line 23, called for every task by applyResultRules; and targetFromVars at line 139),
  // which renders every variable: each task fails with "undefined variable 'nowhere' (in variable 'broken')".
  // The everyday case: group_vars refer to a role default, and tasks outside the role fail.
  const dir = tree({
    'site.yml': '- hosts: all\n  gather_facts: no\n  vars:\n    broken: "{{ nowhere }}"\n  tasks:\n    - name: unrelated\n      debug:\n        msg: fine\n',
  });
  const { doc: d, run } = await runJson([join(dir, 'site.yml'), '-i', inventory, '-l', 'h1']);
  t.is(run.code, 0);
  t.deepEqual(msgs(d, 'unrelated'), { h1: 'fine' });
});

test.serial('the effective value is per host: host vars and groups differ, extra vars cannot be overridden by set_fact', (t) => {
  t.not(msgs(doc, 'prec : b4').h1, msgs(doc, 'prec : b4').h2);
  t.is(msgs(doc, 'b15').h1, 'extra');
});
