import { ParseError, type Source } from '../errors.js';
import { findModule } from '../modules/registry.js';
import { checkCondition } from '../template/expr.js';
import { checkTemplate, isTemplate } from '../template/render.js';
import { toBool } from '../util/bool.js';
import { LIST_LOOKUPS, lookupName } from '../template/lookups-lists.js';
import { splitFreeForm } from '../util/shlex.js';
import { sourceOf, sourceOfItem, sourceOfKey } from '../util/yaml.js';
import type { Vars } from '../types.js';
import type { ModuleDef } from '../modules/types.js';
import { BLOCK_KEYWORDS, INCLUDE_ACTIONS, TASK_KEYWORDS, checkKeywords, keywordValue } from './keywords.js';
import { loadInclude, loadLegacyInclude } from './include-task.js';
import type { Block, DeferredInclude, Inheritable, Item, RoleInstance, Task } from './types.js';

/** What task normalisation needs to know about its surroundings. */
export interface TaskScope {
  file: string;
  role?: RoleInstance;
  handler?: boolean;
  /** The task files being expanded, outermost first (an include cycle is an error). */
  chain?: string[];
  /**
   * A failure here is tolerated (`ignore_errors: true` around, or the `block:` part of a block with a
   * `rescue:`): a bad module argument, which Ansible only reports when the task runs, is then a load-time
   * warning and the task fails when it runs.
   */
  tolerant?: boolean;
  /** Under a `when` (the task's or a block's around it): it may never run, so a missing include target is not a load error. */
  conditional?: boolean;
  /** The `vars:` of the blocks and includes around, and of the import being expanded: an import's name is rendered with them. */
  vars?: Vars;
  /**
   * The keywords (become, delegate_to…) of the blocks, imports and includes around, inner over outer:
   * a role's handlers brought in here inherit them, as Ansible parents them to the import/include.
   */
  keywords?: Partial<Inheritable>;
  /** Report a load-time warning (file:line: message). */
  warn?(where: Source, message: string): void;
  /** Loads the items an import/include brings in (provided by the playbook loader), or defers a dynamic include to run time. */
  expandInclude(action: string, params: Vars, where: Source, scope: TaskScope): Item[] | DeferredInclude;
}

const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

export function tagList(v: unknown, where: Source): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'object' && !Array.isArray(v)) throw new ParseError(`'tags' must be a string or a list of strings, got a dictionary`, where);
  const list = Array.isArray(v) ? v : String(v).split(',');
  return list.map((t) => {
    if (typeof t !== 'string' && typeof t !== 'number') throw new ParseError(`'tags' must be a string or a list of strings, got ${JSON.stringify(t)}`, where);
    return String(t).trim();
  }).filter(Boolean);
}

export function stringList(key: string, v: unknown, where: Source): string[] {
  return asList(v).map((x) => {
    if (typeof x !== 'string') throw new ParseError(`'${key}' must be a string or a list of strings`, where);
    return x;
  });
}

/** Parse-check every string of a value as a template (no variables needed). */
export function checkTemplates(value: unknown, where: Source, context?: string): void {
  if (typeof value === 'string') {
    try {
      checkTemplate(value, where);
    } catch (e) {
      if (e instanceof ParseError && context && !e.context) throw new ParseError(e.message, e.where ?? where, context);
      throw e;
    }
  } else if (Array.isArray(value)) value.forEach((v) => checkTemplates(v, where, context));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => checkTemplates(v, where, context));
}

/** `register:` — the variable a task's (or an include's) result is stored in. */
export function registerName(raw: Record<string, unknown>, where: Source, context: string): string {
  const v = raw.register;
  if (typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) throw new ParseError(`'register' must be a variable name, got ${JSON.stringify(v)}`, sourceOfKey(raw, 'register') ?? where, context);
  return v;
}

function conditions(key: string, v: unknown, where: Source, context: string): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  const list = asList(v);
  for (const c of list) {
    try {
      checkCondition(c, where);
    } catch (e) {
      if (e instanceof ParseError) throw new ParseError(`${key}: ${e.message}`, e.where ?? where, context);
      throw e;
    }
  }
  return list;
}

