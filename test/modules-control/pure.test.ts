import test from 'ava';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findModule } from '../../src/modules/registry.js';
import type { ModuleContext, ModuleDef, Plan } from '../../src/modules/types.js';
import { findLocalFile } from '../../src/executor/run-module.js';
import { applyResultKeys, type RunChanges } from '../../src/executor/result-keys.js';
import { newHostState } from '../../src/executor/state.js';
import { loadInventory } from '../../src/inventory/inventory.js';
import { JSON_ESCAPE, jobScript, launchCommand, runAsyncJob } from '../../src/executor/async-job.js';
import { mkdirSync, symlinkSync } from 'node:fs';
import { readStatus } from '../../src/modules/control/async-files.js';
import type { ExecOptions } from '../../src/connection/types.js';
import { LocalConnection } from '../../src/connection/local.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, 'fixtures');
const where = { file: join(fixtures, 'site.yml'), line: 7 };
const mod = (name: string): ModuleDef => findModule(name)!;

function ctx(probe: (cmd: string) => { rc?: number; stdout?: string; stderr?: string } = () => ({}), vars: Record<string, unknown> = {}): ModuleContext {
  return {
    host: 'h1',
    vars,
    check: false,
    diff: false,
    where,
    signal: new AbortController().signal,
    probe: async (cmd) => ({ rc: 0, stdout: '', stderr: '', ...probe(cmd) }),
    findLocalFile: (kind, name) => findLocalFile([fixtures], kind, name, where),
    render: (t) => t,
  };
}
const plan = async (name: string, raw: unknown, c = ctx()): Promise<Plan> => mod(name).plan(mod(name).parse(raw, where, false), c);

test('every control module resolves, also by its ansible.builtin name', (t) => {
  for (const n of ['include_vars', 'group_by', 'add_host', 'ping', 'set_stats', 'async_status']) {
    t.truthy(findModule(n), n);
    t.is(findModule(`ansible.builtin.${n}`), findModule(n));
  }
});

test('ping: pong by default, data echoed, data=crash fails, a failing shell fails', async (t) => {
  t.deepEqual((await plan('ping', {})).result, { ping: 'pong' });
  t.deepEqual((await plan('ping', { data: 'hi' })).result, { ping: 'hi' });
  const crash = await plan('ping', { data: 'crash' });
  t.true(crash.failed);
  t.regex(crash.msg!, /MODULE FAILURE/);
  const broken = await plan('ping', {}, ctx(() => ({ rc: 1, stderr: 'sudo: a password is required' })));
  t.true(broken.failed);
  t.is(broken.msg, 'sudo: a password is required');
  t.throws(() => mod('ping').parse({ dat: 1 }, where, false), { message: /unsupported argument 'dat'/ });
});

test('group_by: key with spaces → dashes, parents default to all, a string parent becomes a list', async (t) => {
  t.deepEqual((await plan('group_by', { key: 'os Debian 12' })).result, { add_group: 'os-Debian-12', parent_groups: ['all'] });
  t.deepEqual((await plan('group_by', { key: 'kamailio', parents: 'sip proxies' })).result, { add_group: 'kamailio', parent_groups: ['sip-proxies'] });
  t.throws(() => mod('group_by').parse({ parents: ['x'] }, where, false), { message: /the 'key' param is required when using group_by/ });
  t.throws(() => mod('group_by').parse({ key: 'a', other: 1 }, where, false), { message: /unsupported argument 'other'/ });
});

test('add_host: name:port, groups as a comma list, other arguments become host variables', async (t) => {
  const r = (await plan('add_host', { name: 'sbc1.example.net:2200', groups: 'sbc, new ,sbc', ansible_user: 'ops', host: 'x' })).result!;
  t.deepEqual(r.add_host, { host_name: 'sbc1.example.net', groups: ['sbc', 'new'], host_vars: { ansible_user: 'ops', host: 'x', ansible_ssh_port: 2200 } });
  const h = (await plan('add_host', { hostname: 'h9', group: ['a'] })).result!;
  t.deepEqual(h.add_host, { host_name: 'h9', groups: ['a'], host_vars: { group: ['a'] } });
  t.throws(() => mod('add_host').parse({ groups: 'a' }, where, false), { message: /name, host or hostname needs to be provided/ });
  t.throws(() => mod('add_host').parse({ name: 'a', groups: { x: 1 } }, where, false), { message: /Groups must be specified as a list/ });
});

