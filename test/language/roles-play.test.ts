import test from 'ava';
import { join } from 'node:path';
import { buildVars, type VarSources } from '../../src/executor/vars.js';
import { fromPlay } from '../../src/executor/inherit.js';
import { newHostState } from '../../src/executor/state.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import type { Play, RoleInstance } from '../../src/playbook/types.js';
import type { Vars } from '../../src/types.js';
import { loadError, msgs, runJson, tasksOf, tree } from './helpers.js';

/**
 * Roles and the play, as Ansible 2.14 has them (VariableManager.get_vars over play.get_roles(), the
 * role cache and allow_duplicates): what a role's defaults and vars show the rest of the play, when a
 * role listed again runs again, the role files an import/include (or a role's handler) names, and the
 * vars an import's name is rendered with. Load-level: the loaded play and buildVars, no host (one
 * controller-only run for include_role's run-time `public`).
 */

const role = (name: string, files: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(files).map(([p, text]) => [`roles/${name}/${p}`, text]));

/** The variables a task of `play` sees (host h1, no inventory), in `role` or in none. */
function playScope(play: Play, extra: Partial<VarSources> = {}, role?: RoleInstance): Vars {
  const src: VarSources = {
    play,
    extraVars: {},
    check: false,
    inventoryVars: () => ({}),
    state: () => newHostState('h1'),
    groups: () => ({ all: ['h1'] }),
    groupNames: () => [],
    allHosts: () => ['h1'],
    playHosts: () => ['h1'],
    batchHosts: () => ['h1'],
    ...extra,
  };
  return buildVars(src, 'h1', { ...fromPlay(play), role }, undefined);
}

const exposure = tree({
  'site.yml': `
- hosts: all
  vars:
    over_default: play
    over_var: play
  roles:
    - role: entry
      vars:
        entry_kw_var: from the entry
  tasks:
    - debug: msg=before
    - import_role:
        name: imported
    - include_role:
        name: private
- hosts: all
  tasks:
    - debug: msg=next
`,
  ...role('entry', {
    'defaults/main.yml': 'entry_default: entry\nover_default: entry default\n',
    'vars/main.yml': 'entry_var: entry\nover_var: entry var\n',
    'meta/main.yml': 'dependencies: [dep]\n',
    'tasks/main.yml': '- debug: msg=entry\n',
  }),
  ...role('dep', { 'defaults/main.yml': 'dep_default: dep\nentry_default: dep (entry wins)\n', 'tasks/main.yml': '- debug: msg=dep\n' }),
  ...role('imported', { 'defaults/main.yml': 'imported_default: imported\n', 'vars/main.yml': 'imported_var: imported\n', 'tasks/main.yml': '- debug: msg=imported\n' }),
  ...role('private', { 'defaults/main.yml': 'private_default: private\n', 'vars/main.yml': 'private_var: private\n', 'tasks/main.yml': '- debug: msg=private\n' }),
});

test("roles: entries and import_role show their defaults and vars (and their dependencies') to every task of the play; an include_role does not", (t) => {
  const [play, next] = loadPlaybook(join(exposure, 'site.yml')).plays;
  t.deepEqual(play!.roles.map((r) => r.name), ['entry', 'imported']);
  t.deepEqual(play!.roles[0]!.deps!.map((r) => r.name), ['dep']);
  const v = playScope(play!);
  t.like(v, {
    entry_default: 'entry',
    dep_default: 'dep',
    entry_var: 'entry',
    entry_kw_var: 'from the entry',
    imported_default: 'imported',
    imported_var: 'imported',
    // play vars over the roles' defaults, the roles' vars over play vars (Ansible's order)
    over_default: 'play',
    over_var: 'entry var',
  });
  t.false('private_default' in v);
  t.false('private_var' in v);
  // the next play has its own roles: nothing bleeds over
  t.deepEqual(next!.roles, []);
  t.false('imported_var' in playScope(next!));
});

