import { ParseError, type Source } from '../errors.js';
import { sourceOfKey } from '../util/yaml.js';
import type { Vars } from '../types.js';
import { BLOCK_KEYWORDS, keywordValue } from './keywords.js';
import { loadLoop } from './loop-keywords.js';
import { parseKeyValue } from './module-args.js';
import { inheritable, registerName, stringList } from './task-keywords.js';
import { innerScope, type TaskScope } from './task-scope.js';
import { roleUseKey, type Block, type Inheritable, type Item } from './types.js';

/** An include's tasks under its `apply:` keywords: one block around them (its id under the include's), as Ansible. */
export function applied(includeId: string, where: Source, apply: Inheritable | undefined, items: Item[]): Item[] {
  if (!apply || items.length === 0) return items;
  // placed where its first task is: the include's `included:` line names that file
  return [{ kind: 'block', id: `${includeId}/apply`, where: items[0]!.where ?? where, ...apply, block: items, rescue: [], always: [] }];
}

/**
 * The legacy task `include: FILE k=v…` (deprecated in Ansible 2.14, removed in 2.16): as 2.14 decides,
 * static (import_tasks) unless it has a loop, dynamic (include_tasks) then; its k=v words and extra
 * arguments are variables of the included tasks. A deprecation warning names the replacement.
 */
export function loadLegacyInclude(raw: Record<string, unknown>, key: string, value: unknown, id: string, scope: TaskScope, where: Source, name: string | undefined, context: string): Item {
  let file: unknown;
  let vars: Vars = {};
  if (typeof value === 'string') {
    const text = value.trim();
    const first = text.split(/\s+/, 1)[0] ?? '';
    file = first.includes('=') ? undefined : first;
    vars = parseKeyValue(file === undefined ? text : text.slice(first.length), where, context);
    if (file === undefined) file = vars.file ?? vars._raw_params;
    delete vars.file;
  } else if (value && typeof value === 'object' && !Array.isArray(value)) {
    const { file: f, _raw_params: rp, ...rest } = value as Vars;
    file = f ?? rp;
    vars = rest;
  }
  if (typeof file !== 'string' || file === '') throw new ParseError('include: give the file to include', where, context);
  const dynamic = Object.keys(raw).some((k) => (k === 'loop' || k.startsWith('with_')) && raw[k] !== undefined);
  const action = dynamic ? 'include_tasks' : 'import_tasks';
  scope.warn?.(where, `${context === 'task' ? '' : `${context}: `}"include" is deprecated, use include_tasks/import_tasks instead (removed in Ansible 2.16); run here as ${action}`);
  const { [key]: _legacy, ...rest } = raw;
  if (rest.vars !== undefined && (rest.vars === null || typeof rest.vars !== 'object' || Array.isArray(rest.vars))) throw new ParseError("'vars' must be a dictionary", sourceOfKey(raw, 'vars') ?? where, context);
  const merged: Record<string, unknown> = { ...rest, [action]: { file } };
  if (Object.keys(vars).length > 0 || rest.vars) merged.vars = { ...vars, ...((rest.vars as Vars | undefined) ?? {}) };
  return loadInclude(merged, action, { file }, id, scope, where, name, context);
}

const keyAt = (o: unknown, key: string): Source | undefined => (o && typeof o === 'object' && !Array.isArray(o) ? sourceOfKey(o as Record<string, unknown>, key) : undefined);

