import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshFleet } from '../helpers/fleet.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import { fixtures, loadError, msgs, resultsOf, runJson, tasksOf, tree } from './helpers.js';

/**
 * Spellings real (older) playbooks use: templated include/role/vars_files names and strategy
 * (rendered when the playbook loads, from play vars, vars_files, role defaults/vars and extra
 * vars, as Ansible renders them for imports), `vars:` as a list of dicts, `user:`, `local_action`,
 * `action:` with `module:`; the magic ansible_run_tags/ansible_skip_tags/ansible_play_hosts_all and
 * the result tests in `when:`.
 */
const site = join(fixtures, 'legacy/site.yml');

test('templated names, vars lists, user and local_action load as Ansible reads them', (t) => {
  const pb = loadPlaybook(site, { extraVars: { flavour: 'blue', run_strategy: 'free' } });
  const play = pb.plays[0]!;
  t.is(play.strategy, 'free', 'strategy rendered from an extra var');
  t.is(play.remoteUser, 'deploy', "'user' is remote_user");
  t.true(pb.warnings.some((w) => /site\.yml:4:\d+: the play keyword 'user' is deprecated: write 'remote_user'/.test(w)), pb.warnings.join('\n'));
  t.deepEqual(play.vars, { os_family: 'Debian', stage: 'prod', app_role: 'app' });
  t.deepEqual(play.varsFiles, { prod_var: 1, common_var: 2 }, 'vars_files names rendered; the first existing candidate of a list');
  const names = tasksOf(play.tasks).map((x) => x.name);
  t.deepEqual(names.slice(0, 4), ['app setup', 'debian tasks', 'blue tasks', 'local_action string']);
  const byName = (n: string) => tasksOf(play.tasks).find((x) => x.name === n)!;
  t.like(byName('local_action string'), { module: 'command', delegateTo: 'localhost', args: { _raw_params: 'echo {{ inventory_hostname }}' } });
  t.like(byName('local_action dict'), { module: 'copy', delegateTo: 'localhost', args: { content: 'x', dest: '/tmp/x' } });
  t.like(byName('action dict'), { module: 'debug', args: { msg: 'hi' } });
  t.is(byName('action dict').delegateTo, undefined);
  t.deepEqual(byName('vars list on a task').vars, { a: 1, b: 2 });
  t.is(loadPlaybook(site, { extraVars: { flavour: 'blue' } }).plays[0]!.strategy, 'linear', 'the default() of the template');
});

test('a templated name that needs a host variable: an include is decided per host at run time, an import or roles: entry is a load error', (t) => {
  // without the extra var the include's name cannot render now: it is kept for run time (run-time-include.test.ts runs it)
  const include = loadPlaybook(site, { extraVars: { run_strategy: 'free' } }).plays[0]!.tasks.find((x) => x.name === 'templated include from extra vars');
  t.like(include, { kind: 'block', block: [], include: { module: 'include_tasks', deferred: { names: { file: 'tasks/{{ flavour }}.yml' } } } });
  const dir = tree({
    'a.yml': '- hosts: all\n  strategy: "{{ s }}"\n  vars: {s: fast}\n  tasks: []\n',
    'b.yml': '- hosts: all\n  user: a\n  remote_user: b\n  tasks: []\n',
    'c.yml': '- hosts: all\n  vars: [{a: 1}, 2]\n  tasks: []\n',
    'd.yml': '- hosts: all\n  tasks:\n    - local_action: nosuchmodule x=1\n',
    'e.yml': '- hosts: all\n  tasks:\n    - local_action: command id\n      delegate_to: h1\n',
    'f.yml': '- hosts: all\n  roles:\n    - "{{ ansible_distribution }}"\n',
    'g.yml': '- hosts: all\n  tasks:\n    - import_tasks: "{{ ansible_os_family }}.yml"\n',
  });
  t.regex(loadError(join(dir, 'g.yml')), /g\.yml:3:\d+: import_tasks: file name '\{\{ ansible_os_family \}\}\.yml': undefined variable 'ansible_os_family' when the playbook loads \(tsplay renders it then, from play vars, vars_files, role vars and defaults and extra vars; not from host vars or facts\)/);
  t.regex(loadError(join(dir, 'a.yml')), /a\.yml:2:\d+: 'strategy' must be linear or free, got 'fast' from '\{\{ s \}\}'/);
  t.regex(loadError(join(dir, 'b.yml')), /b\.yml:2:\d+: both 'user' and 'remote_user' are set/);
  t.regex(loadError(join(dir, 'c.yml')), /c\.yml:2:\d+: play 'all': 'vars' must be a dictionary or a list of dictionaries/);
  t.regex(loadError(join(dir, 'd.yml')), /d\.yml:3:\d+: task: local_action: 'nosuchmodule' is not a known module/);
  t.regex(loadError(join(dir, 'e.yml')), /e\.yml:4:\d+: task: 'local_action' and 'delegate_to' cannot be used together/);
  t.regex(loadError(join(dir, 'f.yml')), /f\.yml:3:\d+: role name '\{\{ ansible_distribution \}\}': undefined variable 'ansible_distribution' when the playbook loads/);
});

const fleet = freshFleet({ size: 2 });

test('ansible_run_tags/skip_tags/play_hosts_all, result tests in when:, local_action on the controller (test hosts)', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'tsplay-local-action-'));
  const { doc, run } = await runJson([join(fixtures, 'magic-tags/site.yml'), '-i', fleet.inventoryPath, '--tags', 'deploy,config', '--skip-tags', 'slow', '-e', `out_dir=${out}`]);
  t.is(run.code, 2, 'h2 failed on purpose');
  t.deepEqual(msgs(doc, 'run tags'), { h1: "['deploy', 'config']|['slow']" });
  t.deepEqual(msgs(doc, 'play hosts'), { h1: "['h1']|['h1', 'h2']" }, 'h2 left the play; ansible_play_hosts_all still names it');
  t.is(msgs(doc, 'result tests').h1, 'True True False True True');
  t.is(resultsOf(doc, 'result tests').h1!.skipped, undefined, 'the when: with every result test held');
  t.is(readFileSync(join(out, 'h1'), 'utf8'), 'h1', 'local_action wrote on the controller');
  const plain = await runJson([join(fixtures, 'magic-tags/site.yml'), '-i', fleet.inventoryPath, '-e', `out_dir=${out}`]);
  t.deepEqual(msgs(plain.doc, 'run tags').h1, "['all']|[]", 'no --tags: run tags are [all]');
});