test('set_stats: data, per_host (default false), aggregate (default true); names must be identifiers', async (t) => {
  t.deepEqual((await plan('set_stats', { data: { calls: 3 } })).result, { ansible_stats: { data: { calls: 3 }, per_host: false, aggregate: true } });
  t.deepEqual((await plan('set_stats', { data: { a: 1 }, per_host: 'yes', aggregate: false })).result, { ansible_stats: { data: { a: 1 }, per_host: true, aggregate: false } });
  t.throws(() => mod('set_stats').parse({ data: 'x' }, where, false), { message: /needs to be a dictionary/ });
  t.throws(() => mod('set_stats').parse({ data: { 'bad-name': 1 } }, where, false), { message: /The variable name 'bad-name' is not valid/ });
  t.notThrows(() => mod('set_stats').parse({ data: '{{ stats }}' }, where, true));
});

test('include_vars: a file (free-form or file=), found under vars/; name nests the variables', async (t) => {
  const free = await plan('include_vars', { _raw_params: 'main.yml' });
  t.deepEqual(free.result!.ansible_facts, { site: 'alpha', nested: { a: 1, b: 2 } });
  t.deepEqual(free.result!.ansible_included_var_files, [join(fixtures, 'vars/main.yml')]);
  const named = await plan('include_vars', { _raw_params: 'vars/main.yml name=site_cfg' });
  t.deepEqual(named.result!.ansible_facts, { site_cfg: { site: 'alpha', nested: { a: 1, b: 2 } } });
  const missing = await plan('include_vars', { file: 'nope.yml' });
  t.true(missing.failed);
  t.regex(missing.msg!, /could not find 'nope.yml'/);
  const list = await plan('include_vars', { file: 'list.yml' });
  t.true(list.failed);
  t.regex(String(list.result!.message), /list\.yml must be stored as a dictionary\/hash/);
  t.throws(() => mod('include_vars').parse({ file: 'a.yml', depth: 1 }, where, false), { message: /mixing file only and dir only arguments/ });
  t.throws(() => mod('include_vars').parse({ file: 'a.yml', bogus: 1 }, where, false), { message: /unsupported argument 'bogus'/ });
});

test('include_vars: hash_behaviour=merge merges into the value the variable had', async (t) => {
  const p = await plan('include_vars', { file: 'main.yml', hash_behaviour: 'merge' }, ctx(() => ({}), { nested: { z: 9 } }));
  t.deepEqual(p.result!.ansible_facts, { site: 'alpha', nested: { z: 9, a: 1, b: 2 } });
});

test('include_vars dir: sorted walk, depth, files_matching, ignore_files, extensions', async (t) => {
  const all = await plan('include_vars', { dir: 'vars/more', ignore_unknown_extensions: true });
  t.deepEqual(all.result!.ansible_facts, { b_var: '{{ site }}-b', c_var: 3, ignored: true, d_var: 4 });
  const top = await plan('include_vars', { dir: 'vars/more', depth: 1, ignore_files: ['skip.yml', 'notes.txt'] });
  t.deepEqual(top.result!.ansible_facts, { b_var: '{{ site }}-b', c_var: 3 });
  const matching = await plan('include_vars', { dir: 'vars/more', files_matching: '^[bd]', name: 'm' });
  t.deepEqual(matching.result!.ansible_facts, { m: { b_var: '{{ site }}-b', d_var: 4 } });
  const onlyJson = await plan('include_vars', { dir: 'vars/more', extensions: ['json'], ignore_unknown_extensions: true });
  t.deepEqual(onlyJson.result!.ansible_facts, { c_var: 3 });
  const unknown = await plan('include_vars', { dir: 'vars/more' });
  t.true(unknown.failed);
  t.regex(unknown.msg!, /notes\.txt does not have a valid extension: yaml, yml, json/);
  const none = await plan('include_vars', { dir: 'absent' });
  t.regex(none.msg!, /absent directory does not exist/);
});

test('async_status: running, finished (no started key), missing job, unparseable, cleanup', async (t) => {
  const status = (stdout: string, rc = 0) => plan('async_status', { jid: 'j1.2' }, ctx(() => ({ rc, stdout: `/home/ops/.ansible_async\n${stdout}` })));
  const running = await status('{"started": 1, "finished": 0, "ansible_job_id": "j1.2"}');
  t.deepEqual(running.result, { started: 1, finished: 0, ansible_job_id: 'j1.2' });
  const done = await status('{"rc": 0, "stdout": "hi", "changed": true}');
  t.true(done.changed);
  t.deepEqual(done.result, { rc: 0, stdout: 'hi', finished: 1, ansible_job_id: 'j1.2' });
  const empty = await status('');
  t.deepEqual(empty.result, { results_file: '/home/ops/.ansible_async/j1.2', ansible_job_id: 'j1.2', started: 1, finished: 0 });
  const gone = await status('', 3);
  t.true(gone.failed);
  t.is(gone.msg, 'could not find job');
  t.true((await status('{oops')).failed);
  const seen: string[] = [];
  const cleanup = await plan('async_status', { jid: 'j1.2', mode: 'cleanup' }, ctx((c) => (seen.push(c), { stdout: '/home/ops/.ansible_async\n{}' })));
  t.false(cleanup.changed);
  t.deepEqual(cleanup.result, { ansible_job_id: 'j1.2', erased: '/home/ops/.ansible_async/j1.2' });
  t.regex(cleanup.steps[0]!.cmd, /^rm -rf "\$HOME"\/\.ansible_async\/j1\.2 /);
  t.throws(() => mod('async_status').parse({ jid: 'x', mode: 'kill' }, where, false), { message: /must be one of "status", "cleanup"/ });
  t.deepEqual(readStatus('j', '{"started": 1}'), { started: 1, finished: 0 });
});