test('a role a public include_role brought in shows its defaults and vars from then on (publicRoles), after play.roles', (t) => {
  const [play] = loadPlaybook(join(exposure, 'site.yml')).plays;
  const publicRoles = [{ name: 'p', path: '/roles/p', defaults: { p_default: 1, imported_default: 'p' }, vars: { p_var: 2 }, params: {} }];
  t.like(playScope(play!, { publicRoles }), { p_default: 1, p_var: 2, imported_default: 'p', entry_var: 'entry' });
});

test("a role's own tasks still see its defaults above the other roles' (the task's role comes after the play's)", (t) => {
  const dir = tree({
    'site.yml': '- hosts: all\n  roles: [a, b]\n',
    ...role('a', { 'defaults/main.yml': 'x: a\n', 'tasks/main.yml': '- debug: var=x\n' }),
    ...role('b', { 'defaults/main.yml': 'x: b\n', 'tasks/main.yml': '- debug: var=x\n' }),
  });
  const [play] = loadPlaybook(join(dir, 'site.yml')).plays;
  t.is(playScope(play!).x, 'b', 'a play task: the last role wins');
  t.is(playScope(play!, {}, play!.roles[0]).x, 'a', "role a's task: its own defaults");
});

const dup = (meta: string, extra = ''): string =>
  tree({
    'site.yml': `- hosts: all\n  roles: [dup, dup, dup]\n${extra}`,
    ...role('dup', { 'meta/main.yml': meta, 'tasks/main.yml': '- debug: msg=dup\n' }),
  });

test('a role listed again under roles: runs again only when its meta says allow_duplicates (strict boolean)', (t) => {
  const count = (dir: string) => tasksOf(loadPlaybook(join(dir, 'site.yml')).plays[0]!.tasks).length;
  t.is(count(dup('allow_duplicates: true\n')), 3);
  t.is(count(dup("allow_duplicates: 'yes'\n")), 3);
  t.is(count(dup('allow_duplicates: false\n')), 1);
  t.is(count(dup('galaxy_info: {}\n')), 1);
  t.regex(loadError(join(dup('allow_duplicates: sometimes\n'), 'site.yml')), /roles\/dup\/meta\/main\.yml:1:\d+: .*'allow_duplicates' must be a boolean/);
});

const imports = (value: string): string =>
  tree({
    'site.yml': `- hosts: all\n  vars:\n    again: false\n  tasks:\n${`    - import_role:\n        name: dup\n        allow_duplicates: ${value}\n`.repeat(2)}`,
    ...role('dup', { 'meta/main.yml': 'allow_duplicates: true\n', 'tasks/main.yml': '- debug: msg=dup\n' }),
  });

test("import_role's allow_duplicates is rendered when the playbook loads: a false template is false, never a true non-empty string", (t) => {
  const count = (dir: string) => tasksOf(loadPlaybook(join(dir, 'site.yml')).plays[0]!.tasks).length;
  t.is(count(imports('"{{ False | bool }}"')), 1);
  t.is(count(imports('"{{ again }}"')), 1, 'from play vars');
  t.is(count(imports('"{{ True | bool }}"')), 2);
  t.is(count(imports('true')), 2);
  t.regex(loadError(join(imports('"{{ \'perhaps\' }}"'), 'site.yml')), /site\.yml:5:\d+: .*'allow_duplicates' must be a boolean.*'perhaps'/);
});

test("import_role has no 'public'; *_from must name a file; vars_from/defaults_from load that file (a missing one is an error)", (t) => {
  const base = {
    ...role('r', { 'defaults/other.yml': 'd: other default\n', 'vars/other.yml': 'v: other var\n', 'tasks/main.yml': '- debug: msg=r\n' }),
  };
  const pb = (task: string) => join(tree({ 'site.yml': `- hosts: all\n  tasks:\n    - ${task}\n`, ...base }), 'site.yml');
  t.regex(loadError(pb('import_role: {name: r, public: true}')), /site\.yml:3:\d+: import_role: 'public' is not valid here/);
  t.regex(loadError(pb('include_role: {name: r, vars_from: [other.yml]}')), /include_role: 'vars_from' must be a file name \(a string\), got a list/);
  t.regex(loadError(pb('import_role: {name: r, vars_from: nope.yml}')), /role 'r' has no vars file 'nope\.yml' \(vars_from\)/);
  t.regex(loadError(pb('include_role: {name: r, public: maybe}')), /'public' must be a boolean/);
  const [play] = loadPlaybook(pb('import_role: {name: r, vars_from: other.yml, defaults_from: other}')).plays;
  t.like(playScope(play!), { d: 'other default', v: 'other var' });
});

