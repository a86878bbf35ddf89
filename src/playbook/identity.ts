import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import type { Item, Play, Task } from './types.js';

/**
 * Give every task of a play an id from where it is written, not its position: `file:line`, after the
 * include/role sites that brought it in (`site.yml:12>roles/db/tasks/main.yml:3`). Paths are relative
 * to the playbook's directory. A task written once but reached from two include sites has two ids; one
 * reached twice from the same site (a looped include) has one. Ids are unique in a play.
 */
export function assignTaskIds(play: Play): void {
  const visit = idVisitor(play.dir);
  visit(play.preTasks, '');
  visit(play.tasks, '');
  visit(play.postTasks, '');
  visit(play.handlers, '');
  if (play.guard) {
    visit(play.guard.setup, '');
    visit(play.guard.precheck, '');
    visit(play.guard.teardown, '');
  }
}

/** Ids for what a run-time include loaded (its tasks behind the include's site `prefix`, or its role's handlers). */
export function assignIdsUnder(items: Item[], prefix: string, dir: string): Item[] {
  idVisitor(dir)(items, prefix);
  return items;
}

function idVisitor(dir: string): (items: Item[], prefix: string) => void {
  const seen = new Map<string, number>();
  const loc = (it: Item) => `${relative(dir, it.where.file) || it.where.file}:${it.where.line ?? '?'}`;
  const unique = (id: string) => {
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    return n === 0 ? id : `${id}#${n + 1}`;
  };
  const visit = (items: Item[], prefix: string) => {
    for (const item of items) {
      if (item.kind === 'task') {
        item.id = unique(prefix + loc(item));
        continue;
      }
      // An include or a role brings tasks from another file: its site becomes part of their ids.
      const children = [...item.block, ...item.rescue, ...item.always];
      const crosses = item.include !== undefined || children.some((c) => c.where.file !== item.where.file);
      item.id = unique(prefix + loc(item));
      const inner = crosses ? `${prefix}${loc(item)}>` : prefix;
      visit(item.block, inner);
      visit(item.rescue, inner);
      visit(item.always, inner);
    }
  };
  return visit;
}

/**
 * What a task does, apart from where it is: a resumed run whose sources changed (--force) recognises a
 * completed task that only moved (a task inserted above it shifts its line) by this.
 */
export function taskFingerprint(task: Task): string {
  const what = { name: task.name, module: task.module, args: task.args, register: task.register, loop: task.loop, when: task.when, role: task.role?.name };
  return createHash('sha256').update(JSON.stringify(what) ?? '').digest('hex').slice(0, 16);
}
