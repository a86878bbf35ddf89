import test from 'ava';
import { clearErrors, comparePositions, handlersFor, next, notify, peek, startCursor, type HostCursor, type Outcome, type Program } from '../../src/executor/cursor.js';
import type { Block, Item, Task } from '../../src/playbook/types.js';

// The host cursor stepped as pure data: no hosts, no executor.

const where = { file: 'play.yml', line: 1 };
const t = (id: string, extra: Partial<Task> = {}): Task => ({ kind: 'task', id, name: id, module: 'debug', args: {}, where, tags: [], notify: [], listen: [], ...extra });
const b = (id: string, block: Item[], rescue: Item[] = [], always: Item[] = [], extra: Partial<Block> = {}): Block => ({ kind: 'block', id, where, tags: [], block, rescue, always, ...extra });
const prog = (tasks: Item[], handlers: Task[] = [], forceHandlers = false): Program => ({ sections: { tasks }, handlers, forceHandlers });

/** Step a host through a section: `outcomes` says what happened at each task (default ok); returns the task ids run. */
function trace(program: Program, outcomes: Record<string, Outcome | Outcome[]> = {}, start: HostCursor = startCursor('tasks')): { ran: string[]; cursor: HostCursor } {
  const ran: string[] = [];
  const seen = new Map<string, number>();
  let p = peek(program, start);
  for (let i = 0; i < 200 && p.step.kind !== 'done' && p.step.kind !== 'end'; i++) {
    const id = p.step.kind === 'task' ? p.step.task.id : p.step.kind === 'include' ? `include:${p.step.block.id}` : '?';
    ran.push(id);
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    const o = outcomes[id];
    const outcome: Outcome = Array.isArray(o) ? (o[n] ?? { kind: 'ok' }) : (o ?? { kind: 'ok' });
    let c = p.cursor;
    // a task's notify becomes handler ids on the cursor, as the driver does
    if (p.step.kind === 'task' && outcome.kind === 'ok') c = notify(c, p.step.task.notify.flatMap((topic) => handlersFor(program.handlers, topic).map((h) => h.id)));
    p = next(program, c, outcome);
  }
  return { ran, cursor: p.cursor };
}

const failed: Outcome = { kind: 'failed' };

test('a flat section runs in order, then ends', (t_) => {
  const r = trace(prog([t('a'), t('b'), t('c')]));
  t_.deepEqual(r.ran, ['a', 'b', 'c']);
  t_.false(r.cursor.failed);
});

test('a failure with no rescue ends the host (failed), later tasks do not run', (t_) => {
  const r = trace(prog([t('a'), t('b'), t('c')]), { b: failed });
  t_.deepEqual(r.ran, ['a', 'b']);
  t_.is(r.cursor.done, 'failed');
  t_.true(r.cursor.failed);
});

test('block / rescue / always: a rescued failure goes on after the block', (t_) => {
  const program = prog([b('B', [t('b1'), t('b2'), t('b3')], [t('r1'), t('r2')], [t('a1')]), t('after')]);
  const r = trace(program, { b2: failed });
  t_.deepEqual(r.ran, ['b1', 'b2', 'r1', 'r2', 'a1', 'after']);
  t_.false(r.cursor.failed);
});

test('block / always without rescue: always runs, then the host is failed', (t_) => {
  const r = trace(prog([b('B', [t('b1'), t('b2')], [], [t('a1'), t('a2')]), t('after')]), { b1: failed });
  t_.deepEqual(r.ran, ['b1', 'a1', 'a2']);
  t_.is(r.cursor.done, 'failed');
});

test('a failing rescue goes to always, then fails the host', (t_) => {
  const r = trace(prog([b('B', [t('b1')], [t('r1'), t('r2')], [t('a1')]), t('after')]), { b1: failed, r1: failed });
  t_.deepEqual(r.ran, ['b1', 'r1', 'a1']);
  t_.is(r.cursor.done, 'failed');
});

test('nested: an inner always failure is rescued by the outer block', (t_) => {
  const inner = b('I', [t('i1')], [], [t('ia')]);
  const program = prog([b('O', [inner, t('o2')], [t('or')], [t('oa')]), t('after')]);
  const r = trace(program, { ia: failed });
  t_.deepEqual(r.ran, ['i1', 'ia', 'or', 'oa', 'after']);
  t_.false(r.cursor.failed);
});

test('nested: an inner failure runs the inner always before the outer rescue', (t_) => {
  const inner = b('I', [t('i1'), t('i2')], [], [t('ia')]);
  const program = prog([b('O', [inner, t('o2')], [t('or')], [t('oa')])]);
  const r = trace(program, { i1: failed });
  t_.deepEqual(r.ran, ['i1', 'ia', 'or', 'oa']);
  t_.false(r.cursor.failed);
});

test('an empty block is stepped over', (t_) => {
  t_.deepEqual(trace(prog([b('E', []), t('a')])).ran, ['a']);
});

