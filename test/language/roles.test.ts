import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlaybook } from '../../src/playbook/load.js';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import type { CliRun } from '../helpers/cli.js';
import { fixtures, msgs, runJson, tasksOf, tree } from './helpers.js';

/**
 * fixtures/roles/site.yml on three hosts: h1, h2 in `edge` (group_vars: sip_workers 8), h2 with
 * host_vars sip_port 5080, h3 in `core` (role defaults), and `-e sip_listen=tcp` for all.
 * The expected traces were checked with ansible-playbook 2.14 on the same fixture.
 */
let fleet: Fleet;
let run: CliRun;
const rolesPath = join(fixtures, 'roles-path');
const read = (host: string, p: string) => readFileSync(fleet.path(host, p), 'utf8');

test.before(async () => {
  fleet = await startFleet({ size: 3, groups: { edge: ['h1', 'h2'], core: ['h3'] } });
  ({ run } = await runJson([join(fixtures, 'roles/site.yml'), '-i', fleet.inventoryPath, '-e', 'sip_listen=tcp'], { TSPLAY_ROLES_PATH: rolesPath }));
});
test.after.always(async () => {
  await fleet?.stop();
});

test.serial('role defaults < group_vars < host_vars < -e: the rendered command landed on each host', (t) => {
  t.is(run.code, 0, run.stderr);
  const addr = (h: string) => fleet.host(h).address;
  t.is(read('h1', '/opt/sipproxy/launch.cmd'), `kamailio -l tcp:${addr('h1')}:5060 -n 8\n`);
  t.is(read('h2', '/opt/sipproxy/launch.cmd'), `kamailio -l tcp:${addr('h2')}:5080 -n 8\n`);
  t.is(read('h3', '/opt/sipproxy/launch.cmd'), `kamailio -l tcp:${addr('h3')}:5060 -n 4\n`);
});

test.serial("the role's template (templates/) rendered with the same variables", (t) => {
  for (const [h, port, workers] of [['h1', 5060, 8], ['h2', 5080, 8], ['h3', 5060, 4]] as const) {
    t.is(read(h, '/opt/sipproxy/kamailio.cfg'), `listen=tcp:${fleet.host(h).address}:${port}\nchildren=${workers}\n`);
  }
});

test.serial('meta dependencies first and once, role params, roles_path, import/include_tasks in a role, import_role tasks_from', (t) => {
  const sipproxy = join(fixtures, 'roles/roles/sipproxy');
  for (const [h, port] of [['h1', 5060], ['h2', 5080], ['h3', 5060]] as const) {
    const trace = read(h, '/opt/sipproxy/trace').split('\n');
    t.deepEqual(trace.slice(0, 8), [
      'common', // dependency of sipproxy
      'base sip', // dependency with role params
      `extra ${sipproxy}`, // import_tasks found in the role's tasks/, role_path set
      'dynamic', // include_tasks in the role
      'metrics', // its dependency `common` already ran: not again
      'shared from roles_path', // TSPLAY_ROLES_PATH
      'base direct', // the same role with other params runs again
      `tasks_from import ${port}`, // import_role tasks_from, role defaults visible
    ], h);
  }
});

test.serial('include_role runs the role again even though the same role and tasks_from were imported before', (t) => {
  // Ansible runs "tasks_from include" (checked with 2.14). load.ts:109 dedups every role block by
  // path|params|tasksFrom (roleSeen), which is right for `roles:` and meta dependencies only;
  // import_role/include_role must always bring their tasks. Here import_role tasks_from=only ran
  // first, so include_role tasks_from=only.yml loads as an empty block, silently.
  for (const h of ['h1', 'h2', 'h3']) t.true(read(h, '/opt/sipproxy/trace').includes('tasks_from include'), h);
});

test.serial('a handler from a role runs once, at the end of the section, when notified', (t) => {
  for (const h of ['h1', 'h2', 'h3']) t.true(read(h, '/opt/sipproxy/handlers').startsWith('reload\n'), h);
  t.regex(run.stdout, /"name": "sipproxy : reload sipproxy"/);
});

