import { ParseError, type Source } from '../errors.js';
import { sourceOfKey } from '../util/yaml.js';
import { inheritable, registerName } from './task-keywords.js';
import { loadLoop } from './loop-keywords.js';
import { innerScope, KEPT, type TaskScope } from './task-scope.js';
import type { Task } from './types.js';

/**
 * A task key that is neither a module tsplay has nor a task keyword. Under a condition (the task's, a
 * block's or an include's) Ansible would only look for the module if the task runs, so the task is kept,
 * with a warning, and fails if it runs. Anywhere else, and under ignore_errors or a rescue alone, it is a
 * load error: Ansible's parse error is fatal there too (issue73657).
 */
export function unknownKeyTask(raw: Record<string, unknown>, key: string, action: string | undefined, id: string, scope: TaskScope, where: Source, name: string | undefined, context: string): Task {
  const unknown = new ParseError(`'${key}' is not a known module or task keyword`, sourceOfKey(raw, key) ?? where, context);
  if (!action && /^[A-Za-z_][\w.]*$/.test(key) && innerScope(scope, raw).conditional && scope.warn) {
    scope.warn(unknown.where!, `${context}: ${unknown.message} ${KEPT}`);
    return unknownModuleTask(raw, key, id, scope, where, name);
  }
  throw unknown;
}

/** A task naming a module tsplay does not have, kept where Ansible only fails it when it runs. */
function unknownModuleTask(raw: Record<string, unknown>, module: string, id: string, scope: TaskScope, where: Source, name: string | undefined): Task {
  const { [module]: args, ...keywords } = raw;
  const task: Task = { kind: 'task', id, name, module, args, where, ...inheritable(keywords, where, 'task'), notify: [], listen: [], role: scope.role, handler: scope.handler };
  // its loop and register as any task's: a false condition skips it item by item, and registers the skip (Ansible)
  if (raw.register !== undefined) task.register = registerName(raw, where, 'task');
  loadLoop(raw, task, where, 'task');
  return task;
}
