/**
 * Small behaviours matched to ansible-playbook 2.14 (each checked against it on the same playbook):
 * the CLI on a test host, its exit code, printed statuses and recap, and what changed on the host.
 */
import test from 'ava';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshFleet } from '../helpers/fleet.js';
import { parseRecap, repo, runCli } from '../helpers/cli.js';

const fixtures = join(repo, 'test/executor/fixtures/semantics');
const fleet = freshFleet({ size: 1 }, { empty: ['/opt/sem'] });

test.serial('script with creates/removes that holds is skipped, with the script action\'s message', async (t) => {
  writeFileSync(fleet.path('h1', '/opt/sem/log'), 'before\n');
  const r = await runCli([join(fixtures, 'script-guards.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[creates exists\] \*+\nskipping: \[h1\]\n/);
  t.regex(r.stdout, /TASK \[removes missing\] \*+\nskipping: \[h1\]\n/);
  t.regex(r.stdout, /TASK \[a missing script is not looked for when the guard skips\] \*+\nskipping: \[h1\]\n/);
  t.regex(r.stdout, /TASK \[creates missing\] \*+\nchanged: \[h1\]\n/);
  // registered as Ansible's AnsibleActionSkip result
  const block = (key: string) => JSON.parse(`{${new RegExp(`"${key}": \\{[^}]*\\}`).exec(r.stdout)![0]}}`) as Record<string, unknown>;
  t.deepEqual(block('creates'), { creates: { changed: false, failed: false, skipped: true, msg: '/opt/sem/log exists, matching creates option' } });
  t.deepEqual(block('removes'), { removes: { changed: false, failed: false, skipped: true, msg: '/opt/sem/absent does not exist, matching removes option' } });
  t.is(readFileSync(fleet.path('h1', '/opt/sem/log'), 'utf8'), 'before\nran runs\n', 'only the unguarded script ran');
  t.like(parseRecap(r.stdout), { h1: { ok: 2, changed: 1, skipped: 3 } });
});

test.serial('script in check mode: skipped by a guard that holds, changed when creates/removes say it would run', async (t) => {
  writeFileSync(fleet.path('h1', '/opt/sem/log'), 'before\n');
  const r = await runCli([join(fixtures, 'script-guards.yml'), '-i', fleet.inventoryPath, '--check']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[creates exists\] \*+\nskipping: \[h1\]\n/);
  t.regex(r.stdout, /TASK \[creates missing\] \*+\nchanged: \[h1\]\n/);
  t.is(readFileSync(fleet.path('h1', '/opt/sem/log'), 'utf8'), 'before\n', 'nothing ran');
  t.like(parseRecap(r.stdout), { h1: { ok: 2, changed: 1, skipped: 3 } });
});

test.serial('a looped include evaluates its when per item, with the item defined, and includes only those items', async (t) => {
  const r = await runCli([join(fixtures, 'include-when.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[looped include_tasks\] \*+\nskipping: \[h1\] => \(item=b\)\nincluded: \S+\/mark-item\.yml for h1 => \(item=a\)\nincluded: \S+\/mark-item\.yml for h1 => \(item=c\)\n/);
  t.regex(r.stdout, /TASK \[none wanted\] \*+\nskipping: \[h1\] => \(item=x\)\nskipping: \[h1\] => \(item=y\)\nskipping: \[h1\]\n/);
  t.regex(r.stdout, /TASK \[looped include_role\] \*+\nskipping: \[h1\] => \(item=b\)\n\nTASK \[mark : mark from role\] \*+\nchanged: \[h1\]\n\nTASK \[registered\]/);
  // the included items run with their own place in the loop (index_var 2 for c, as Ansible)
  t.deepEqual(readdirSync(fleet.path('h1', '/opt/sem')).sort(), ['a', 'c', 'role-c']);
  t.is(readFileSync(fleet.path('h1', '/opt/sem/a'), 'utf8'), 'a 0\n');
  t.is(readFileSync(fleet.path('h1', '/opt/sem/c'), 'utf8'), 'c 2\n');
  t.regex(r.stdout, /"changed": false,\n\s+"idx": 1,\n\s+"item": "b",\n\s+"skip_reason": "Conditional result was False",\n\s+"skipped": true/);
  // ok: 2 included files + 2 marks + 1 role mark + registered; skipped: the include with no item wanted
  t.like(parseRecap(r.stdout), { h1: { ok: 6, changed: 3, skipped: 1 } });
});

test.serial('meta: refresh_inventory applies add_host and group_by results again: later plays still target them', async (t) => {
  const r = await runCli([join(fixtures, 'refresh.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /"msg": "\['h1-alias'\] \['h1'\]"/);
  t.regex(r.stdout, /TASK \[on the added and grouped hosts\] \*+\nchanged: \[(h1-alias|h1)\]\nchanged: \[(?!\1\])(h1-alias|h1)\]\n/);
  // h1-alias is h1 itself (its address): both files land there
  t.is(readFileSync(fleet.path('h1', '/opt/sem/h1-alias'), 'utf8'), 'h1-alias added from add_host\n');
  t.is(readFileSync(fleet.path('h1', '/opt/sem/h1'), 'utf8'), 'h1 by_h1 -\n');
  t.like(parseRecap(r.stdout), { h1: { ok: 4, changed: 3 }, 'h1-alias': { ok: 1, changed: 1 } });
});

test.serial('include_role allow_duplicates: false passes the role by on a host it already ran on in the play', async (t) => {
  const r = await runCli([join(fixtures, 'allow-duplicates.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.notRegex(r.stdout + r.stderr, /allow_duplicates/, 'no load warning: it is applied');
  t.regex(r.stdout, /TASK \[its task skipped, so the role has not run\] \*+\n\nTASK \[count : count a run\] \*+\nskipping: \[h1\]\n/);
  t.regex(r.stdout, /TASK \[runs\] \*+\n\nTASK \[count : count a run\] \*+\nchanged: \[h1\]\n/);
  t.regex(r.stdout, /TASK \[already ran\] \*+\n\nTASK \[other vars, another use of the role\] \*+\n\nTASK \[count : count a run\] \*+\nchanged: \[h1\]\n/);
  t.regex(r.stdout, /TASK \[duplicates allowed\] \*+\n\nTASK \[count : count a run\] \*+\nchanged: \[h1\]\n/);
  t.regex(r.stdout, /TASK \[a new play, the role has not run in it\] \*+\n\nTASK \[count : count a run\] \*+\nchanged: \[h1\]\n/);
  // an import_role of the same role (same params, vars, files) is the same role: not run again
  t.regex(r.stdout, /TASK \[after the same role imported\] \*+\n\nPLAY RECAP/);
  t.is(readFileSync(fleet.path('h1', '/opt/sem/count.log'), 'utf8'), 'run\n'.repeat(5));
  t.like(parseRecap(r.stdout), { h1: { ok: 7, changed: 5, skipped: 1 } });
});

test.serial('a loop ends as Ansible\'s callback ends it: skipping: [HOST] when every item skipped, ...ignoring after an ignored failure', async (t) => {
  const r = await runCli([join(fixtures, 'loop-summary.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[every item skipped\] \*+\nskipping: \[h1\] => \(item=a\)\nskipping: \[h1\] => \(item=b\)\nskipping: \[h1\]\n\n/);
  t.regex(r.stdout, /TASK \[one item runs\] \*+\nchanged: \[h1\] => \(item=a\)\nskipping: \[h1\] => \(item=b\)\n\n/);
  t.regex(r.stdout, /TASK \[an ignored failing item\] \*+\nfailed: \[h1\] \(item=a\) => \{[^\n]*\}\n\.\.\.ignoring\n\n/);
  t.like(parseRecap(r.stdout), { h1: { ok: 3, changed: 3, skipped: 1, ignored: 1 } });
});

test.serial('an include\'s TASK banner shows its name rendered with the first host\'s variables, or as written when it does not render', async (t) => {
  const r = await runCli([join(fixtures, 'include-name.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[include for Debian\] \*+\nincluded: \S+\/mark-item\.yml for h1\n/);
  t.regex(r.stdout, /TASK \[include for \{\{ not_defined_anywhere \}\}\] \*+\nincluded: \S+\/mark-item\.yml for h1\n/);
  t.regex(r.stdout, /TASK \[role Debian not wanted\] \*+\nskipping: \[h1\]\n/);
  t.is(readFileSync(fleet.path('h1', '/opt/sem/Debian'), 'utf8'), 'Debian 0\n');
});

test.serial('ANSIBLE_ERROR_ON_MISSING_HANDLER=false: a notify naming no handler is a warning when notified, the run goes on', async (t) => {
  const pb = join(fixtures, 'missing-handler.yml');
  const refused = await runCli([pb, '-i', fleet.inventoryPath]);
  t.is(refused.code, 4, refused.stdout + refused.stderr);
  t.regex(refused.stderr, /missing-handler\.yml:\d+:\d+: .*notify: no handler named 'restart nothing'/);
  t.deepEqual(readdirSync(fleet.path('h1', '/opt/sem')), [], 'refused before any host was contacted');
  const r = await runCli([pb, '-i', fleet.inventoryPath], { env: { ANSIBLE_ERROR_ON_MISSING_HANDLER: 'false' } });
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout + r.stderr, /\[WARNING\]: The requested handler 'restart nothing' was not found in either the main handlers list nor in the listening handlers list/);
  t.deepEqual(readdirSync(fleet.path('h1', '/opt/sem')).sort(), ['after', 'touched']);
  t.like(parseRecap(r.stdout), { h1: { ok: 2, changed: 2 } });
});

test.serial("assert's result is shown pretty-printed unless quiet, and loop results register as Ansible's (printed as ansible-playbook 2.14 did)", async (t) => {
  const r = await runCli([join(fixtures, 'assert-shown.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  const from = r.stdout.indexOf('TASK [passes]');
  const shown = r.stdout.slice(from, r.stdout.indexOf('PLAY RECAP'));
  t.is(shown, readFileSync(join(fixtures, 'assert-shown.ansible.txt'), 'utf8'));
});

test.serial("a role's handlers inherit the role entry's and import_role's when: skipped when it is false, run when true", async (t) => {
  const pb = join(fixtures, 'role-handler-when.yml');
  const r = await runCli([pb, '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /RUNNING HANDLER \[guarded : guarded handler\] \*+\nskipping: \[h1\]\n/);
  t.deepEqual(readdirSync(fleet.path('h1', '/opt/sem')), [], 'neither the role nor its handler ran');
  t.like(parseRecap(r.stdout), { h1: { ok: 2, changed: 2, skipped: 4 } });
  const ran = await runCli([pb, '-i', fleet.inventoryPath, '-e', 'run_role=true']);
  t.is(ran.code, 0, ran.stdout + ran.stderr);
  t.deepEqual(readdirSync(fleet.path('h1', '/opt/sem')).sort(), ['guarded-handler-entry', 'guarded-handler-import', 'guarded-task']);
});

test.serial('until/retries: retries+1 runs, FAILED - RETRYING lines on stdout named by the task, attempts = retries when they run out', async (t) => {
  const r = await runCli([join(fixtures, 'until-retries.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[never succeeds counted\] \*+\nFAILED - RETRYING: \[h1\]: never succeeds counted \(2 retries left\)\.\nFAILED - RETRYING: \[h1\]: never succeeds counted \(1 retries left\)\.\nfatal: \[h1\]: FAILED! => \{"attempts": 2, /);
  t.notRegex(r.stderr, /RETRYING/, 'not a warning');
  t.is(readFileSync(fleet.path('h1', '/opt/sem/runs'), 'utf8'), 'run\n'.repeat(3));
  t.regex(r.stdout, /"msg": "attempts=2 failed=True"/);
  t.regex(r.stdout, /"msg": "attempts=1"/);
  t.like(parseRecap(r.stdout), { h1: { ok: 4, changed: 2, ignored: 1 } });
});