async function inventory() {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-ctl-'));
  const file = join(dir, 'hosts.ini');
  writeFileSync(file, 'h1\nh2\n[sip]\nh3\n');
  return loadInventory([file]);
}

test('result keys: add_host and group_by change the inventory (changed only when it did); include_vars and set_stats apply', async (t) => {
  const inv = await inventory();
  const changes: RunChanges = {
    addHost: (n, g, v) => inv.addDynamicHost(n, g, v),
    addGroup: (h, g, p) => inv.addDynamicGroup(h, g, p),
    refreshInventory: async () => {},
    customStats: new Map(),
  };
  const st = newHostState('h1');
  const r1: Record<string, unknown> & { changed: boolean; failed: boolean } = { changed: false, failed: false, add_host: { host_name: 'sbc1', groups: ['sbc', 'sip'], host_vars: { ansible_host: '192.0.2.9' } } };
  applyResultKeys(changes, st, mod('add_host'), r1);
  t.true(r1.changed);
  t.deepEqual(inv.select('sbc'), ['sbc1']);
  t.deepEqual(inv.select('sip'), ['h3', 'sbc1']);
  t.is(inv.hostVars('sbc1').ansible_host, '192.0.2.9');
  t.deepEqual(inv.groupNames('sbc1'), ['sbc', 'sip']);
  const again = { changed: false, failed: false, add_host: { host_name: 'sbc1', groups: ['sbc'], host_vars: { ansible_host: '192.0.2.9' } } };
  applyResultKeys(changes, st, mod('add_host'), again);
  t.false(again.changed);
  const g = { changed: false, failed: false, add_group: 'debian', parent_groups: ['linux'] };
  applyResultKeys(changes, st, mod('group_by'), g);
  t.true(g.changed);
  t.deepEqual(inv.select('linux'), ['h1']);
  t.deepEqual(inv.groupNames('h1'), ['debian', 'linux']);
  t.deepEqual(inv.select('ungrouped'), ['h2']);
  const g2 = { changed: false, failed: false, add_group: 'debian', parent_groups: ['linux'] };
  applyResultKeys(changes, st, mod('group_by'), g2);
  t.false(g2.changed);
  applyResultKeys(changes, st, mod('include_vars'), { changed: false, failed: false, ansible_facts: { site: 'a' } });
  t.deepEqual(st.includeVars, { site: 'a' });
  t.deepEqual(st.hostFacts, {});
  applyResultKeys(changes, st, mod('set_stats'), { changed: false, failed: false, ansible_stats: { data: { n: 1, l: [1], d: { a: 1 } }, per_host: false, aggregate: true } });
  applyResultKeys(changes, st, mod('set_stats'), { changed: false, failed: false, ansible_stats: { data: { n: 2, l: [2], d: { b: 2 } }, per_host: false, aggregate: true } });
  applyResultKeys(changes, st, mod('set_stats'), { changed: false, failed: false, ansible_stats: { data: { n: 'x' }, per_host: true, aggregate: false } });
  t.deepEqual(changes.customStats.get('_run'), { n: 3, l: [1, 2], d: { a: 1, b: 2 } });
  t.deepEqual(changes.customStats.get('h1'), { n: 'x' });
  // a failed result changes nothing
  applyResultKeys(changes, st, mod('group_by'), { changed: false, failed: true, add_group: 'never', parent_groups: ['all'] });
  t.deepEqual(inv.select('never', []), []);
});

