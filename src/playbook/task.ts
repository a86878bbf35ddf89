import { ParseError, type Source } from '../errors.js';
import { findModule } from '../modules/registry.js';
import { isTemplate } from '../template/render.js';
import { sourceOf, sourceOfItem, sourceOfKey } from '../util/yaml.js';
import type { Vars } from '../types.js';
import { BLOCK_KEYWORDS, INCLUDE_ACTIONS, TASK_KEYWORDS, keywordValue } from './keywords.js';
import { loadInclude, loadLegacyInclude } from './include-task.js';
import { loadLoop } from './loop-keywords.js';
import { moduleArgs } from './module-args.js';
import { checkTemplates, conditions, inheritable, registerName, stringList } from './task-keywords.js';
import { innerScope, KEPT, tolerantScope, type TaskScope } from './task-scope.js';
import { unknownKeyTask } from './unknown-module.js';
import type { Block, Item, Task } from './types.js';

/** Raw tasks and blocks (from YAML) → normalised items: which module or include, its arguments, its keywords. */

/** Turn a list of raw tasks (from YAML) into normalised items; `path` is the id prefix. */
export function loadItems(raw: unknown, path: string, scope: TaskScope, where: Source): Item[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ParseError('a task list must be a YAML list', sourceOf(raw) ?? where);
  const items: Item[] = [];
  raw.forEach((entry, i) => {
    const at = sourceOfItem(raw, i) ?? where;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new ParseError(`each task must be a dictionary, got ${JSON.stringify(entry)}`, at);
    }
    items.push(...loadItem(entry as Record<string, unknown>, `${path}[${i}]`, scope, at));
  });
  return items;
}

function loadItem(raw: Record<string, unknown>, id: string, scope: TaskScope, where: Source): Item[] {
  const name = typeof raw.name === 'string' ? raw.name : undefined;
  const context = name ? `task '${name}'` : 'task';
  if ('block' in raw) {
    for (const key of Object.keys(raw)) {
      if (!BLOCK_KEYWORDS.has(key)) throw new ParseError(`'${key}' is not a valid keyword for a block`, sourceOfKey(raw, key) ?? where, context);
    }
    const inner = innerScope(scope, raw);
    const hasRescue = Array.isArray(raw.rescue) && raw.rescue.length > 0;
    const block: Block = {
      kind: 'block',
      id,
      name,
      where,
      ...inheritable(raw, where, context),
      block: loadItems(raw.block, `${id}/block`, hasRescue ? { ...inner, tolerant: true } : inner, where),
      rescue: loadItems(raw.rescue, `${id}/rescue`, inner, where),
      always: loadItems(raw.always, `${id}/always`, inner, where),
      role: scope.role,
    };
    return [block];
  }
  return [loadTask(raw, id, scope, where, name, context)];
}

