import test from 'ava';
import { comparePositions, next, peek, resolvedKey, startCursor, unloaded, type HostCursor, type Program } from '../../src/executor/cursor.js';
import type { Block, Item, Task } from '../../src/playbook/types.js';

// A deferred include (decided per host at run time) stepped as pure data: each host walks what it
// resolved to, per loop round; hosts on different files are at different positions.

const where = { file: 'play.yml', line: 1 };
const t = (id: string): Task => ({ kind: 'task', id, name: id, module: 'debug', args: {}, where, tags: [], notify: [], listen: [] });
const include: Block = {
  kind: 'block', id: 'inc', where, tags: [], block: [], rescue: [], always: [],
  include: { module: 'include_tasks', params: {}, display: 'include_tasks', target: '{{ f }}.yml', loop: ['x', 'y'], deferred: { names: { file: '{{ f }}.yml' }, load: () => { throw new Error('not used'); } } },
};
const program = (): Program => {
  const p: Program = { sections: { tasks: [include as Item, t('end')] }, handlers: [], forceHandlers: false };
  p.resolved = new Map([
    [resolvedKey('inc', 'A'), { ...include, block: [t('a1'), t('a2')] }],
    [resolvedKey('inc', 'B'), { ...include, block: [t('b1')] }],
  ]);
  p.loadOrder = new Map([['A', 0], ['B', 1]]);
  return p;
};

function walk(p: Program, resolved: string[]): { ran: string[]; cursors: HostCursor[] } {
  const ran: string[] = [];
  const cursors: HostCursor[] = [];
  let s = peek(p, startCursor('tasks'));
  for (let i = 0; i < 50 && (s.step.kind === 'task' || s.step.kind === 'include'); i++) {
    cursors.push(s.cursor);
    if (s.step.kind === 'include') {
      s = next(p, s.cursor, { kind: 'include', rounds: resolved.length, resolved });
      continue;
    }
    ran.push(s.step.task.id);
    s = next(p, s.cursor, { kind: 'ok' });
  }
  return { ran, cursors };
}

test('each round walks the file its host resolved for it, then the host goes on', (t_) => {
  t_.deepEqual(walk(program(), ['A', 'B']).ran, ['a1', 'a2', 'b1', 'end']);
  t_.deepEqual(walk(program(), ['B', 'B']).ran, ['b1', 'b1', 'end']);
});

test('hosts in different files are at different positions: the file loaded first comes first', (t_) => {
  const p = program();
  const onA = walk(p, ['A', 'A']).cursors[1]!; // at a1
  const onB = walk(p, ['B', 'B']).cursors[1]!; // at b1
  t_.deepEqual([onA.stack[1]!.index, onB.stack[1]!.index], [0, 0]);
  const order = (k: string) => p.loadOrder!.get(k)!;
  t_.true(comparePositions(onA, onB, order) < 0);
  t_.true(comparePositions(onB, onA, order) > 0);
  t_.is(comparePositions(onA, walk(p, ['A', 'B']).cursors[1]!, order), 0, 'same file, same round, same task: one step together');
});

test('a saved cursor inside a deferred include names what must be loaded before it can step', (t_) => {
  const p = program();
  const inside = walk(p, ['A', 'B']).cursors[2]!; // at a2
  t_.is(unloaded(p, inside), undefined);
  p.resolved!.delete(resolvedKey('inc', 'A'));
  t_.deepEqual(unloaded(p, inside), { block: include, key: 'A' });
});
