import { handlerTasks } from './handler-items.js';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { assignIdsUnder, assignTaskIds } from './identity.js';
import { existsSync } from 'node:fs';
import { ParseError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { loadYamlFile, sourceOf, sourceOfItem, sourceOfKey, type YamlWarning } from '../util/yaml.js';
import { isTemplate, registerPartialsDir } from '../template/render.js';
import { keywordValue, PLAY_KEYWORDS, ROLE_KEYWORDS } from './keywords.js';
import { findRole, loadRoleDependencies, loadRoleVars, roleFile, roleSearchPath } from './roles.js';
import { checkTemplates, inheritable, loadItems, tagList, varsDict, type TaskScope } from './task.js';
import { loadTimeVars, MissingInclude, renderName, RunTimeName } from './load-time.js';
import { hostPatternError } from '../inventory/patterns.js';
import { toBool } from '../util/bool.js';
import { loadGuard } from './guard.js';
import type { Block, DeferredInclude, Item, LoadedInclude, Play, Playbook, RoleInstance, Task } from './types.js';

/** The files of a role's tasks/ and handlers/ a role entry loads (tasks_from, handlers_from; without extension). */
interface RoleFiles {
  tasks: string;
  handlers: string;
}

export interface LoadOptions {
  /** roles_path from configuration. */
  rolesPath?: string[];
  /** -e: templated include/role/vars_files names and `strategy` are rendered with them. */
  extraVars?: Vars;
}

/** Load a playbook file: a list of plays and import_playbook entries, validated before anything runs. */
export function loadPlaybook(file: string, opts: LoadOptions = {}): Playbook {
  const warnings: YamlWarning[] = [];
  const plays = loadPlays(resolve(file), opts, warnings, new Set(), { vars: {}, tags: [] });
  return { file: resolve(file), plays, warnings: warnings.map((w) => `${w.where.file}:${w.where.line}:${w.where.column}: ${w.message}`) };
}

/** What an import_playbook gives the plays it imports: its `vars` (over the plays' own) and its `tags`. */
interface Imported {
  vars: Vars;
  tags: string[];
}

/** Keys an import_playbook entry may have (`when` is Ansible's too, not supported here: an error, never ignored). */
const IMPORT_PLAYBOOK_KEYS = new Set(['import_playbook', 'include', 'name', 'vars', 'tags']);

function loadPlays(file: string, opts: LoadOptions, warnings: YamlWarning[], seen: Set<string>, imported: Imported): Play[] {
  if (seen.has(file)) throw new ParseError('import_playbook loop: this playbook imports itself', { file });
  seen.add(file);
  const data = loadYamlFile(file, warnings);
  if (data === null) return [];
  if (!Array.isArray(data)) throw new ParseError('a playbook must be a list of plays', sourceOf(data) ?? { file });
  const plays: Play[] = [];
  data.forEach((raw, i) => {
    const where = sourceOfItem(data, i) ?? { file };
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ParseError('each play must be a dictionary', where);
    const entry = raw as Record<string, unknown>;
    if ('include' in entry && !('hosts' in entry)) {
      // Ansible removed the playbook-level `include` in 2.12 (2.14 refuses it): old content still runs, as import_playbook.
      warnings.push({ where, message: '"include" of a playbook is deprecated and removed in Ansible 2.12+, use import_playbook; run here as import_playbook' });
      entry.import_playbook = entry.include;
    }
    if ('import_playbook' in entry) {
      const target = entry.import_playbook;
      if (typeof target !== 'string') throw new ParseError("'import_playbook' must be a file name", where);
      for (const key of Object.keys(entry)) {
        if (!IMPORT_PLAYBOOK_KEYS.has(key)) throw new ParseError(`'${key}' is not supported on import_playbook${key === 'when' ? ' (put the condition on the imported plays\' tasks)' : ''}`, sourceOfKey(entry, key) ?? where);
      }
      // As Ansible's PlaybookInclude: the import's vars go over each imported play's own, its tags are added.
      const own = entry.vars === undefined ? {} : varsDict(entry.vars, sourceOfKey(entry, 'vars') ?? where, 'import_playbook');
      const inner: Imported = { vars: { ...imported.vars, ...own }, tags: [...new Set([...imported.tags, ...tagList(entry.tags, sourceOfKey(entry, 'tags') ?? where)])] };
      // the file name is rendered with the import's vars and extra vars, as Ansible templates it
      const name = renderName(target, 'import_playbook: file name', () => loadTimeVars({ own: inner.vars, extraVars: opts.extraVars, playbookDir: dirname(file) }), sourceOfKey(entry, 'import_playbook') ?? where);
      plays.push(...loadPlays(resolve(dirname(file), name), opts, warnings, new Set(seen), inner));
      return;
    }
    if (Object.keys(imported.vars).length > 0) entry.vars = Array.isArray(entry.vars) ? [...entry.vars, imported.vars] : { ...((entry.vars as Vars | undefined) ?? {}), ...imported.vars };
    if (imported.tags.length > 0) entry.tags = [...new Set([...tagList(entry.tags, sourceOfKey(entry, 'tags') ?? where), ...imported.tags])];
    plays.push(loadPlay(entry, file, i, opts, warnings, where));
  });
  return plays;
}

function loadPlay(raw: Record<string, unknown>, file: string, index: number, opts: LoadOptions, warnings: YamlWarning[], where: Source): Play {
  if ('user' in raw) {
    // The old spelling of remote_user, still read by Ansible 2.14.
    const at = sourceOfKey(raw, 'user') ?? where;
    if ('remote_user' in raw) throw new ParseError("both 'user' and 'remote_user' are set for this play; 'user' is the old spelling of 'remote_user', keep one", at);
    warnings.push({ where: at, message: "the play keyword 'user' is deprecated: write 'remote_user'" });
    raw.remote_user = raw.user;
    delete raw.user;
  }
  for (const key of Object.keys(raw)) {
    if (!PLAY_KEYWORDS.has(key)) throw new ParseError(`'${key}' is not a valid play keyword`, sourceOfKey(raw, key) ?? where);
  }
  if (raw.hosts === undefined || raw.hosts === null || raw.hosts === '') throw new ParseError("the play has no 'hosts'", where);
  const hosts = raw.hosts;
  if (typeof hosts !== 'string' && !(Array.isArray(hosts) && hosts.every((h) => typeof h === 'string'))) {
    throw new ParseError("'hosts' must be a pattern string or a list of patterns", sourceOfKey(raw, 'hosts') ?? where);
  }
  if (!(Array.isArray(hosts) ? hosts : [hosts]).some((h) => isTemplate(h))) {
    const bad = hostPatternError(hosts as string | string[]);
    if (bad) throw new ParseError(bad, sourceOfKey(raw, 'hosts') ?? where);
  }
  const dir = dirname(file);
  // Shared snippets: {{> name}} from templates/partials/ beside the playbook (and in each role).
  registerPartialsDir(join(dir, 'templates', 'partials'));
  const name = typeof raw.name === 'string' ? raw.name : Array.isArray(hosts) ? hosts.join(',') : hosts;
  const context = `play '${name}'`;
  const searchPath = roleSearchPath(dir, opts.rolesPath);
  const handlers: Task[] = [];
  /** roles: entries and meta dependencies run once per play (same role, same params), as in Ansible. */
  const roleSeen = new Set<string>();
  const handlersSeen = new Set<string>();
  const id = `play${index}`;

  const scopeFor = (fileOf: string, role?: RoleInstance, handler = false): TaskScope => ({
    file: fileOf,
    role,
    handler,
    // a play's own `ignore_errors: true` tolerates every task's failure
    tolerant: toBool(raw.ignore_errors) === true,
    warn: (at, message) => warnings.push({ where: at, message }),
    expandInclude: (action, params, at, scope) => expandInclude(action, params, at, scope),
  });

  const loadRole = (entry: unknown, at: Source, path: string, chain: string[] = [], tolerant = false, parent?: RoleInstance): Block[] => {
    let roleName: string;
    let params: Vars = {};
    let keywords: Record<string, unknown> = {};
    if (typeof entry === 'string') roleName = entry;
    else if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
      const e = entry as Record<string, unknown>;
      const n = e.role ?? e.name;
      if (typeof n !== 'string') throw new ParseError("a role entry needs 'role: NAME'", at);
      roleName = n;
      for (const [k, v] of Object.entries(e)) {
        if (k === 'role' || (k === 'name' && e.role === undefined)) continue;
        if (k === 'vars') Object.assign(params, varsDict(v, sourceOfKey(e, 'vars') ?? at, `role '${roleName}'`));
        else if (ROLE_KEYWORDS.has(k) && k !== 'name') keywords[k] = v;
        else params[k] = v;
      }
    } else throw new ParseError('a role entry must be a name or a dictionary', at);
    roleName = renderName(roleName, 'role name', () => nameScope(parent), at);
    return [roleBlock(roleName, params, keywords, { tasks: 'main', handlers: 'main' }, at, path, true, chain, tolerant)];
  };

  function roleBlock(roleName: string, params: Vars, keywords: Record<string, unknown>, from: RoleFiles, at: Source, path: string, dedupe: boolean, chain: string[] = [], outerTolerant = false): Block {
    // the role entry's `ignore_errors: true` (or one around it) tolerates its tasks' failures
    const tolerant = outerTolerant || toBool(keywords.ignore_errors) === true;
    const rolePath = findRole(roleName, searchPath, at);
    // A role that depends on itself, directly or through others, would expand forever.
    const depChain = [...chain, rolePath];
    if (chain.includes(rolePath)) {
      const names = depChain.slice(chain.indexOf(rolePath)).map((p) => basename(p));
      throw new ParseError(`role dependency cycle: ${names.join(' -> ')}`, at);
    }
    registerPartialsDir(join(rolePath, 'templates', 'partials'));
    const role: RoleInstance = {
      name: roleName,
      path: rolePath,
      defaults: loadRoleVars(rolePath, 'defaults', warnings),
      vars: loadRoleVars(rolePath, 'vars', warnings),
      params,
    };
    checkTemplates(params, at, `role '${roleName}'`);
    const tasksFrom = from.tasks;
    const key = `${rolePath}|${JSON.stringify(params)}|${tasksFrom}`;
    const items: Item[] = [];
    const deps = loadRoleDependencies(rolePath, warnings);
    deps.forEach((dep, i) => {
      items.push(...loadRole(dep, sourceOfItem(deps, i) ?? { file: join(rolePath, 'meta') }, `${path}/dep[${i}]`, depChain, tolerant, role));
    });
    if (!dedupe || !roleSeen.has(key)) {
      if (dedupe) roleSeen.add(key);
      const tasksFile = roleFile(rolePath, 'tasks', tasksFrom);
      if (!tasksFile && tasksFrom !== 'main') throw new ParseError(`role '${roleName}' has no tasks file '${tasksFrom}'`, at);
      if (tasksFile) items.push(...loadItems(loadYamlFile(tasksFile, warnings), `${path}/${roleName}`, { ...scopeFor(tasksFile, role), tolerant: tolerant || scopeFor(tasksFile, role).tolerant }, { file: tasksFile }));
      // handlers_from names another file of the role's handlers/ (include_role, import_role)
      const handlersFile = roleFile(rolePath, 'handlers', from.handlers);
      if (!handlersFile && from.handlers !== 'main') throw new ParseError(`role '${roleName}' has no handlers file '${from.handlers}'`, at);
      if (handlersFile && !handlersSeen.has(handlersFile)) {
        handlersSeen.add(handlersFile);
        // an include_tasks/import_tasks/block among handlers contributes its tasks (handler-items.ts)
        handlers.push(...handlerTasks(loadItems(loadYamlFile(handlersFile, warnings), `${id}/handlers/${roleName}`, scopeFor(handlersFile, role, true), { file: handlersFile })));
      }
    }
    return { kind: 'block', id: path, name: roleName, where: at, ...inheritable(keywords, at, `role '${roleName}'`), block: items, rescue: [], always: [], role };
  }

  /**
   * What an import/include brings in. A dynamic include (include_tasks/include_role, not a handler)
   * whose name needs run-time values, or whose target is missing where it may never run (under a
   * `when`, ignore_errors or a rescue), is deferred: each host decides it when it gets there.
   */
  function expandInclude(action: string, params: Vars, at: Source, scope: TaskScope): Item[] | DeferredInclude {
    if (!action.startsWith('include_')) return loadTarget(action, params, resolveTarget(action, params, at, scope), at, scope);
    let target: Target | undefined;
    try {
      target = resolveTarget(action, params, at, scope);
      return loadTarget(action, params, target, at, scope);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      // its own name needs run-time values (a deeper include's is that include's business)
      if (e instanceof RunTimeName && !target && !scope.handler) return deferInclude(action, params, at, scope);
      // Where it may never run (Ansible loads a dynamic include only when it runs): a warning now, a
      // failure if it runs. A task's include: only a missing file or role (one that does not validate
      // stops the run when Ansible loads it, rescue or not); a handler's: any error (it loads when notified).
      if (e instanceof RunTimeName || !(scope.tolerant || scope.conditional)) throw e;
      if (!scope.handler && !(e instanceof MissingInclude && !target)) throw e;
      warnings.push({ where: e.where ?? at, message: `${e.context ? `${e.context}: ` : ''}${e.message} (kept: the include is under a when, ignore_errors or a rescue; it fails when it runs, as in Ansible)` });
      // a handler's tasks are known when the playbook loads: the include's is one that fails with this error
      if (scope.handler) return [{ kind: 'task', id: `${id}/${action}:failed`, module: 'fail', args: { msg: e.describe() }, where: at, tags: [], notify: [], listen: [], role: scope.role, handler: true }];
      return deferInclude(action, params, at, scope);
    }
  }

  type Target = { file: string; name: string } | { role: string; from: RoleFiles };

  /** An include's names rendered (load-time vars) and its target found: a tasks file, or a role and its tasks_from. */
  function resolveTarget(action: string, params: Vars, at: Source, scope: TaskScope): Target {
    if (action.endsWith('_role')) {
      if (typeof params.name !== 'string') throw new ParseError(`${action}: 'name' of the role is required`, at);
      const roleName = renderName(params.name, `${action}: role name`, () => nameScope(scope.role), at);
      const fromFile = (key: 'tasks_from' | 'handlers_from') =>
        typeof params[key] === 'string' ? renderName(params[key] as string, `${action}: ${key}`, () => nameScope(scope.role), at).replace(/\.ya?ml$/, '') : 'main';
      const from: RoleFiles = { tasks: fromFile('tasks_from'), handlers: fromFile('handlers_from') };
      let rolePath: string;
      try {
        rolePath = findRole(roleName, searchPath, at);
      } catch (e) {
        throw e instanceof ParseError ? new MissingInclude(e.message, at) : e;
      }
      if (from.tasks !== 'main' && !roleFile(rolePath, 'tasks', from.tasks)) throw new MissingInclude(`role '${roleName}' has no tasks file '${from.tasks}'`, at);
      return { role: roleName, from };
    }
    if (typeof params.file !== 'string') throw new ParseError(`${action}: the file to include is required`, at);
    const target = renderName(params.file, `${action}: file name`, () => nameScope(scope.role), at);
    const candidates = isAbsolute(target)
      ? [target]
      : [...new Set([...(scope.role ? [join(scope.role.path, 'tasks', target)] : []), join(dirname(scope.file), target), join(dir, target)])];
    const found = candidates.find((c) => existsSync(c));
    if (!found) throw new MissingInclude(`${action}: file '${target}' not found (looked in ${candidates.join(', ')})`, at);
    return { file: found, name: target };
  }

  function loadTarget(action: string, params: Vars, target: Target, at: Source, scope: TaskScope): Item[] {
    if ('role' in target) {
      const roleParams: Vars = {};
      for (const [k, v] of Object.entries(params)) {
        if (!['name', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'allow_duplicates', 'public', 'apply'].includes(k)) roleParams[k] = v;
      }
      return [roleBlock(target.role, roleParams, {}, target.from, at, `${id}/${action}:${target.role}`, false, [], scope.tolerant)];
    }
    const found = target.file;
    // A file that includes itself, directly or through others, would expand forever.
    const chain = [...(scope.chain ?? [scope.file]), found];
    if (chain.indexOf(found) < chain.length - 1) {
      const names = chain.slice(chain.indexOf(found)).map((f) => relative(dir, f) || f);
      throw new ParseError(`include cycle: ${names.join(' -> ')}`, at);
    }
    return loadItems(loadYamlFile(found, warnings), `${id}/${action}:${target.name}`, { ...scopeFor(found, scope.role, scope.handler), chain, tolerant: scope.tolerant, conditional: scope.conditional }, { file: found });
  }

  /** A dynamic include kept for run time: its names as written and a loader for what they render to (cached per key). */
  function deferInclude(action: string, params: Vars, at: Source, scope: TaskScope): DeferredInclude {
    const names: Record<string, string> = {};
    for (const k of action.endsWith('_role') ? ['name', 'tasks_from'] : ['file']) if (typeof params[k] === 'string') names[k] = params[k] as string;
    const cache = new Map<string, LoadedInclude>();
    return {
      names,
      load(key, idPrefix) {
        const cached = cache.get(`${idPrefix}\u0000${key}`);
        if (cached) return cached;
        const rendered = JSON.parse(key) as Record<string, string>;
        const handlersBefore = handlers.length;
        const warningsBefore = warnings.length;
        const p = { ...params, ...rendered };
        const target = resolveTarget(action, p, at, scope);
        const items = loadTarget(action, p, target, at, scope);
        const loaded: LoadedInclude = {
          items: assignIdsUnder(items, `${idPrefix}>`, dir),
          file: 'file' in target ? target.file : items[0]!.role!.path,
          handlers: assignIdsUnder(handlers.slice(handlersBefore), '', dir) as Task[],
          warnings: warnings.slice(warningsBefore).map((w) => `${w.where.file}:${w.where.line}:${w.where.column}: ${w.message}`),
        };
        cache.set(`${idPrefix}\u0000${key}`, loaded);
        return loaded;
      },
    };
  }

  const playVars = varsDict(raw.vars, sourceOfKey(raw, 'vars') ?? where, context);
  let varsFilesSoFar: Vars = {};
  /** What a templated name (include, role, vars_files, strategy) is rendered with at load time. */
  const nameScope = (role?: RoleInstance): Vars => loadTimeVars({ playVars, varsFiles: varsFilesSoFar, extraVars: opts.extraVars, role, playbookDir: dir });
  const varsFiles: Vars = {};
  for (const vf of raw.vars_files === undefined ? [] : Array.isArray(raw.vars_files) ? raw.vars_files : [raw.vars_files]) {
    const at = sourceOfKey(raw, 'vars_files') ?? where;
    // An entry may be a list of candidates: the first that exists is read (Ansible's vars_files).
    const candidates = Array.isArray(vf) ? vf : [vf];
    if (candidates.length === 0 || candidates.some((c) => typeof c !== 'string')) throw new ParseError("'vars_files' must be a list of file names", at);
    const paths = candidates.map((c) => renderName(c as string, 'vars_files', () => nameScope(), at, context)).map((n) => (isAbsolute(n) ? n : join(dir, n)));
    const p = paths.find((x) => existsSync(x)) ?? paths[paths.length - 1]!;
    const data = loadYamlFile(p, warnings);
    if (data !== null && (typeof data !== 'object' || Array.isArray(data))) throw new ParseError('a vars file must be a dictionary', { file: p });
    Object.assign(varsFiles, data);
    varsFilesSoFar = { ...varsFiles };
  }
  const scope = scopeFor(file);
  const section = (key: string) => loadItems(raw[key], `${id}/${key}`, scope, sourceOfKey(raw, key) ?? where);
  const roles: Item[] = [];
  if (raw.roles !== undefined && raw.roles !== null) {
    if (!Array.isArray(raw.roles)) throw new ParseError("'roles' must be a list", sourceOfKey(raw, 'roles') ?? where);
    raw.roles.forEach((r, i) => roles.push(...loadRole(r, sourceOfItem(raw.roles, i) ?? sourceOfKey(raw, 'roles') ?? where, `${id}/roles[${i}]`)));
  }
  const playHandlers = handlerTasks(loadItems(raw.handlers, `${id}/handlers`, scopeFor(file, undefined, true), where));
  const order = (raw.order ?? 'inventory') as Play['order'];
  if (!['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'].includes(order)) throw new ParseError(`'order' must be inventory, reverse_inventory, sorted, reverse_sorted or shuffle`, sourceOfKey(raw, 'order') ?? where);
  const strategyRaw = raw.strategy ?? 'linear';
  const strategy = (typeof strategyRaw === 'string' ? renderName(strategyRaw, 'strategy', () => nameScope(), sourceOfKey(raw, 'strategy') ?? where, context) : strategyRaw) as Play['strategy'];
  if (!['linear', 'free'].includes(strategy)) throw new ParseError(`'strategy' must be linear or free${strategy === strategyRaw ? '' : `, got '${strategy}' from '${String(strategyRaw)}'`}`, sourceOfKey(raw, 'strategy') ?? where);
  checkTemplates(raw.name, where, context);
  const at = (key: string) => sourceOfKey(raw, key) ?? where;
  const forceHandlers = keywordValue('force_handlers', raw.force_handlers, at('force_handlers'), context);
  const play: Play = {
    name,
    where,
    hosts: hosts as string | string[],
    gatherFacts: keywordValue('gather_facts', raw.gather_facts, at('gather_facts'), context, false) ?? true,
    serial: keywordValue('serial', raw.serial, at('serial'), context, false),
    maxFailPercentage: raw.max_fail_percentage,
    order,
    strategy,
    ...(forceHandlers !== undefined ? { forceHandlers: forceHandlers === true } : {}),
    varsFiles,
    ...inheritable(raw, where, context),
    preTasks: section('pre_tasks'),
    tasks: [...roles, ...section('tasks')],
    postTasks: section('post_tasks'),
    handlers: [...(playHandlers as Task[]), ...handlers],
    dir,
  };
  if (raw.guard !== undefined) play.guard = loadGuard(raw.guard, id, scope, sourceOfKey(raw, 'guard') ?? where);
  assignTaskIds(play);
  return play;
}