function loadTask(raw: Record<string, unknown>, id: string, scope: TaskScope, where: Source, name: string | undefined, context: string): Item {
  let action: string | undefined;
  let actionArgs: unknown;
  for (const key of Object.keys(raw)) {
    if (TASK_KEYWORDS.has(key) || key.startsWith('with_')) continue;
    if (findModule(key) || INCLUDE_ACTIONS.has(key.replace(/^ansible\.(builtin|legacy)\./, ''))) {
      if (action) throw new ParseError(`conflicting action statements: '${action}' and '${key}'`, sourceOfKey(raw, key) ?? where, context);
      action = key;
      actionArgs = raw[key];
      continue;
    }
    if (key === 'rescue' || key === 'always') throw new ParseError(`'${key}' is only valid in a block`, sourceOfKey(raw, key) ?? where, context);
    return unknownKeyTask(raw, key, action, id, scope, where, name, context);
  }
  // `action:` / `local_action:` name the module inside: "copy src=a dest=b" or {module: copy, src: a}.
  let local = false;
  let templated = false;
  for (const key of ['action', 'local_action'] as const) {
    const v = raw[key];
    if (v === undefined) continue;
    const at = sourceOfKey(raw, key) ?? where;
    if (action) throw new ParseError(`conflicting action statements: '${action}' and '${key}'`, at, context);
    if (typeof v === 'string' && v.trim() !== '') {
      // the module is the first word; a template in it is one word (Ansible's split_args): "{{ m }} a=b"
      const m = /^\s*((?:\{\{[\s\S]*?\}\}|\S)+)\s*([\s\S]*)$/.exec(v)!;
      action = m[1]!;
      actionArgs = m[2]!;
    } else if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Vars).module === 'string') {
      const { module, ...rest } = v as Vars;
      action = module as string;
      actionArgs = rest;
    } else throw new ParseError(`'${key}' must be "module arguments" or a dictionary with 'module'`, at, context);
    // a templated module name is rendered when the task runs, as Ansible's post_validate does (chosen-module.ts)
    if (isTemplate(action)) templated = true;
    else if (!findModule(action) && !INCLUDE_ACTIONS.has(action.replace(/^ansible\.(builtin|legacy)\./, ''))) throw new ParseError(`${key}: '${action}' is not a known module`, at, context);
    local = key === 'local_action';
  }
  if (!action) throw new ParseError('no module or action given', where, context);
  if (local && raw.delegate_to !== undefined) throw new ParseError("'local_action' and 'delegate_to' cannot be used together", sourceOfKey(raw, 'delegate_to') ?? where, context);
  const actionWhere = sourceOfKey(raw, action) ?? where;
  const short = action.replace(/^ansible\.(builtin|legacy)\./, '');
  if (short === 'include') return loadLegacyInclude(raw, action, actionArgs, id, scope, actionWhere, name, context);
  if (INCLUDE_ACTIONS.has(short)) return loadInclude(raw, short, actionArgs, id, scope, actionWhere, name, context);

  if (raw.args !== undefined && (raw.args === null || typeof raw.args !== 'object' || Array.isArray(raw.args))) throw new ParseError("'args' must be a dictionary", sourceOfKey(raw, 'args') ?? where, context);
  const extraArgs = raw.args as Vars | undefined;
  const mod = templated ? undefined : findModule(short)!;
  // a templated module's arguments stay as written: how they read (free-form or k=v) depends on the module
  const args = mod ? moduleArgs(mod, actionArgs, extraArgs, actionWhere, context) : actionArgs;
  checkTemplates(name, where, context);
  if (!mod) scope.warn?.(actionWhere, `${context}: the module '${action}' is a template: it is rendered when the task runs, and the module and its arguments are checked then`);
  try {
    checkTemplates(mod ? args : [actionArgs, extraArgs], actionWhere, context);
    mod?.parse(args, actionWhere, true);
  } catch (e) {
    const err = e instanceof ParseError && !e.context ? new ParseError(e.message, e.where ?? actionWhere, context) : e;
    // As Ansible, which only renders and validates arguments when the task runs: where a failure is
    // tolerated the task stays, and fails when it runs (its arguments are rendered and parsed again then).
    if (!(err instanceof ParseError) || !tolerantScope(scope, raw).tolerant || !scope.warn) throw err;
    scope.warn(err.where ?? actionWhere, `${err.context ? `${err.context}: ` : ''}${err.message} ${KEPT}`);
  }
  const task: Task = {
    kind: 'task',
    id,
    name,
    module: mod?.name ?? action,
    ...(mod && action !== mod.name ? { action } : {}),
    args,
    ...(templated ? { moduleTemplate: extraArgs ? { extraArgs } : {} } : {}),
    where,
    ...inheritable(raw, where, context),
    notify: stringList('notify', raw.notify, where),
    listen: stringList('listen', raw.listen, where),
    role: scope.role,
    handler: scope.handler,
  };
  if (local) task.delegateTo = 'localhost';
  if (raw.register !== undefined) task.register = registerName(raw, where, context);
  loadLoop(raw, task, where, context);
  const cw = conditions('changed_when', raw.changed_when, sourceOfKey(raw, 'changed_when') ?? where, context);
  if (cw) task.changedWhen = cw;
  const fw = conditions('failed_when', raw.failed_when, sourceOfKey(raw, 'failed_when') ?? where, context);
  if (fw) task.failedWhen = fw;
  const until = conditions('until', raw.until, sourceOfKey(raw, 'until') ?? where, context);
  if (until) task.until = until;
  if (raw.retries !== undefined) task.retries = raw.retries;
  if (raw.delay !== undefined) task.delay = raw.delay;
  for (const key of ['async', 'poll'] as const) {
    if (raw[key] === undefined) continue;
    const at = sourceOfKey(raw, key) ?? where;
    checkTemplates(raw[key], at, context);
    task[key] = keywordValue(key, raw[key], at, context, false);
  }
  for (const key of ['retries', 'delay'] as const) checkTemplates(raw[key], sourceOfKey(raw, key) ?? where, context);
  return task;
}
