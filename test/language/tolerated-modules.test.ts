/**
 * Real roles name modules tsplay does not have in tasks for other platforms (`pacman` in a
 * setup-Archlinux.yml included under `when: ansible_os_family == 'Archlinux'`). Ansible only looks a
 * module up when the task runs; tsplay checks every task when the playbook loads, but where the task may
 * never run (a condition) it warns and keeps it: the task fails if it runs. A bad argument is kept under
 * ignore_errors or a rescue too (Ansible fails the task when it runs); an unknown module is not.
 * Without such protection an unknown module is still a load error (test/language/validation.test.ts).
 */
import test from 'ava';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { parseRecap, runCli, workDir } from '../helpers/cli.js';

const play = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/tolerated/play.yml');

test('unknown modules and bad arguments under a condition or ignore_errors: load-time warnings, the run goes on, a reached one fails', async (t) => {
  const r = await runCli([play, '-i', 'localhost,']);
  t.is(r.code, 0, r.stdout + r.stderr);
  const all = r.stdout + r.stderr;
  t.regex(all, /\[WARNING\]: \S*setup-Archlinux\.yml:2:3: task 'install with pacman': 'pacman' is not a known module or task keyword \(kept: .*fails when it runs/);
  t.regex(all, /\[WARNING\]: \S*play\.yml:\d+:\d+: task 'a module tsplay lacks, never reached': 'zypper_repository' is not a known module/);
  t.regex(all, /\[WARNING\]: .*file: unsupported argument 'no_such_option'.*kept/);
  t.regex(r.stdout, /TASK \[a module tsplay lacks, never reached\] \*+\nskipping: \[localhost\]/);
  t.regex(r.stdout, /TASK \[EXPECTED FAILURE a module tsplay lacks, reached\] \*+\nfatal: \[localhost\]: FAILED! => .*'pacman' is not a known module.*\n\.\.\.ignoring/);
  t.regex(r.stdout, /"msg": "after"/);
  t.like(parseRecap(r.stdout), { localhost: { ok: 2, skipped: 3, ignored: 1, failures: 0 } });
});

test("--syntax-check passes with the warnings (as ansible-playbook's does)", async (t) => {
  const r = await runCli(['--syntax-check', play, '-i', 'localhost,']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout + r.stderr, /'pacman' is not a known module/);
});

test('a module result with `warnings` shows them after its line, as Ansible does', async (t) => {
  const dir = dirname(play);
  const r = await runCli([join(dir, 'warnings.yml'), '-i', 'localhost,']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[find\] \*+\nok: \[localhost\]\n/);
  t.regex(r.stderr, /^\[WARNING\]: Skipped '\/nonexistent-tsplay-dir' path due to this access issue: '\/nonexistent-tsplay-dir' is not a directory$/m);
});

test('an unknown module under ignore_errors or a rescue alone stays a load error (Ansible: a fatal parse error there too)', async (t) => {
  const dir = workDir('tolerated-');
  const play = join(dir, 'play.yml');
  writeFileSync(play, '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - block:\n        - wrong.wrong.wrong: {parser: error}\n      rescue:\n        - debug: {msg: SHOULD_NOT_EXECUTE}\n');
  const r = await runCli([play, '-i', 'localhost,']);
  t.is(r.code, 4, r.stdout + r.stderr);
  t.regex(r.stderr, /^ERROR! \S*play\.yml:5:11: task: 'wrong\.wrong\.wrong' is not a known module or task keyword$/m);
  t.notRegex(r.stdout, /SHOULD_NOT_EXECUTE/);
});

test('a kept task with a module tsplay lacks keeps its loop and register: skipped item by item, the skip registered (as Ansible)', async (t) => {
  const r = await runCli([join(dirname(play), 'looped.yml'), '-i', 'localhost,']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[looped port install\] \*+\nskipping: \[localhost\] => \(item=security\/ca_root_nss\)\nskipping: \[localhost\] => \(item=www\/nginx\)\nskipping: \[localhost\]\n/);
  t.regex(r.stdout, /"msg": "skipped=True"/);
  t.like(parseRecap(r.stdout), { localhost: { ok: 1, skipped: 2 } });
});
