/**
 * Names Ansible renders when a task runs, not when the playbook loads: include_role/include_tasks
 * arguments that the load-time vars cannot decide (`{{ omit }}`, a default() over a host var), and a
 * templated module name (`action: "{{ module_name }}"`). On SSH test hosts; h2 has host vars that h1 lacks.
 */
import test from 'ava';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRecap, runCli } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';
import { taskLog } from '../journal/helpers.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/rt-names');
const fleet = freshFleet({ size: 2 }, { empty: ['/opt/roll'] });

test.serial("include_role's tasks_from '{{ omit }}' is the role's main.yml; a default() over a host var is each host's own", async (t) => {
  const r = await runCli([join(dir, 'omit.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(taskLog(fleet, 'h1'), 'full\nfull\nfull-file\n');
  t.is(taskLog(fleet, 'h2'), 'full\nquick\nquick-file\n', 'h2 has steps_from and steps_file');
  t.regex(r.stdout, /TASK \[steps : quick step\] \*+\nchanged: \[h2\]\n/);
  t.regex(r.stdout, /TASK \[file by host\] \*+\nincluded: \S+\/rt-names\/full\.yml for h1\nincluded: \S+\/rt-names\/quick\.yml for h2\n/);
  t.regex(r.stdout, /TASK \[an omitted module argument is not given\] \*+\nok: \[h[12]\] => \{\n\s+"msg": "shown"/);
  t.like(parseRecap(r.stdout), { h1: { ok: 5, changed: 3, failures: 0 }, h2: { ok: 5, changed: 3, failures: 0 } });
});

test.serial('a templated module name is rendered per host when the task runs; an unknown one or bad arguments fail that task only', async (t) => {
  const r = await runCli([join(dir, 'action.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(taskLog(fleet, 'h1'), 'ran-h1 command\nh1-fact\nafter\n');
  t.is(taskLog(fleet, 'h2'), 'ran-h2 shell\nh2-fact\nafter\n', "h2's step_module is shell");
  // warned when the playbook loads, once per templated module
  t.regex(r.stderr, /action\.yml:\d+:\d+: task 'never runs, never checked': the module '\{\{ entire_task \}\}' is a template: it is rendered when the task runs/);
  t.notRegex(r.stdout, /never runs, never checked/);
  t.regex(r.stdout, /fatal: \[h1\]: FAILED! => .*the module '\{\{ no_such \}\}' rendered to 'not_a_module', which is not a known module.*\n\.\.\.ignoring/);
  t.regex(r.stdout, /TASK \[bad arguments for the module it rendered to\] \*+\nfatal: \[h[12]\]: FAILED! => .*no_such_option.*\n\.\.\.ignoring/);
  t.like(parseRecap(r.stdout), { h1: { ok: 7, changed: 4, failures: 0, ignored: 2 }, h2: { ok: 7, changed: 4, failures: 0, ignored: 2 } });
});

test.serial('without ignore_errors, an unknown templated module fails the host when it runs (exit 2), the tasks before it done', async (t) => {
  const r = await runCli([join(dir, 'action-fails.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 2, r.stdout + r.stderr);
  t.is(taskLog(fleet, 'h1'), 'before\n');
  t.is(taskLog(fleet, 'h2'), 'before\n');
  t.regex(r.stdout, /TASK \[pick\] \*+\nfatal: \[h[12]\]: FAILED! => .*rendered to 'nope', which is not a known module/);
  t.notRegex(r.stdout, /TASK \[after\]/);
  t.like(parseRecap(r.stdout), { h1: { ok: 1, changed: 1, failures: 1 }, h2: { ok: 1, changed: 1, failures: 1 } });
});

test.serial("a delegated import_role/include_role: the role's handlers are delegated too, with ansible_delegated_vars, as Ansible", async (t) => {
  const r = await runCli([join(dir, 'delegated-handlers.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(taskLog(fleet, 'h1'), '', 'nothing ran on h1 itself');
  t.is(taskLog(fleet, 'h2'), 'task-h1-imported\nhandler-h1-imported h2\ntask-h1-included\nhandler-h1-included h2\n');
  t.regex(r.stdout, /RUNNING HANDLER \[notifier : record\] \*+\nchanged: \[h1 -> h2\]\n/);
  t.like(parseRecap(r.stdout), { h1: { ok: 4, changed: 4, failures: 0 } });
});

test.serial("a handler's include_tasks named with default() over an unknown variable loads with the play, as before", async (t) => {
  const r = await runCli([join(dir, 'handler-include.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  for (const h of ['h1', 'h2']) t.is(taskLog(fleet, h), 'change\nfull-file\n', h);
  t.regex(r.stdout, /RUNNING HANDLER \[full file\] \*+\nchanged: \[h[12]\]\nchanged: \[h[12]\]\n/);
});