test('a looped include runs its tasks once per round, and a failure ends its rounds', (t_) => {
  const inc = b('inc', [t('x'), t('y')], [], [], { include: { module: 'include_tasks', params: {}, loop: '{{ items }}', display: 'include_tasks', target: 'x.yml' } });
  const program = prog([inc, t('after')]);
  let p = peek(program, startCursor('tasks'));
  t_.is(p.step.kind, 'include');
  const ran: string[] = [];
  p = next(program, p.cursor, { kind: 'include', rounds: 3 });
  while (p.step.kind === 'task') {
    ran.push(`${p.step.task.id}${p.cursor.stack[1]?.round ?? ''}`);
    p = next(program, p.cursor, { kind: 'ok' });
  }
  t_.deepEqual(ran, ['x0', 'y0', 'x1', 'y1', 'x2', 'y2', 'after']);
  // failing in round 1: no round 2, the host is failed
  const r = trace(program, { 'include:inc': { kind: 'include', rounds: 3 }, y: [{ kind: 'ok' }, failed] });
  t_.deepEqual(r.ran, ['include:inc', 'x', 'y', 'x', 'y']);
  t_.is(r.cursor.done, 'failed');
});

test('an include without condition or loop is a step too (its result is reported), then its tasks run', (t_) => {
  const inc = b('inc', [t('x')], [], [], { include: { module: 'include_tasks', params: {}, display: 'include_tasks', target: 'x.yml' } });
  t_.deepEqual(trace(prog([inc, t('after')]), { 'include:inc': { kind: 'include', rounds: 1 } }).ran, ['include:inc', 'x', 'after']);
});

test('an include whose condition is false (0 rounds) is skipped', (t_) => {
  const inc = b('inc', [t('x')], [], [], { include: { module: 'include_tasks', params: {}, display: 'include_tasks', target: 'x.yml' }, when: ['false'] });
  t_.deepEqual(trace(prog([inc, t('after')]), { 'include:inc': { kind: 'include', rounds: 0 } }).ran, ['include:inc', 'after']);
});

test('handlers run at the section end, once each, in handlers order, only if notified', (t_) => {
  const h1 = t('h1', { handler: true });
  const h2 = t('h2', { handler: true });
  const h3 = t('h3', { handler: true });
  const program = prog([t('a', { notify: ['h3'] }), t('b', { notify: ['h1', 'h3'] })], [h1, h2, h3]);
  const r = trace(program);
  t_.deepEqual(r.ran, ['a', 'b', 'h1', 'h3']);
  t_.deepEqual(r.cursor.notified, []);
  t_.true(r.cursor.flushed);
});

test('handler chains: a later handler notified by a handler runs in the same flush, an earlier one at the next flush', (t_) => {
  const h1 = t('h1', { handler: true, notify: ['h3'] });
  const h2 = t('h2', { handler: true });
  const h3 = t('h3', { handler: true, notify: ['h2'] });
  const program = prog([t('a', { notify: ['h1'] }), t('flush', { module: 'meta', args: 'flush_handlers' }), t('z', { notify: [] })], [h1, h2, h3]);
  const r = trace(program, { flush: { kind: 'flush' } });
  // h1 → h3 in the meta's flush; h3 notified h2 (earlier): it waits for the section's flush
  t_.deepEqual(r.ran, ['a', 'flush', 'h1', 'h3', 'z', 'h2']);
});

test('a handler notified twice runs once per flush; notified again later, it runs again', (t_) => {
  const h = t('h', { handler: true });
  const program = prog([t('a', { notify: ['h'] }), t('b', { notify: ['h'] }), t('flush', { module: 'meta', args: 'flush_handlers' }), t('c', { notify: ['h'] })], [h]);
  t_.deepEqual(trace(program, { flush: { kind: 'flush' } }).ran, ['a', 'b', 'flush', 'h', 'c', 'h']);
});

test('listen: every handler listening to a topic runs; a name picks the last handler of that name', (t_) => {
  const h1 = t('h1', { handler: true, name: 'restart', listen: [] });
  const h2 = t('h2', { handler: true, name: 'log', listen: ['changed'] });
  const h3 = t('h3', { handler: true, name: 'reload', listen: ['changed'] });
  const h4 = t('h4', { handler: true, name: 'restart' });
  t_.deepEqual(handlersFor([h1, h2, h3, h4], 'changed').map((h) => h.id), ['h2', 'h3']);
  t_.deepEqual(handlersFor([h1, h2, h3, h4], 'restart').map((h) => h.id), ['h4']);
});

test('a failed host runs no handlers, and keeps its notifications (for --resume)', (t_) => {
  const h = t('h', { handler: true });
  const r = trace(prog([t('a', { notify: ['h'] }), t('b')], [h]), { b: failed });
  t_.deepEqual(r.ran, ['a', 'b']);
  t_.deepEqual(r.cursor.notified, ['h']);
});

test('force_handlers: a failed host still runs its notified handlers at the section end', (t_) => {
  const h = t('h', { handler: true });
  const r = trace(prog([t('a', { notify: ['h'] }), t('b'), t('c')], [h], true), { b: failed });
  t_.deepEqual(r.ran, ['a', 'b', 'h']);
  t_.true(r.cursor.failed);
});

