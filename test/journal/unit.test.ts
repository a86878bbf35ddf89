import test from 'ava';
import { Redactor } from '../../src/journal/redact.js';
import { analyzeRun } from '../../src/journal/analyze.js';
import { resumeState } from '../../src/journal/resume.js';
import type { JournalRecord } from '../../src/journal/records.js';
import type { IndexedTask } from '../../src/journal/task-index.js';
import type { Task } from '../../src/playbook/types.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import { allTasks } from '../../src/executor/run.js';
import { taskKeyMap } from '../../src/journal/remap.js';
import { fixture } from './helpers.js';

test('Redactor masks secret keys at any depth and cuts their values out of every string', (t) => {
  const r = new Redactor();
  r.collect({ vault: { db_password: 'hunter2-long' }, ansible_become_pass: 'becomepw' });
  const out = r.redact({ cmd: 'psql -W hunter2-long', nested: [{ API_TOKEN: 'abc', note: 'pw becomepw' }], secret_flag: false, n: 3 });
  t.deepEqual(out, { cmd: 'psql -W ********', nested: [{ API_TOKEN: '********', note: 'pw ********' }], secret_flag: false, n: 3 });
  // a value first seen under a secret key in a record is masked in later records too
  r.redact({ ansible_facts: { session_token: 'tok-9999' } });
  t.is(r.redact('stdout: tok-9999'), 'stdout: ********');
  // very short values are not scrubbed out of text
  r.collect({ pin_secret: 'ab' });
  t.is(r.redact('about'), 'about');
});

const task = (id: string, name: string, register?: string): Task => ({ kind: 'task', id, name, module: 'shell', args: {}, where: { file: 'pb.yml' }, tags: [], notify: [], listen: [], ...(register ? { register } : {}) });
const info = (id: string, name: string) => ({ id, name, where: { file: 'pb.yml' }, module: 'shell' });
const start = { kind: 'journal-start', format: 1, id: 'r1', playbooks: [], inventory: [], options: {}, user: 'u', controller: 'c', pid: 1, cwd: '/', tsplay: '0', time: '2026-01-01T00:00:00Z', files: {}, hash: '' } as JournalRecord;
const t0 = '2026-01-01T00:00:01Z';
const started = (id: string, name: string, hosts: string[]) => ({ kind: 'task-start', task: info(id, name), hosts, time: t0 }) as JournalRecord;
const result = (id: string, name: string, host: string, status: string, res: Record<string, unknown> = {}) => ({ kind: 'host-result', task: info(id, name), host, status, result: res }) as JournalRecord;

test('a host that failed inside a block with always restarts at the block start; others keep their completed tasks', (t) => {
  // play0: tasks[0] (outside), block tasks[1] = { block: [b0, b1], always: [a0] }
  const scope = new Set(['play0/tasks[1]/block[0]', 'play0/tasks[1]/block[1]', 'play0/tasks[1]/always[0]']);
  const index = new Map<string, IndexedTask>([
    ['0:play0/tasks[0]', { task: task('play0/tasks[0]', 'pre', 'pre_out'), noLog: false }],
    ...[...scope].map((id) => [`0:${id}`, { task: task(id, id), noLog: false, restartScope: scope }] as [string, IndexedTask]),
  ]);
  const records: JournalRecord[] = [
    start,
    { kind: 'play-start', index: 0, name: 'p', hosts: ['a', 'b'], time: t0 },
    started('play0/tasks[0]', 'pre', ['a', 'b']),
    result('play0/tasks[0]', 'pre', 'a', 'changed', { stdout: 'A' }),
    result('play0/tasks[0]', 'pre', 'b', 'changed', { stdout: 'B' }),
    started('play0/tasks[1]/block[0]', 'b0', ['a', 'b']),
    result('play0/tasks[1]/block[0]', 'b0', 'a', 'ok'),
    result('play0/tasks[1]/block[0]', 'b0', 'b', 'ok'),
    started('play0/tasks[1]/block[1]', 'b1', ['a', 'b']),
    result('play0/tasks[1]/block[1]', 'b1', 'a', 'failed', { msg: 'boom' }),
    result('play0/tasks[1]/block[1]', 'b1', 'b', 'ok'),
    started('play0/tasks[1]/always[0]', 'a0', ['a', 'b']),
    result('play0/tasks[1]/always[0]', 'a0', 'a', 'ok'),
    result('play0/tasks[1]/always[0]', 'a0', 'b', 'ok'),
    { kind: 'play-end', index: 0, time: t0 },
    { kind: 'recap', stats: {}, time: t0 },
  ];
  const a = analyzeRun(records, index);
  t.like(a.stops.get('a'), { taskName: 'b1', reason: 'failed', msg: 'boom' });
  t.deepEqual([...a.completed.get('a')!.get(0)!], ['play0/tasks[0]']);
  t.deepEqual([...(a.finished.get('b') ?? [])], [0]);
  t.false(a.finished.get('a')?.has(0) ?? false);
  const state = resumeState([a], index);
  t.false(state.finishedPlay('a', 0));
  t.true(state.completedTask('a', 'play0/tasks[0]'));
  t.false(state.completedTask('a', 'play0/tasks[1]/block[0]'));
  t.deepEqual(state.hostFacts('a'), { pre_out: { stdout: 'A' } });
});

test('a cut-short journal: the open batch is not finished, the running task is not completed', (t) => {
  const records: JournalRecord[] = [
    start,
    { kind: 'play-start', index: 0, name: 'p', hosts: ['a', 'b', 'c'], time: t0 },
    { kind: 'batch-start', index: 1, total: 3, hosts: ['a'] },
    started('t0', 'one', ['a']),
    result('t0', 'one', 'a', 'ok'),
    { kind: 'batch-start', index: 2, total: 3, hosts: ['b'] },
    started('t0', 'one', ['b']),
    result('t0', 'one', 'b', 'ok'),
    started('t1', 'two', ['b']),
  ];
  const a = analyzeRun(records);
  t.deepEqual([...a.finished.keys()], ['a']);
  t.like(a.pending.get('b'), { name: 'two' });
  t.false(a.complete);
  const state = resumeState([a]);
  t.true(state.finishedPlay('a', 0));
  t.false(state.finishedPlay('b', 0));
  t.true(state.completedTask('b', 't0'));
  t.false(state.completedTask('b', 't1'));
  t.false(state.finishedPlay('c', 0));
});

test('task ids are file:line after their include sites; a moved task is recognised by what it does', (t) => {
  const play = loadPlaybook(fixture('ids/site.yml')).plays[0]!;
  const ids = allTasks(play.tasks).map((x) => x.id);
  t.deepEqual(ids, ['site.yml:5', 'site.yml:7>step.yml:1', 'site.yml:9>step.yml:1']);
  const map = taskKeyMap({ '0:a.yml:3': 'P', '0:a.yml:5': 'U', '0:a.yml:9': 'gone' }, { '0:a.yml:3': 'NEW', '0:a.yml:6': 'P', '0:a.yml:8': 'U' });
  t.deepEqual([...map], [['0:a.yml:3', '0:a.yml:6'], ['0:a.yml:5', '0:a.yml:8'], ['0:a.yml:9', undefined]]);
});
