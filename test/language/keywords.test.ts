import test from 'ava';
import { join } from 'node:path';
import { PLAY_KEYWORDS, TASK_KEYWORDS } from '../../src/playbook/keywords.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import type { Play } from '../../src/playbook/types.js';
import { runCli } from '../helpers/cli.js';
import { blocksOf, fixtures, loadError, tasksOf, tree } from './helpers.js';

const site = join(fixtures, 'keywords/site.yml');

/** The issue's keyword lists: each must be accepted. */
const ISSUE_PLAY_KEYWORDS = ['name', 'hosts', 'gather_facts', 'vars', 'vars_files', 'pre_tasks', 'roles', 'tasks', 'post_tasks', 'handlers', 'serial', 'max_fail_percentage', 'any_errors_fatal', 'order', 'strategy', 'become', 'become_user', 'environment', 'tags', 'force_handlers'];
const ISSUE_TASK_KEYWORDS = ['name', 'args', 'when', 'register', 'loop', 'loop_control', 'with_items', 'notify', 'listen', 'changed_when', 'failed_when', 'ignore_errors', 'until', 'retries', 'delay', 'delegate_to', 'run_once', 'become', 'become_user', 'tags', 'check_mode', 'diff', 'timeout', 'no_log', 'environment', 'vars'];

test('the keyword tables hold every keyword of the issue', (t) => {
  for (const k of ISSUE_PLAY_KEYWORDS) t.true(PLAY_KEYWORDS.has(k), `play keyword ${k}`);
  for (const k of ISSUE_TASK_KEYWORDS) t.true(TASK_KEYWORDS.has(k), `task keyword ${k}`);
});

test('the fixture really uses every keyword of the issue (so the load test below covers them)', async (t) => {
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(site, 'utf8');
  for (const k of [...ISSUE_PLAY_KEYWORDS, ...ISSUE_TASK_KEYWORDS, 'block', 'rescue', 'always', 'import_playbook', 'import_tasks', 'include_tasks', 'import_role', 'include_role', 'tasks_from']) {
    t.regex(text, new RegExp(`^\\s*-?\\s*${k}:`, 'm'), `fixture uses ${k}`);
  }
});

/** The second play (the first comes from import_playbook). */
const mainPlay = (): Play => loadPlaybook(site).plays[1]!;

test('a play with every play keyword loads, values carried into the Play', (t) => {
  const pb = loadPlaybook(site);
  t.deepEqual(pb.warnings, []);
  t.is(pb.plays.length, 2, 'import_playbook brings its play first');
  t.is(pb.plays[0]!.name, 'Imported play');
  t.is(pb.plays[0]!.gatherFacts, false);
  const play = pb.plays[1]!;
  t.like(play, {
    name: 'All play keywords',
    hosts: 'all',
    gatherFacts: false,
    serial: 2,
    maxFailPercentage: 25,
    anyErrorsFatal: false,
    order: 'sorted',
    strategy: 'linear',
    become: false,
    becomeUser: 'root',
    environment: { TZ: 'UTC' },
    forceHandlers: true,
  });
  t.deepEqual(play.tags, ['site']);
  t.deepEqual(play.vars, { port: 5060, enabled: true });
  t.deepEqual(play.varsFiles, { from_vars_file: true });
  t.deepEqual(tasksOf(play.preTasks).map((x) => x.name), ['pre']);
  t.deepEqual(tasksOf(play.postTasks).map((x) => x.name), ['post']);
  // Role handlers follow the play's (the web role is also included once more: see roles.test.ts).
  t.deepEqual([...new Set(play.handlers.map((h) => h.name))], ['restart web', 'listener', 'reload web']);
  t.deepEqual(play.handlers[1]!.listen, ['web changed']);
  t.true(play.handlers.every((h) => h.handler === true));
});

test('roles, imports and includes expand in order, with their sources', (t) => {
  const play = mainPlay();
  const names = tasksOf(play.tasks).map((x) => x.name);
  t.deepEqual(names, ['web main', 'base main', 'every task keyword', 'loop with loop_control', 'with_items', 'in block', 'in rescue', 'in always', 'more task', 'more task', 'base main', 'web extra']);
  const tasks = tasksOf(play.tasks);
  t.is(tasks[0]!.role?.name, 'web');
  t.true(tasks[0]!.where.file.endsWith('roles/web/tasks/main.yml'));
  t.is(tasks[0]!.where.line, 1);
  t.deepEqual(tasks[1]!.role?.params, { base_param: 7 });
  const includes = blocksOf(play.tasks).filter((b) => b.include).map((b) => b.include!.module);
  t.deepEqual(includes, ['include_tasks', 'include_role'], 'imports are static, includes dynamic');
});

test('every task keyword is accepted and normalised', (t) => {
  const task = tasksOf(mainPlay().tasks).find((x) => x.name === 'every task keyword')!;
  t.like(task, {
    module: 'command',
    register: 'out',
    retries: 3,
    delay: 1,
    ignoreErrors: true,
    delegateTo: 'localhost',
    runOnce: true,
    become: true,
    becomeUser: 'postgres',
    checkMode: false,
    diff: false,
    timeout: 30,
    noLog: true,
    environment: { LANG: 'C' },
    vars: { extra: 1 },
  });
  t.like(task.args as object, { _raw_params: '/bin/echo {{ port }}', chdir: '/tmp' });
  t.deepEqual(task.when, ['enabled']);
  t.deepEqual(task.notify, ['restart web']);
  t.deepEqual(task.changedWhen, ['out.rc != 0']);
  t.deepEqual(task.failedWhen, ['out.rc > 1', "'boom' in out.stdout"]);
  t.deepEqual(task.until, ['out is succeeded']);
  t.deepEqual(task.tags, ['deploy', 'web']);
  t.is(task.where.line, 20);
  t.is(task.where.column, 7);
});

