import test from 'ava';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPlaybook } from '../../src/playbook/load.js';
import type { Block, Task } from '../../src/playbook/types.js';
import { runCli } from '../helpers/cli.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/loading');

test('a bad module argument under ignore_errors or a rescue is a load-time warning, not an error', (t) => {
  const pb = loadPlaybook(join(dir, 'tolerated.yml'));
  t.is(pb.warnings.length, 4, pb.warnings.join('\n'));
  t.regex(pb.warnings[0]!, /tolerated\.yml:5:7: task 'EXPECTED FAILURE bad argument': file: unsupported argument 'stat'.*fails when it runs/);
  t.regex(pb.warnings[1]!, /ping: unsupported argument 'dta'/);
  t.regex(pb.warnings[2]!, /ping: unsupported argument 'bogus'/);
  t.regex(pb.warnings[3]!, /task 'EXPECTED FAILURE broken template': .*fails when it runs/);
});

test('outside such protection (in the rescue section itself) it stays a load-time error', (t) => {
  t.throws(() => loadPlaybook(join(dir, 'unprotected.yml')), { message: /ping: unsupported argument 'bogus'/ });
});

test('at run time the task fails as in Ansible: ignored, rescued, or skipped when never reached', async (t) => {
  const r = await runCli([join(dir, 'tolerated.yml'), '-i', 'localhost,']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stderr + r.stdout, /\[WARNING\]: .*unsupported argument 'stat'/);
  t.regex(r.stdout, /TASK \[EXPECTED FAILURE bad argument\] \*+\nfatal: \[localhost\]: FAILED! => .*unsupported argument 'stat'.*\n\.\.\.ignoring/);
  t.regex(r.stdout, /"msg": "rescued: .*ping: unsupported argument 'dta'/);
  t.regex(r.stdout, /TASK \[bad argument never run\] \*+\nskipping: \[localhost\]/);
  t.regex(r.stdout, /TASK \[EXPECTED FAILURE broken template\] \*+\nfatal: \[localhost\]: FAILED! .*\n\.\.\.ignoring/);
  t.regex(r.stdout, /localhost\s+: ok=4\s+changed=0\s+unreachable=0\s+failed=0\s+skipped=1\s+rescued=1\s+ignored=2/);
});

test('legacy include: a playbook include is import_playbook, a task include import_tasks (include_tasks with a loop), with a deprecation warning', async (t) => {
  const pb = loadPlaybook(join(dir, 'legacy.yml'));
  t.regex(pb.warnings[0]!, /legacy\.yml:1:3: "include" of a playbook is deprecated .* use import_playbook/);
  t.regex(pb.warnings[1]!, /legacy-play\.yml:4:7: "include" is deprecated, use include_tasks\/import_tasks instead .*run here as import_tasks/);
  t.regex(pb.warnings[2]!, /run here as include_tasks/);
  const [first, second] = pb.plays[0]!.tasks as Block[];
  t.is(first!.include, undefined, 'static');
  t.deepEqual(first!.vars, { who: 'static' });
  t.is((first!.block[0] as Task).module, 'debug');
  t.is(second!.include?.module, 'include_tasks');
  const r = await runCli([join(dir, 'legacy.yml'), '-i', 'localhost,']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.deepEqual([...r.stdout.matchAll(/"msg": "included for (\w+)"/g)].map((m) => m[1]), ['static', 'a', 'b']);
});

test('control-role-profile: include_vars from the role vars/, a legacy include with k=v vars, group_by feeding the next play', async (t) => {
  const pb = join(dir, '../../../corpus/control-role-profile/playbook.yml');
  const carrier = await runCli([pb, '-i', 'localhost,'], { env: { ANSIBLE_SHOW_CUSTOM_STATS: 'yes' } });
  t.is(carrier.code, 0, carrier.stdout + carrier.stderr);
  t.regex(carrier.stdout, /"msg": "localhost: PCMA,G722 up to 4000"/);
  t.regex(carrier.stdout, /\tRUN: \{ "carrier_sbcs": 1\}/);
  const enterprise = await runCli([pb, '-i', 'localhost,', '-e', 'sbc_profile=enterprise']);
  t.is(enterprise.code, 0, enterprise.stdout + enterprise.stderr);
  t.regex(enterprise.stdout, /PLAY \[Carrier SBCs\] \*+\nskipping: no hosts matched/);
  t.notRegex(enterprise.stdout, /CUSTOM STATS/);
  // with_first_found looks in the role's vars/ for include_vars (Ansible's lookup subdir): no file → carrier
  const fallback = await runCli([pb, '-i', 'localhost,', '-e', 'sbc_profile=lab']);
  t.is(fallback.code, 0, fallback.stdout + fallback.stderr);
  t.regex(fallback.stdout, /ok: \[localhost\] => \(item=\S*\/roles\/sbc\/vars\/carrier\.yml\)/);
});

test('the rule reaches roles: a role entry with ignore_errors, an include_role in a block with a rescue', async (t) => {
  const pb = loadPlaybook(join(dir, 'tolerated-roles.yml'));
  t.is(pb.warnings.length, 2, pb.warnings.join('\n'));
  for (const w of pb.warnings) t.regex(w, /roles\/badargs\/tasks\/main\.yml:2:3: task 'bad argument in a role': ping: unsupported argument 'dta'/);
  const r = await runCli([join(dir, 'tolerated-roles.yml'), '-i', 'localhost,']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /\.\.\.ignoring/);
  t.regex(r.stdout, /"msg": "rescued-role"/);
  t.regex(r.stdout, /localhost\s+: ok=2\s+changed=0\s+unreachable=0\s+failed=0\s+skipped=0\s+rescued=1\s+ignored=1/);
});