test.serial('every handler listening to a topic runs (two handlers listen to "sipproxy changed")', (t) => {
  // handlers.ts:30-31 deletes the topic from the host's notifications once the first matching
  // handler has run, so "audit sipproxy" (listen: sipproxy changed too) never runs.
  for (const h of ['h1', 'h2', 'h3']) t.regex(read(h, '/opt/sipproxy/handlers'), /^reload\naudit\n/, h);
});

test.serial("include_role's `name` and include_tasks' `file` are options, not variables", async (t) => {
  // Ansible: name=app (the role default), file undefined. tsplay makes the include's own options
  // the include params (task.ts:274 block.include.params), so `name` is the role name and `file`
  // the file name, above every other level but extra vars.
  const dir = tree({
    'site.yml': '- hosts: all\n  gather_facts: no\n  tasks:\n    - include_role:\n        name: r\n    - include_tasks:\n        file: t.yml\n',
    'roles/r/defaults/main.yml': 'name: app\n',
    'roles/r/tasks/main.yml': '- name: in role\n  debug:\n    msg: "{{ name }}"\n',
    't.yml': '- name: in tasks\n  debug:\n    msg: "{{ default file \'undefined\' }}"\n',
  });
  const { doc } = await runJson([join(dir, 'site.yml'), '-i', fleet.inventoryPath, '-l', 'h1']);
  t.deepEqual(msgs(doc, 'r : in role'), { h1: 'app' });
  t.deepEqual(msgs(doc, 'in tasks'), { h1: 'undefined' });
});

test.serial('loop on include_tasks / include_role runs the included tasks once per item', async (t) => {
  // task.ts loadInclude accepts `loop` and `loop_control` on an include but keeps neither, and
  // walk.ts walkBlock has no loop: the tasks run once, without `item` ("undefined variable 'item'").
  const dir = tree({
    'site.yml': '- hosts: all\n  gather_facts: no\n  tasks:\n    - include_tasks: item.yml\n      loop: [a, b]\n',
    'item.yml': '- name: show item\n  shell: echo {{ item }} >> /opt/items\n',
  });
  const { run: r } = await runJson([join(dir, 'site.yml'), '-i', fleet.inventoryPath, '-l', 'h1']);
  t.is(r.code, 0);
  t.is(read('h1', '/opt/items'), 'a\nb\n');
});

test.serial('roles_path from ANSIBLE_ROLES_PATH, and TSPLAY_ROLES_PATH is searched first', (t) => {
  const other = tree({ 'shared/tasks/main.yml': '- name: the other shared\n  debug: msg=x\n' });
  const dir = tree({ 'site.yml': '- hosts: all\n  roles: [shared]\n' });
  const saved = { t: process.env.TSPLAY_ROLES_PATH, a: process.env.ANSIBLE_ROLES_PATH };
  try {
    delete process.env.TSPLAY_ROLES_PATH;
    process.env.ANSIBLE_ROLES_PATH = `/nonexistent:${rolesPath}`;
    t.deepEqual(tasksOf(loadPlaybook(join(dir, 'site.yml')).plays[0]!.tasks).map((x) => x.name), ['shared']);
    process.env.TSPLAY_ROLES_PATH = other;
    t.deepEqual(tasksOf(loadPlaybook(join(dir, 'site.yml')).plays[0]!.tasks).map((x) => x.name), ['the other shared']);
  } finally {
    if (saved.t === undefined) delete process.env.TSPLAY_ROLES_PATH;
    else process.env.TSPLAY_ROLES_PATH = saved.t;
    if (saved.a === undefined) delete process.env.ANSIBLE_ROLES_PATH;
    else process.env.ANSIBLE_ROLES_PATH = saved.a;
  }
});

test.serial('a role beside the playbook wins over roles_path', (t) => {
  const dir = tree({ 'site.yml': '- hosts: all\n  roles: [shared]\n', 'roles/shared/tasks/main.yml': '- name: local shared\n  debug: msg=x\n' });
  const saved = process.env.TSPLAY_ROLES_PATH;
  process.env.TSPLAY_ROLES_PATH = rolesPath;
  try {
    t.deepEqual(tasksOf(loadPlaybook(join(dir, 'site.yml')).plays[0]!.tasks).map((x) => x.name), ['local shared']);
  } finally {
    if (saved === undefined) delete process.env.TSPLAY_ROLES_PATH;
    else process.env.TSPLAY_ROLES_PATH = saved;
  }
});
