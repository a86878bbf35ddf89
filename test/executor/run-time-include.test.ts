/**
 * Includes decided per host at run time, as Ansible decides dynamic includes: an include_tasks or
 * include_role whose name needs what only the host has (a registered value, a host var, a loop item)
 * is rendered when the host reaches it, and the host runs what it resolved to. On SSH test hosts.
 */
import test from 'ava';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPlaybook } from '../../src/playbook/load.js';
import { parseRecap, runCli, workDir } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';
import { runIds, taskLog } from '../journal/helpers.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/rt-include');

const fleet = freshFleet({ size: 2 }, {
  empty: ['/opt/roll'],
  seed: (f) => {
    writeFileSync(f.path('h1', '/opt/roll/flavour'), 'red\n');
    writeFileSync(f.path('h2', '/opt/roll/flavour'), 'blue\n');
  },
});

test.serial('an include_tasks named by a registered value: each host runs the file it resolved', async (t) => {
  const r = await runCli([join(dir, 'pick.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(taskLog(fleet, 'h1'), 'red-1\ndone\n');
  t.is(taskLog(fleet, 'h2'), 'blue-1\nblue-2\nblue-3\ndone\n');
  t.regex(r.stdout, /TASK \[by flavour\] \*+\nincluded: \S+\/rt-include\/red\.yml for h1\nincluded: \S+\/rt-include\/blue\.yml for h2\n/);
  // hosts on different files run their own tasks: h1's file, then h2's (Ansible's order: by file)
  t.regex(r.stdout, /TASK \[red step 1\] \*+\nchanged: \[h1\]\n\nTASK \[blue step 1\] \*+\nchanged: \[h2\]\n/);
  t.like(parseRecap(r.stdout), { h1: { ok: 4, changed: 2, failures: 0 }, h2: { ok: 6, changed: 4, failures: 0 } });
});

test.serial('--syntax-check and --list-tasks accept it and list the include itself', async (t) => {
  const s = await runCli([join(dir, 'pick.yml'), '-i', fleet.inventoryPath, '--syntax-check']);
  t.is(s.code, 0, s.stdout + s.stderr);
  const l = await runCli([join(dir, 'pick.yml'), '-i', fleet.inventoryPath, '--list-tasks']);
  t.is(l.code, 0, l.stdout + l.stderr);
  t.regex(l.stdout, /read the flavour\tTAGS: \[\]\n\s+by flavour\tTAGS: \[\]\n\s+done\tTAGS: \[\]\n/);
});

test.serial('an include_role named by its loop item, with the item in its vars: one role per item, per host', async (t) => {
  const r = await runCli([join(dir, 'roles-loop.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(taskLog(fleet, 'h1'), 'alpha from alpha\nbeta from beta\n');
  t.is(taskLog(fleet, 'h2'), 'beta from beta\n', 'h2 has its own list (host_vars)');
  t.regex(r.stdout, /TASK \[alpha : alpha\] \*+\nchanged: \[h1\]\n/);
  t.like(parseRecap(r.stdout), { h1: { ok: 2, changed: 2 }, h2: { ok: 1, changed: 1 } });
});

test.serial('run_once: an include is included by the first host only; a run_once fact or result is every host\'s', async (t) => {
  const r = await runCli([join(dir, 'run-once.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(taskLog(fleet, 'h1'), 'once-step\nalpha once\nset by h1, ran on h1, own fact\n');
  t.is(taskLog(fleet, 'h2'), 'set by h1, ran on h1, no own fact\n', 'h2 included nothing, and has the run_once fact and result');
  t.regex(r.stdout, /TASK \[included by the first host only\] \*+\nincluded: \S+\/once-steps\.yml for h1\n\n/);
  t.like(parseRecap(r.stdout), { h1: { ok: 7, changed: 4 }, h2: { ok: 1, changed: 1 } });
});

test.serial('a file missing at run time fails that host\'s include, even under ignore_errors (as Ansible 2.14); the other host goes on', async (t) => {
  const r = await runCli([join(dir, 'missing.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 2, r.stdout + r.stderr);
  t.is(taskLog(fleet, 'h1'), 'red-extra\nafter\n');
  t.is(taskLog(fleet, 'h2'), '', 'h2 failed at the include: nothing after it ran');
  t.regex(r.stdout, /included: \S+\/red-extra\.yml for h1\nfatal: \[h2\]: FAILED! => .*include_tasks: file 'blue-extra\.yml' not found.*\n/);
  t.notRegex(r.stdout, /\.\.\.ignoring/);
  t.like(parseRecap(r.stdout), { h1: { ok: 4, failures: 0 }, h2: { failures: 1, ignored: 0 } });
});

test.serial('--resume: a host that failed inside a run-time include resumes in the same file, at the task it failed', async (t) => {
  const journal = workDir('rt-include-journal-');
  const args = [join(dir, 'pick.yml'), '-i', fleet.inventoryPath, '--journal-dir', journal];
  writeFileSync(fleet.path('h2', '/opt/roll/fail'), '');
  const first = await runCli(args);
  t.is(first.code, 2, first.stdout + first.stderr);
  t.is(taskLog(fleet, 'h1'), 'red-1\ndone\n');
  t.is(taskLog(fleet, 'h2'), 'blue-1\n');
  // the state file keeps what h2's include resolved to beside its position in it
  const state = JSON.parse(readFileSync(join(journal, runIds(journal)[0]!, 'state.json'), 'utf8')) as { hosts: Record<string, { cursor?: { cursor: { stack: { index: number; resolved?: string[] }[] } } }> };
  t.deepEqual(state.hosts.h2!.cursor?.cursor.stack[1], { phase: 'block', index: 1, resolved: ['{"file":"blue.yml"}'] });

  // the host's flavour changed since: it still resumes in blue.yml, where it stopped
  rmSync(fleet.path('h2', '/opt/roll/fail'));
  writeFileSync(fleet.path('h2', '/opt/roll/flavour'), 'red\n');
  const second = await runCli([...args, '--resume', 'last']);
  t.is(second.code, 0, second.stdout + second.stderr);
  t.is(taskLog(fleet, 'h1'), 'red-1\ndone\n', 'h1 finished: untouched');
  t.is(taskLog(fleet, 'h2'), 'blue-1\nblue-2\nblue-3\ndone\n', 'h2: from blue step 2 on');
});

test('a missing include target under a when is a load warning (it fails if it runs); without one it is a load error', (t) => {
  const d = workDir('rt-include-load-');
  writeFileSync(join(d, 'when.yml'), '- hosts: all\n  tasks:\n    - include_role: {name: nope}\n      when: false\n    - block:\n        - include_tasks: nope.yml\n      when: x is defined\n');
  writeFileSync(join(d, 'plain.yml'), '- hosts: all\n  tasks:\n    - include_tasks: nope.yml\n');
  const pb = loadPlaybook(join(d, 'when.yml'));
  t.is(pb.warnings.length, 2);
  t.regex(pb.warnings[0]!, /when\.yml:3:\d+: role 'nope' not found .*\(kept: the include is under a when, ignore_errors or a rescue; it fails when it runs, as in Ansible\)/);
  t.regex(pb.warnings[1]!, /when\.yml:6:\d+: include_tasks: file 'nope\.yml' not found/);
  t.throws(() => loadPlaybook(join(d, 'plain.yml')), { message: /include_tasks: file 'nope\.yml' not found/ });
});