/** `vars:` as Ansible reads it: a dictionary, or a list of dictionaries merged in order; empty is none. */
export function varsDict(v: unknown, where: Source, context?: string): Vars {
  if (v === undefined || v === null) return {};
  if (typeof v === 'object' && !Array.isArray(v)) return v as Vars;
  const parts = Array.isArray(v) ? v : [v];
  const out: Vars = {};
  for (const part of parts) {
    if (part === null || typeof part !== 'object' || Array.isArray(part)) {
      throw new ParseError("'vars' must be a dictionary or a list of dictionaries", sourceOf(part) ?? where, context);
    }
    Object.assign(out, part);
  }
  return out;
}

/** Keywords shared by tasks and blocks (inherited by a block's children). */
const KEYWORD_FIELDS: [keyof Inheritable, string][] = [
  ['become', 'become'], ['becomeUser', 'become_user'], ['becomePassword', 'become_password'],
  ['environment', 'environment'], ['ignoreErrors', 'ignore_errors'], ['ignoreUnreachable', 'ignore_unreachable'],
  ['checkMode', 'check_mode'], ['diff', 'diff'], ['noLog', 'no_log'], ['delegateTo', 'delegate_to'], ['delegateFacts', 'delegate_facts'],
  ['runOnce', 'run_once'], ['anyErrorsFatal', 'any_errors_fatal'], ['throttle', 'throttle'], ['timeout', 'timeout'],
  ['becomeMethod', 'become_method'], ['remoteUser', 'remote_user'], ['port', 'port'], ['connection', 'connection'],
];

/** The keywords (not when, tags, vars) a raw task, block or role entry gives what it contains. */
export function keywordFields(raw: Record<string, unknown>, where: Source, context: string): Partial<Inheritable> {
  const out: Record<string, unknown> = {};
  for (const [field, key] of KEYWORD_FIELDS) {
    if (raw[key] !== undefined) {
      const at = sourceOfKey(raw, key) ?? where;
      checkTemplates(raw[key], at, context);
      // literal values are stored converted (yes → true); templates are converted once rendered
      const value = keywordValue(key, raw[key], at, context, false);
      if (value !== undefined) out[field] = value;
    }
  }
  return out as Partial<Inheritable>;
}

export function inheritable(raw: Record<string, unknown>, where: Source, context: string): Inheritable {
  const vars = raw.vars === undefined ? undefined : varsDict(raw.vars, sourceOfKey(raw, 'vars') ?? where, context);
  checkKeywords(raw, (key) => sourceOfKey(raw, key) ?? where, context);
  const out: Inheritable = { tags: tagList(raw.tags, sourceOfKey(raw, 'tags') ?? where) };
  const when = conditions('when', raw.when, sourceOfKey(raw, 'when') ?? where, context);
  if (when) out.when = when;
  Object.assign(out, keywordFields(raw, where, context));
  if (vars) {
    checkTemplates(vars, where, context);
    out.vars = vars as Vars;
  }
  // a block's or import's notify is its tasks' unless they name their own (as Ansible)
  if (raw.notify !== undefined && raw.notify !== null) out.notify = stringList('notify', raw.notify, sourceOfKey(raw, 'notify') ?? where);
  return out;
}

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
    const unknown = new ParseError(`'${key}' is not a known module or task keyword`, sourceOfKey(raw, key) ?? where, context);
    // A module tsplay does not have, under a condition (the task's, a block's or an include's): Ansible
    // would only look for it if the task runs, so it is kept and fails if it runs. Under ignore_errors
    // or a rescue alone it stays a load error: Ansible's parse error is fatal there too (issue73657).
    if (!action && /^[A-Za-z_][\w.]*$/.test(key) && innerScope(scope, raw).conditional && scope.warn) {
      scope.warn(unknown.where!, `${context}: ${unknown.message} ${KEPT}`);
      return unknownModuleTask(raw, key, id, scope, where, name);
    }
    throw unknown;
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