test('a failed handler fails the host; the handlers after it do not run', (t_) => {
  const h1 = t('h1', { handler: true });
  const h2 = t('h2', { handler: true });
  const r = trace(prog([t('a', { notify: ['h1', 'h2'] })], [h1, h2]), { h1: failed });
  t_.deepEqual(r.ran, ['a', 'h1']);
  t_.is(r.cursor.done, 'failed');
});

test('meta end_host ends the host at once (no always)', (t_) => {
  const r = trace(prog([b('B', [t('a'), t('end'), t('b')], [], [t('al')]), t('c')]), { end: { kind: 'end_host' } });
  t_.deepEqual(r.ran, ['a', 'end']);
  t_.is(r.cursor.done, 'ended');
});

test('meta end_batch / end_play: the cursor is done', (t_) => {
  const r = trace(prog([t('a'), t('stop'), t('b')]), { stop: { kind: 'stop' } });
  t_.deepEqual(r.ran, ['a', 'stop']);
  t_.is(r.cursor.done, 'stopped');
});

test('meta clear_host_errors in an always section: the host goes on after the block (blocks target 72725)', (t_) => {
  const program = prog([b('O', [b('I', [t('fail1'), t('set')]), t('not')], [], [t('clear')]), t('assert')]);
  let p = peek(program, startCursor('tasks'));
  const ran: string[] = [];
  while (p.step.kind === 'task') {
    const id = p.step.task.id;
    ran.push(id);
    let c = p.cursor;
    if (id === 'clear') c = clearErrors(c);
    p = next(program, c, id === 'fail1' ? failed : { kind: 'ok' });
  }
  t_.deepEqual(ran, ['fail1', 'clear', 'assert']);
  t_.false(p.cursor.failed);
  t_.is(p.step.kind, 'end');
});

test('an interrupt skips to the innermost always still to run (teardown), then stops', (t_) => {
  const program = prog([b('O', [b('I', [t('i1'), t('i2')], [t('ir')], [t('ia')]), t('o2')], [], [t('oa')]), t('after')]);
  let p = peek(program, startCursor('tasks'));
  t_.is(p.step.kind === 'task' && p.step.task.id, 'i1');
  p = next(program, p.cursor, { kind: 'interrupt' });
  t_.is(p.step.kind === 'task' && p.step.task.id, 'ia');
  p = next(program, p.cursor, { kind: 'ok' }); // ia done: back in O's block, at o2
  t_.is(p.step.kind === 'task' && p.step.task.id, 'o2');
  p = next(program, p.cursor, { kind: 'interrupt' });
  t_.is(p.step.kind === 'task' && p.step.task.id, 'oa');
  p = next(program, p.cursor, { kind: 'ok' });
  p = next(program, p.cursor, { kind: 'interrupt' });
  t_.is(p.step.kind, 'done');
});

test('a hard failure (guard deadline) skips rescue but runs always', (t_) => {
  const r = trace(prog([b('B', [t('b1'), t('b2')], [t('r1')], [t('a1')])]), { b1: { kind: 'failed', hard: true } });
  t_.deepEqual(r.ran, ['b1', 'a1']);
  t_.is(r.cursor.done, 'failed');
});

test('lockstep order: block before rescue before always, a flushing host before the hosts past its flush', (t_) => {
  const program = prog([b('B', [t('b1'), t('b2')], [t('r1')], [t('a1')]), t('flush'), t('after')], [t('h', { handler: true })]);
  const p1 = next(program, peek(program, startCursor('tasks')).cursor, failed).cursor; // at r1
  const p2 = next(program, peek(program, startCursor('tasks')).cursor, { kind: 'ok' }).cursor; // at b2
  t_.true(comparePositions(p2, p1) < 0);
  // both at the meta; one flushes (notified), the other steps over
  const atMeta: HostCursor = { ...startCursor('tasks'), stack: [{ phase: 'block', index: 1 }], notified: ['h'] };
  const flushing = next(program, atMeta, { kind: 'flush' }).cursor;
  const past = next(program, { ...atMeta, notified: [] }, { kind: 'flush' }).cursor;
  t_.truthy(flushing.flush);
  t_.falsy(past.flush);
  t_.true(comparePositions(flushing, past) < 0);
});

test('the cursor is plain data: it survives JSON (the state file) and continues the same way', (t_) => {
  const h = t('h', { handler: true });
  const program = prog([b('B', [t('a', { notify: ['h'] }), t('b'), t('c')], [t('r')], [t('al')])], [h]);
  let p = peek(program, startCursor('tasks'));
  p = next(program, notify(p.cursor, ['h']), { kind: 'ok' }); // a done, notified h
  const saved = JSON.parse(JSON.stringify(p.cursor)) as HostCursor;
  t_.deepEqual(trace(program, { b: failed }, saved).ran, ['b', 'r', 'al', 'h']);
});