test('loop, loop_control, with_items and block keywords', (t) => {
  const play = mainPlay();
  const tasks = tasksOf(play.tasks);
  const looped = tasks.find((x) => x.name === 'loop with loop_control')!;
  t.deepEqual(looped.loop, ['a', 'b']);
  t.like(looped.loopControl, { loopVar: 'pkg', label: '{{ pkg }}', indexVar: 'idx' });
  t.deepEqual(tasks.find((x) => x.name === 'with_items')!.loop, { flatten: [['x', 'y'], 'z'] });
  const block = blocksOf(play.tasks).find((b) => b.name === 'a block')!;
  t.deepEqual(block.when, ['port == 5060']);
  t.deepEqual(block.vars, { block_var: 'b' });
  t.deepEqual(block.rescue.map((i) => i.name), ['in rescue']);
  t.deepEqual(block.always.map((i) => i.name), ['in always']);
});

test('tsplay --syntax-check accepts it: exit 0, playbook named', async (t) => {
  const r = await runCli([site, '-i', 'localhost,', '--syntax-check']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /playbook: .*keywords\/site\.yml/);
  t.is(r.stderr, '');
});

test('fully-qualified names (ansible.builtin.*) are accepted for modules and includes', (t) => {
  const dir = tree({
    'site.yml': '- hosts: all\n  tasks:\n    - ansible.builtin.debug: msg=hi\n    - ansible.builtin.import_tasks: t.yml\n',
    't.yml': '- ansible.legacy.command: /bin/true\n',
  });
  const play = loadPlaybook(join(dir, 'site.yml')).plays[0]!;
  t.deepEqual(tasksOf(play.tasks).map((x) => x.module), ['debug', 'command']);
});

test('legacy `action:` form', (t) => {
  const dir = tree({ 'site.yml': '- hosts: all\n  tasks:\n    - action: command /bin/echo hi\n' });
  const task = tasksOf(loadPlaybook(join(dir, 'site.yml')).plays[0]!.tasks)[0]!;
  t.is(task.module, 'command');
  t.like(task.args as object, { _raw_params: '/bin/echo hi' });
});

test('a keyword given as null is not set, as Ansible reads it (debugger: ~, become: ~): the block\'s value is inherited', (t) => {
  const dir = tree({ 'site.yml': '- hosts: all\n  tasks:\n    - block:\n        - debug: msg=hi\n          become: ~\n          debugger: ~\n          ignore_errors: ~\n      become: true\n' });
  const play = loadPlaybook(join(dir, 'site.yml')).plays[0]!;
  const task = tasksOf(play.tasks)[0]!;
  t.false('become' in task, 'not set on the task: the block around it decides');
  t.false('ignoreErrors' in task);
  t.is(blocksOf(play.tasks)[0]!.become, true);
});

test('include keywords: register and listen (on a handler) on include_* as Ansible\'s TaskInclude; not on static imports', (t) => {
  const load = (tasks: string, handlers = '') => loadPlaybook(join(tree({ 'site.yml': `- hosts: all\n  tasks:\n${tasks}${handlers ? `  handlers:\n${handlers}` : ''}`, 't.yml': '- debug: msg=hi\n' }), 'site.yml')).plays[0]!;
  const inc = blocksOf(load('    - include_tasks: t.yml\n      register: r\n').tasks)[0]!;
  t.is(inc.include!.register, 'r');
  const handler = load('    - debug: msg=x\n', '    - include_tasks: t.yml\n      listen: [topic]\n').handlers.find((h) => h.includeResult);
  t.true(handler?.listen.includes('topic'));
  t.is(blocksOf(load('    - action: include_tasks t.yml\n').tasks)[0]!.include!.target, 't.yml');
  t.regex(loadError(join(tree({ 'site.yml': '- hosts: all\n  tasks:\n    - import_tasks: t.yml\n      register: r\n', 't.yml': '- debug: msg=hi\n' }), 'site.yml')), /site\.yml:4:7: .*'register' is not valid on import_tasks/);
  t.regex(loadError(join(tree({ 'site.yml': '- hosts: all\n  tasks:\n    - include_tasks: t.yml\n      listen: topic\n', 't.yml': '- debug: msg=hi\n' }), 'site.yml')), /site\.yml:4:7: .*'listen' is not valid on include_tasks/);
  t.regex(loadError(join(tree({ 'site.yml': '- hosts: all\n  tasks:\n    - include_tasks: t.yml\n      register: 1x\n', 't.yml': '- debug: msg=hi\n' }), 'site.yml')), /site\.yml:4:7: .*'register' must be a variable name/);
});

test('include_role/import_role: a *_from given as a list is a load error naming the key\'s line (Ansible: an error too)', (t) => {
  for (const action of ['include_role', 'import_role']) {
    const dir = tree({ 'site.yml': `- hosts: all\n  tasks:\n    - ${action}:\n        name: r\n        vars_from:\n          - v.yml\n`, 'roles/r/tasks/main.yml': '- debug: msg=hi\n' });
    t.regex(loadError(join(dir, 'site.yml')), new RegExp(`site\\.yml:5:9: .*${action}: 'vars_from' must be a file name \\(a string\\), got a list`));
  }
});
