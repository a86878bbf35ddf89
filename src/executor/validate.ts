import { ParseError } from '../errors.js';
import type { Item, Play, Task } from '../playbook/types.js';
import { unknownNotifications } from './handlers.js';
import { ENV_NAME } from './task-run.js';

/**
 * What is checked before any host is contacted, beyond loading: environment names and that every
 * notify names a handler (unless `missingHandlers` is false: ANSIBLE_ERROR_ON_MISSING_HANDLER=false).
 * Also run on what an include loads at run time.
 */
export function checkItems(play: Play, items: Item[], handlers: Task[], missingHandlers = true): void {
  checkEnvironments(play, items);
  if (!missingHandlers) return;
  for (const { task, name, why } of unknownNotifications(items, handlers)) {
    throw new ParseError(`notify: no handler named '${name}' in this play${why ? ` (${why})` : ''}`, task.where, task.name ? `${task.kind} '${task.name}'` : undefined);
  }
}

/** `environment:` names written literally must be names a shell accepts: refused before any host is contacted. */
function checkEnvironments(play: Play, items: Item[]): void {
  const check = (env: unknown, where: Item['where'], context: string) => {
    if (env === null || typeof env !== 'object' || Array.isArray(env)) return; // a template: checked when rendered
    const bad = Object.keys(env).find((k) => !k.includes('{{') && !ENV_NAME.test(k));
    if (bad !== undefined) throw new ParseError(`'environment': '${bad}' is not a valid environment variable name`, where, context);
  };
  check(play.environment, play.where, `play '${play.name}'`);
  const visit = (list: Item[]) => {
    for (const it of list) {
      check(it.environment, it.where, it.name ? `${it.kind} '${it.name}'` : it.kind);
      if (it.kind === 'block') visit([...it.block, ...it.rescue, ...it.always]);
    }
  };
  visit(items);
}