export function loadLoop(raw: Record<string, unknown>, task: Pick<Task, 'loop' | 'loopControl'>, where: Source, context: string): void {
  const loops = Object.keys(raw).filter((k) => (k === 'loop' || k.startsWith('with_')) && raw[k] !== undefined);
  if (loops.length > 1) throw new ParseError(`only one loop keyword may be used, got ${loops.join(' and ')}`, where, context);
  if (loops.length === 1) {
    const key = loops[0]!;
    const at = sourceOfKey(raw, key) ?? where;
    if (key.startsWith('with_') && !['with_items', 'with_list', 'with_dict', 'with_indexed_items'].includes(key) && !LIST_LOOKUPS[lookupName(key.slice(5))]) {
      throw new ParseError(`'${key}': the lookup '${key.slice(5)}' is not supported (with_${Object.keys(LIST_LOOKUPS).join(', with_')})`, at, context);
    }
    checkTemplates(raw[key], at, context);
    const v = raw[key];
    const templated = typeof v === 'string' && isTemplate(v);
    // loop wants a list (Ansible: "Invalid data passed to 'loop', it requires a list"); with_dict a dictionary
    if (key === 'with_dict') {
      if (!templated && (v === null || typeof v !== 'object' || Array.isArray(v))) throw new ParseError(`'with_dict' must be a dictionary or a template giving one, got ${JSON.stringify(v)}`, at, context);
    } else if (key === 'loop' || key === 'with_list' || key === 'with_indexed_items') {
      if (!templated && !Array.isArray(v)) throw new ParseError(`'${key}' must be a list or a template giving one, got ${JSON.stringify(v)}`, at, context);
    } else if (key === 'with_items' && !templated && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      throw new ParseError(`'${key}' must be a list or a template giving one, got a dictionary`, at, context);
    }
    if (key === 'with_items') task.loop = { flatten: v };
    else if (key === 'with_dict') task.loop = { dict: v };
    else if (key === 'with_indexed_items') task.loop = { indexed: v };
    else if (key === 'with_list') task.loop = { list: v };
    else if (key === 'loop') task.loop = v;
    else task.loop = { lookup: lookupName(key.slice(5)), terms: v };
  }
  if (raw.loop_control !== undefined) {
    const lc = raw.loop_control as Record<string, unknown>;
    if (lc === null || typeof lc !== 'object' || Array.isArray(lc)) throw new ParseError("'loop_control' must be a dictionary", sourceOfKey(raw, 'loop_control') ?? where, context);
    for (const k of Object.keys(lc)) {
      const at = sourceOfKey(lc, k) ?? where;
      if (!['loop_var', 'label', 'index_var', 'pause', 'extended', 'extended_allitems'].includes(k)) {
        throw new ParseError(`'loop_control' has no option '${k}'`, at, context);
      }
      const v = lc[k];
      // a template is rendered when the loop runs (renderedLoopControl)
      if ((k === 'loop_var' || k === 'index_var') && (typeof v !== 'string' || !(/^[A-Za-z_][A-Za-z0-9_]*$/.test(v) || isTemplate(v)))) throw new ParseError(`loop_control: '${k}' must be a variable name, got ${JSON.stringify(v)}`, at, context);
      if (k === 'loop_var' || k === 'index_var') checkTemplates(v, at, context);
      if (k === 'pause' && !(typeof v === 'number' && v >= 0)) throw new ParseError(`loop_control: 'pause' must be a number of seconds, got ${JSON.stringify(v)}`, at, context);
      if ((k === 'extended' || k === 'extended_allitems') && toBool(v) === undefined) throw new ParseError(`loop_control: '${k}' must be a boolean, got ${JSON.stringify(v)}`, at, context);
    }
    task.loopControl = {
      loopVar: typeof lc.loop_var === 'string' ? lc.loop_var : 'item',
      label: lc.label,
      indexVar: typeof lc.index_var === 'string' ? lc.index_var : undefined,
      pause: typeof lc.pause === 'number' ? lc.pause : undefined,
      extended: toBool(lc.extended) === true,
      // Ansible's default is true: ansible_loop.allitems is there unless turned off
      extendedAllitems: lc.extended_allitems === undefined ? true : toBool(lc.extended_allitems) === true,
    };
  }
}

/**
 * The scope for what a task/block holds: tolerant once it (or anything around it) says
 * `ignore_errors: true` or has a `when` that may be false (a block, an include, a role entry): what
 * Ansible would only find when the task runs, it may never find there.
 */
export function tolerantScope(scope: TaskScope, raw: Record<string, unknown>): TaskScope {
  if (scope.tolerant) return scope;
  const conditional = raw.when !== undefined && raw.when !== null && raw.when !== true && !(Array.isArray(raw.when) && raw.when.every((c) => c === true));
  return toBool(raw.ignore_errors) === true || conditional ? { ...scope, tolerant: true } : scope;
}