test.serial("include_role's public (a template rendered when it runs): a public role's defaults and vars reach the tasks after it, a private one's do not", async (t) => {
  const dir = tree({
    'site.yml': `
- hosts: localhost
  gather_facts: false
  tasks:
    - include_role:
        name: shy
        public: "{{ False | bool }}"
    - debug:
        msg: "{{ shy_default | default('undefined') }}"
      name: shy after
    - name: open before
      debug:
        msg: "{{ open_var | default('undefined') }}"
    - include_role:
        name: open
        public: "{{ True | bool }}"
    - name: open after
      debug:
        msg: "{{ open_default }} {{ open_var }}"
`,
    ...role('shy', { 'defaults/main.yml': 'shy_default: shy\n', 'tasks/main.yml': '- debug: msg="{{ shy_default }}"\n' }),
    ...role('open', { 'defaults/main.yml': 'open_default: od\n', 'vars/main.yml': 'open_var: ov\n', 'tasks/main.yml': '- debug: msg=open\n' }),
    inv: 'localhost ansible_connection=local\n',
  });
  const { doc, run } = await runJson([join(dir, 'site.yml'), '-i', join(dir, 'inv')]);
  t.is(run.code, 0, run.stdout + run.stderr);
  t.deepEqual(msgs(doc, 'shy after'), { localhost: 'undefined' });
  t.deepEqual(msgs(doc, 'open before'), { localhost: 'undefined' });
  t.deepEqual(msgs(doc, 'open after'), { localhost: 'od ov' });
});

test("a role handler's `include_tasks: tasks/x.yml` is found in the role itself, as Ansible looks (role/tasks/, then the role)", (t) => {
  const dir = tree({
    'site.yml': '- hosts: all\n  roles: [r]\n',
    ...role('r', {
      'tasks/main.yml': '- command: "true"\n  notify: do_include\n',
      'tasks/handlers.yml': '- name: from tasks/handlers.yml\n  debug: msg=handler\n',
      'handlers/main.yml': '- name: do_include\n  include_tasks: tasks/handlers.yml\n',
    }),
  });
  const [play] = loadPlaybook(join(dir, 'site.yml')).plays;
  const task = play!.handlers.find((h) => h.name === 'from tasks/handlers.yml');
  t.is(task?.where.file, join(dir, 'roles/r/tasks/handlers.yml'));
});

test("an import's file name (import_tasks, import_role tasks_from) is rendered with its own vars and its blocks' too; an include_* that needs them is still decided per host", (t) => {
  const dir = tree({
    'site.yml': `
- hosts: all
  tasks:
    - import_tasks: "{{ task_var }}"
      vars:
        task_var: a.yml
        inner: b.yml
    - vars:
        block_var: b.yml
      block:
        - import_tasks: "{{ block_var }}"
    - import_role:
        name: r
        tasks_from: "{{ from_var }}"
      vars:
        from_var: other.yml
    - include_tasks: "{{ task_var }}"
      vars:
        task_var: a.yml
`,
    'a.yml': '- import_tasks: "{{ inner }}"\n',
    'b.yml': '- name: in b\n  debug: msg=b\n',
    ...role('r', { 'tasks/other.yml': '- name: in other\n  debug: msg=other\n' }),
  });
  const [play] = loadPlaybook(join(dir, 'site.yml')).plays;
  const [imported, block, roleImport, include] = play!.tasks;
  t.deepEqual(tasksOf([imported!]).map((x) => x.where.file), [join(dir, 'b.yml')], "a.yml's own import_tasks sees the outer import's vars");
  t.deepEqual(tasksOf([block!]).map((x) => x.name), ['in b']);
  t.deepEqual(tasksOf([roleImport!]).map((x) => x.name), ['in other']);
  t.truthy(include!.kind === 'block' && include!.include?.deferred, 'include_tasks: decided when the host reaches it');
});