/** The job script and launcher, run by a real local shell: a real detached job and its status file. */
test('async job: launched detached, polled, its result and status file as Ansible writes them; poll 0 returns the jid', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'tsplay-async-'));
  const conn = new LocalConnection();
  const exec = (cmd: string, opts?: ExecOptions) => conn.exec(cmd, { ...opts, env: { HOME: home } });
  const p: Plan = {
    steps: [{ cmd: 'printf "a\\tb\\n\\"q\\"\\n"; echo oops >&2' }, { cmd: 'cat', stdin: 'from stdin\n' }],
    changed: true,
    result: { cmd: 'x' },
    // the module's own finish sees each step's exact output
    finish: (results, base) => ({ ...base, outs: results.map((r) => [r.rc, r.stdout, r.stderr]) }),
  };
  const done = await runAsyncJob(p, { seconds: 20, poll: 1 }, exec);
  t.false(done.failed);
  t.true(done.changed);
  t.is(done.finished, 1);
  t.deepEqual(done.outs, [[0, 'a\tb\n"q"\n', 'oops\n'], [0, 'from stdin\n', '']]);
  t.is(done.cmd, 'x');
  t.regex(String(done.ansible_job_id), /^j\d+\.\d+$/);
  t.false(existsSync(join(home, '.ansible_async', String(done.ansible_job_id))), 'cleaned up after a poll');
  const bg = await runAsyncJob({ steps: [{ cmd: 'sleep 1; printf "x\\ty"; false' }] }, { seconds: 20, poll: 0 }, exec);
  t.deepEqual({ ...bg, ansible_job_id: 'J', results_file: 'R' }, { started: 1, finished: 0, ansible_job_id: 'J', results_file: 'R', changed: true, failed: false });
  t.is(bg.results_file, join(home, '.ansible_async', String(bg.ansible_job_id)));
  let status: Record<string, unknown> | undefined;
  for (let i = 0; i < 100 && Number(status?.finished) !== 1; i++) {
    await new Promise((r) => setTimeout(r, 200));
    status = readStatus(String(bg.ansible_job_id), readFileSync(String(bg.results_file), 'utf8'));
  }
  t.like(status, { started: 1, finished: 1, failed: true, rc: 1, stdout: 'x\ty', msg: 'non-zero return code', ansible_job_id: bg.ansible_job_id });
  // the job's script (which may carry file contents given on stdin) does not stay behind
  const script = `${String(bg.results_file)}.sh`;
  for (let i = 0; i < 50 && existsSync(script); i++) await new Promise((r) => setTimeout(r, 100));
  t.false(existsSync(script));
});

test('async job: over its time limit the job is killed and the task fails', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'tsplay-async-'));
  const conn = new LocalConnection();
  const exec = (cmd: string, opts?: ExecOptions) => conn.exec(cmd, { ...opts, env: { HOME: home } });
  const r = await runAsyncJob({ steps: [{ cmd: 'sleep 30' }] }, { seconds: 2, poll: 1 }, exec);
  t.true(r.failed);
  t.regex(String(r.msg), /Timeout exceeded|did not complete within the requested time - 2s/);
});

test('async job: the wait stops when the host signal aborts; the job goes on', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'tsplay-async-'));
  const conn = new LocalConnection();
  const exec = (cmd: string, opts?: ExecOptions) => conn.exec(cmd, { ...opts, env: { HOME: home } });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 300);
  const started = Date.now();
  const r = await runAsyncJob({ steps: [{ cmd: 'sleep 3' }] }, { seconds: 60, poll: 30 }, exec, ac.signal);
  t.true(Date.now() - started < 10_000);
  t.true(r.failed);
  t.regex(String(r.msg), /interrupted while waiting for async job j\d+\.\d+; it goes on on the host/);
});

test('async job script: a plan that needs the controller cannot run as a job', async (t) => {
  const r = await runAsyncJob({ steps: [{ cmd: 'x', local: true }] }, { seconds: 5, poll: 1 }, async () => ({ rc: 0, stdout: '', stderr: '' }));
  t.is(r.msg, 'async is not supported for this task.');
  t.regex(jobScript('j1.1', { steps: [] }, false, {}), /finish\n$/);
  t.regex(launchCommand('j1.1', 9), /timeout -s KILL/);
});

test('async job status JSON: any output survives the shell escaping, with mawk and with gawk', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-esc-'));
  const text = 'a\\b\\\\"c\td\r\n\\\nx\u0001y "q" é\n';
  writeFileSync(join(dir, 'out'), text);
  const conn = new LocalConnection();
  let tried = 0;
  for (const awk of ['/usr/bin/mawk', '/usr/bin/gawk']) {
    if (!existsSync(awk)) continue;
    tried++;
    const bin = join(dir, `bin-${tried}`);
    mkdirSync(bin);
    symlinkSync(awk, join(bin, 'awk'));
    const r = await conn.exec(`PATH=${bin}:$PATH; ${JSON_ESCAPE}; printf '"'; esc ${join(dir, 'out')}; printf '"'`);
    t.is(JSON.parse(r.stdout), 'a\\b\\\\"c\td\r\n\\\nxy "q" é', awk);
  }
  t.true(tried > 0);
});