export function loadInclude(raw: Record<string, unknown>, action: string, value: unknown, id: string, scope: TaskScope, where: Source, name: string | undefined, context: string): Item {
  let params: Vars;
  // include_role: name=ROLE tasks_from=… (k=v form); a bare word is the role's name
  // include_tasks: file=FILE (k=v form, as Ansible parses the free-form string); else the file's name
  if (typeof value === 'string') params = action.endsWith('_role') ? (value.includes('=') ? parseKeyValue(value, where, context) : { name: value }) : /^\s*file=/.test(value) ? parseKeyValue(value, where, context) : { file: value };
  else if (value && typeof value === 'object' && !Array.isArray(value)) params = { ...(value as Vars) };
  else throw new ParseError(`${action}: give a file name (or 'name' for roles)`, where, context);
  if (action.endsWith('_tasks') && params._raw_params !== undefined) params.file = params._raw_params;
  const dynamic = action.startsWith('include_');
  for (const key of Object.keys(raw)) {
    // `action: include_tasks FILE` names the include as its module key would
    if (key === action || key === `ansible.builtin.${action}` || key === 'args' || key === 'action') continue;
    // Ansible's TaskInclude keywords: an include registers its own result; an include handler has listen topics
    if (dynamic && (key === 'register' || (key === 'listen' && scope.handler))) continue;
    if (!BLOCK_KEYWORDS.has(key) && key !== 'loop' && key !== 'loop_control' && !key.startsWith('with_')) throw new ParseError(`'${key}' is not valid on ${action}`, sourceOfKey(raw, key) ?? where, context);
  }
  if (raw.args && typeof raw.args === 'object') Object.assign(params, raw.args);
  if (action.endsWith('_role')) {
    // Ansible's IncludeRole: each *_from names one file of the role (a list is an error there too)
    for (const key of ['tasks_from', 'vars_from', 'defaults_from', 'handlers_from']) {
      const v = params[key];
      if (v !== undefined && typeof v !== 'string') throw new ParseError(`${action}: '${key}' must be a file name (a string), got ${Array.isArray(v) ? 'a list' : JSON.stringify(v)}`, keyAt(value, key) ?? keyAt(raw.args, key) ?? where, context);
    }
  }
  // `apply:` (include_* only): keywords for the included tasks, not for the include itself
  let apply: Inheritable | undefined;
  if (params.apply !== undefined) {
    if (!action.startsWith('include_')) throw new ParseError(`'apply' is not valid on ${action} (only on include_tasks/include_role)`, where, context);
    const a = params.apply;
    if (a === null || typeof a !== 'object' || Array.isArray(a)) throw new ParseError(`${action}: 'apply' must be a dictionary of task keywords`, where, context);
    for (const key of Object.keys(a)) if (!BLOCK_KEYWORDS.has(key)) throw new ParseError(`${action}: apply: '${key}' is not a task keyword`, where, context);
    apply = inheritable(a as Record<string, unknown>, where, `${context}: apply`);
    delete params.apply;
  }
  // a dynamic include's own keywords are not its tasks' (nor its role's handlers'); the blocks' around are
  const inner = innerScope(scope, raw);
  const expanded = scope.expandInclude(action, params, where, dynamic ? { ...inner, keywords: scope.keywords, when: scope.when } : inner);
  const deferred = Array.isArray(expanded) ? undefined : expanded;
  const items = Array.isArray(expanded) ? applied(id, where, apply, expanded) : [];
  const keywords = inheritable(raw, where, context);
  const block: Block = { kind: 'block', id, name: name ?? `${action} ${String(params.file ?? params.name)}`, where, ...keywords, block: items, rescue: [], always: [], role: scope.role };
  if (action.startsWith('import_')) block.imported = true;
  // Ansible's include params are the include's `vars:`, not its own options (file, name, tasks_from).
  if (action.startsWith('include_')) {
    const written = Object.keys(raw).find((k) => k === action || k.endsWith(`.${action}`)) ?? action;
    const target = String(params.file ?? params.name);
    const display = name ?? (action.endsWith('_role') ? `${written} : ${target}` : written);
    // include_role's `public:` is decided when it runs (a template renders with the host's vars)
    if (params.public !== undefined) keywordValue('public', params.public, where, context, false);
    block.include = { module: action, params: keywords.vars ?? {}, display, target, ...(deferred ? { deferred } : {}), ...(apply ? { apply } : {}), ...(params.public !== undefined ? { public: params.public } : {}), ...(params.allow_duplicates !== undefined ? { allowDuplicates: params.allow_duplicates } : {}), ...roleFrom(params) };
    if (raw.register !== undefined) block.include.register = registerName(raw, where, context);
    if (raw.listen !== undefined && raw.listen !== null) block.include.listen = stringList('listen', raw.listen, sourceOfKey(raw, 'listen') ?? where);
    // A loop on a dynamic include runs its tasks once per item (with item in the include params).
    loadLoop(raw, block.include, where, context);
  } else {
    // an include_role's allow_duplicates: false knows this role as run once its tasks ran (executor/role-duplicates.ts)
    const imported = items[0]?.role;
    if (action === 'import_role' && imported) imported.useKey = roleUseKey(imported, keywords.vars, roleFrom(params).roleFrom);
    const loopKey = Object.keys(raw).find((k) => k === 'loop' || k === 'loop_control' || k.startsWith('with_'));
    if (loopKey) throw new ParseError(`'${loopKey}' is not valid on ${action} (a static import); use include_${action.slice(7)}`, sourceOfKey(raw, loopKey) ?? where, context);
  }
  return block;
}

/** include_role's `*_from` names as written: with its vars and role params, they tell one use of a role from another (Ansible's role cache). */
function roleFrom(params: Vars): { roleFrom?: Vars } {
  const from = Object.fromEntries(['tasks_from', 'vars_from', 'defaults_from', 'handlers_from'].filter((k) => params[k] !== undefined).map((k) => [k, params[k]]));
  return Object.keys(from).length > 0 ? { roleFrom: from } : {};
}
