import test from 'ava';
import { failureCaught, inRescueOrAlways, next, peek, startCursor, type HostCursor, type Outcome, type Program } from '../../src/executor/cursor.js';
import type { Block, Item, Task } from '../../src/playbook/types.js';

// The any_errors_fatal rules of the host cursor, stepped as pure data (Ansible 2.14's
// PlayIterator.is_failed right after a failure, and get_active_state in RESCUE/ALWAYS).

const where = { file: 'play.yml', line: 1 };
const t = (id: string): Task => ({ kind: 'task', id, name: id, module: 'debug', args: {}, where, tags: [], notify: [], listen: [] });
const b = (id: string, block: Item[], rescue: Item[] = [], always: Item[] = []): Block => ({ kind: 'block', id, where, tags: [], block, rescue, always });
const prog = (tasks: Item[]): Program => ({ sections: { tasks }, handlers: [], forceHandlers: false });
const failed: Outcome = { kind: 'failed' };

/** The cursor at task `id` (the tasks before it ok, or as `outcomes` say). */
function at(program: Program, id: string, outcomes: Record<string, Outcome> = {}): HostCursor {
  let p = peek(program, startCursor('tasks'));
  for (let i = 0; i < 100 && p.step.kind === 'task'; i++) {
    if (p.step.task.id === id) return p.cursor;
    p = next(program, p.cursor, outcomes[p.step.task.id] ?? { kind: 'ok' });
  }
  throw new Error(`task ${id} not reached`);
}

/** The host's next step after task `id` failed. */
const afterFailing = (program: Program, id: string, outcomes: Record<string, Outcome> = {}) => next(program, at(program, id, outcomes), failed);

test('a task outside any block: its failure is not caught (any_errors_fatal fires)', (t_) => {
  const program = prog([t('a'), t('b')]);
  t_.false(failureCaught(program, at(program, 'a')));
  t_.false(inRescueOrAlways(afterFailing(program, 'a').cursor), 'the host is done, not spared');
});

test("the failed task's own block catches it with its rescue, or with its always when it has no rescue", (t_) => {
  const withRescue = prog([b('B', [t('b1')], [t('r1')])]);
  t_.true(failureCaught(withRescue, at(withRescue, 'b1')));
  const withAlways = prog([b('B', [t('b1')], [], [t('a1')])]);
  t_.true(failureCaught(withAlways, at(withAlways, 'b1')));
  const after = afterFailing(withAlways, 'b1');
  t_.true(after.step.kind === 'task' && after.step.task.id === 'a1');
  t_.true(inRescueOrAlways(after.cursor), 'the host is about to run the always: spared');
});

test('a failure in rescue is caught by the same block\'s always (any_errors_fatal target always_block)', (t_) => {
  const program = prog([b('B', [t('b1'), t('b2')], [t('r1'), t('r2'), t('r3')], [t('a1')]), t('after')]);
  const outcomes = { b2: failed };
  const cursor = at(program, 'r2', outcomes);
  t_.true(failureCaught(program, cursor));
  const after = next(program, cursor, failed);
  t_.true(after.step.kind === 'task' && after.step.task.id === 'a1', 'the always runs');
  t_.true(inRescueOrAlways(after.cursor));
});

test('a failure in an always section is not caught by that block, but by an enclosing rescue', (t_) => {
  const flat = prog([b('B', [t('b1')], [t('r1')], [t('a1')])]);
  t_.false(failureCaught(flat, at(flat, 'a1')));
  const nested = prog([b('O', [b('I', [t('i1')], [], [t('ia')])], [t('or')])]);
  t_.true(failureCaught(nested, at(nested, 'ia')));
});

test("an enclosing block's always does not catch a failure in a nested block (blocks target, issue 35148), yet the host is spared: it runs that always next", (t_) => {
  const program = prog([b('O', [b('I', [t('i1')])], [], [t('oa'), t('oa2')]), t('after')]);
  t_.false(failureCaught(program, at(program, 'i1')), 'any_errors_fatal fires');
  const after = afterFailing(program, 'i1');
  t_.true(after.step.kind === 'task' && after.step.task.id === 'oa');
  t_.true(inRescueOrAlways(after.cursor), 'spared: the outer always runs');
});

test("an enclosing block's rescue catches a failure in a nested block", (t_) => {
  const program = prog([b('O', [b('I', [t('i1')])], [t('or')])]);
  t_.true(failureCaught(program, at(program, 'i1')));
});

test('spared: only a host whose next step is in a rescue or always of its innermost block', (t_) => {
  // a host past the failing host's task, still in the block's tasks: not spared (Ansible marks it)
  const program = prog([b('O', [b('I', [t('i1')]), t('mid')], [], [t('oa')]), t('after')]);
  t_.false(inRescueOrAlways(at(program, 'mid')));
  // a block nested in an always section runs as TASKS in Ansible: not spared
  const inAlwaysBlock = prog([b('O', [t('o1')], [], [b('AB', [t('ab1')])])]);
  t_.false(inRescueOrAlways(at(inAlwaysBlock, 'ab1')));
  t_.true(inRescueOrAlways(at(prog([b('O', [t('o1')], [t('r1')])]), 'r1', { o1: failed })));
  // a host that is done (failed for the play) is not spared
  const done = afterFailing(prog([t('a')]), 'a');
  t_.is(done.step.kind, 'done');
  t_.false(inRescueOrAlways(done.cursor));
});