/** Why a kept task (tolerated at load time) was not checked: said in the load-time warning. */
const KEPT = '(kept: the task is under ignore_errors, a rescue or a condition; it fails when it runs, as in Ansible)';

/** A task naming a module tsplay does not have, kept where Ansible only fails it when it runs. */
function unknownModuleTask(raw: Record<string, unknown>, module: string, id: string, scope: TaskScope, where: Source, name: string | undefined): Task {
  const { [module]: args, ...keywords } = raw;
  return { kind: 'task', id, name, module, args, where, ...inheritable(keywords, where, 'task'), notify: [], listen: [], role: scope.role, handler: scope.handler };
}

/** The scope inside a task or block: tolerant (tolerantScope), and conditional once it has a `when`. */
export function innerScope(scope: TaskScope, raw: Record<string, unknown>): TaskScope {
  const tolerant = tolerantScope(scope, raw);
  const conditional = !tolerant.conditional && raw.when !== undefined && raw.when !== null ? { ...tolerant, conditional: true } : tolerant;
  let own: Partial<Inheritable> = {};
  try {
    own = keywordFields(raw, { file: scope.file }, 'task');
  } catch {
    // a bad keyword value: the task's or block's own load reports it, naming it
  }
  const inner = Object.keys(own).length > 0 ? { ...conditional, keywords: { ...scope.keywords, ...own } } : conditional;
  // an import's file name may come from its own vars or its blocks' (Ansible renders it with the task's vars)
  return raw.vars === undefined || raw.vars === null ? inner : { ...inner, vars: { ...scope.vars, ...varsDict(raw.vars, sourceOfKey(raw, 'vars') ?? { file: scope.file }) } };
}

/** A module's arguments: its action's (free-form, k=v or a dictionary) over the task's `args:` keyword. */
export function moduleArgs(mod: ModuleDef, actionArgs: unknown, extraArgs: Vars | undefined, where: Source, context: string): unknown {
  const args = normaliseArgs(mod.name, mod.freeForm ? (mod.freeFormKeys ?? []) : undefined, actionArgs, where, context);
  return extraArgs ? { ...extraArgs, ...(args as Vars) } : args;
}

/**
 * `command: ls creates=/x` or `copy: src=a dest=b` → an argument dictionary. `freeFormKeys`: the module
 * takes a free-form line, from which these k=v words are taken out (undefined: the line is all k=v).
 */
export function normaliseArgs(module: string, freeFormKeys: readonly string[] | undefined, value: unknown, where: Source, context: string): unknown {
  if (value === null || value === undefined) return {};
  if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value);
    if (freeFormKeys) {
      try {
        const { raw, options } = splitFreeForm(text, freeFormKeys);
        return { _raw_params: raw, ...options };
      } catch (e) {
        throw new ParseError((e as Error).message, where, context);
      }
    }
    return parseKeyValue(text, where, context);
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw new ParseError(`arguments of '${module}' must be a dictionary`, where, context);
  return value;
}

/** Ansible's `k=v k2="v 2"` argument form. */
export function parseKeyValue(text: string, where: Source, context: string): Vars {
  const out: Vars = {};
  // A value is quoted text, or a run of non-space characters in which {{ ... }} stays whole (spaces and all).
  // A key is a name, or holds templates (`{{ item.key }}=…`: parse_kv splits it here, the module renders
  // it when the task runs, as set_fact does).
  const re = /\s*((?:[A-Za-z_]|\{\{[\s\S]*?\}\})(?:[A-Za-z0-9_]|\{\{[\s\S]*?\}\})*)=("(?:[^"\\]|\\.)*"|'[^']*'|(?:\{\{[\s\S]*?\}\}|\{(?!\{)|[^\s{])*)/y;
  let pos = 0;
  const s = text.trim();
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new ParseError(`cannot read arguments ${JSON.stringify(text)}: expected key=value`, where, context);
    let v = m[2]!;
    if (/^".*"$/.test(v)) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (/^'.*'$/.test(v)) v = v.slice(1, -1);
    out[m[1]!] = v;
    pos = re.lastIndex;
    while (pos < s.length && /\s/.test(s[pos]!)) pos++;
  }
  return out;
}
