import type { Item, Task } from '../playbook/types.js';
import { handlersFor } from './cursor.js';

/** Every notify (of a task, block, import or include) must name a handler (by name or listen topic): checked before any host is contacted. */
export function unknownNotifications(items: Item[], handlers: Task[]): { task: Item; name: string }[] {
  const out: { task: Item; name: string }[] = [];
  const visit = (list: Item[]) => {
    for (const it of list) {
      for (const n of it.notify ?? []) if (handlersFor(handlers, n).length === 0) out.push({ task: it, name: n });
      if (it.kind === 'block') visit([...it.block, ...it.rescue, ...it.always]);
    }
  };
  visit(items);
  return out;
}
