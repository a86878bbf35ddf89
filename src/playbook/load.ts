import { handlerTasks } from './handler-items.js';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { assignIdsUnder, assignTaskIds } from './identity.js';
import { existsSync } from 'node:fs';
import { ParseError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { loadYamlFile, sourceOf, sourceOfItem, sourceOfKey, type YamlWarning } from '../util/yaml.js';
import { isTemplate, registerPartialsDir } from '../template/render.js';
import { OMIT } from '../template/expr-funcs.js';
import { keywordValue, PLAY_KEYWORDS, ROLE_KEYWORDS } from './keywords.js';
import { roleSpecValidate, roleValidationTask } from './argument-specs.js';
import { findRole, loadRoleMeta, loadRoleVars, RoleFileMissing, roleFile, roleSearchPath } from './roles.js';
import { loadItems } from './task.js';
import { checkTemplates, conditions, inheritable, keywordFields, tagList, varsDict } from './task-keywords.js';
import type { TaskScope } from './task-scope.js';
import { loadTimeVars, MissingInclude, renderLoadTime, renderName, RunTimeName } from './load-time.js';
import { hostPatternError } from '../inventory/patterns.js';
import { toBool } from '../util/bool.js';
import { loadGuard } from './guard.js';
import type { Block, DeferredInclude, Item, LoadedInclude, Play, Playbook, RoleInstance, Task } from './types.js';

/** The files of a role's tasks/ and handlers/ a role entry loads (tasks_from, handlers_from; without extension), and its vars_from/defaults_from. */
interface RoleFiles {
  tasks: string;
  handlers: string;
  vars?: string;
  defaults?: string;
  /** tasks_from's name as written (`x.yml` too): the entry point whose argument spec is validated. */
  entry?: string;
  /** rolespec_validate: false — no argument spec validation for this use. */
  validate?: boolean;
}

/**
 * How a role is brought in: a `roles:` entry or meta dependency (run once per play with the same
 * params, unless its meta says allow_duplicates), an import_role (its own allow_duplicates, default
 * true), an include_role. As Ansible's role cache, imports and entries never count as each other's duplicates.
 */
type RoleUse = { via: 'roles' } | { via: 'import_role'; allowDuplicates: boolean } | { via: 'include_role' };

export interface LoadOptions {
  /** roles_path from configuration. */
  rolesPath?: string[];
  /** -e: templated include/role/vars_files names and `strategy` are rendered with them. */
  extraVars?: Vars;
}

/** Load a playbook file: a list of plays and import_playbook entries, validated before anything runs. */
export function loadPlaybook(file: string, opts: LoadOptions = {}): Playbook {
  const warnings: YamlWarning[] = [];
  const plays = loadPlays(resolve(file), opts, warnings, new Set(), { vars: {}, tags: [], when: [] });
  return { file: resolve(file), plays, warnings: warnings.map((w) => `${w.where.file}:${w.where.line}:${w.where.column}: ${w.message}`) };
}

/** What an import_playbook gives the plays it imports: its `vars` (over the plays' own), its `tags` and its `when`. */
interface Imported {
  vars: Vars;
  tags: string[];
  /** The conditions of the imports around (outermost first): put before each task's and block's own. */
  when: unknown[];
  /** The condition on fact gathering: the outermost import's that has one (Ansible's _included_conditional). */
  gatherWhen?: unknown[];
}

/** Keys an import_playbook entry may have. */
const IMPORT_PLAYBOOK_KEYS = new Set(['import_playbook', 'include', 'name', 'vars', 'tags', 'when']);

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
        if (!IMPORT_PLAYBOOK_KEYS.has(key)) throw new ParseError(`'${key}' is not supported on import_playbook`, sourceOfKey(entry, key) ?? where);
      }
      // As Ansible's PlaybookInclude: the import's vars go over each imported play's own, its tags are
      // added, its when goes before the conditions of every task and block of the imported plays and
      // on their fact gathering (so a false one skips them, host by host, with the play's vars).
      const own = entry.vars === undefined ? {} : varsDict(entry.vars, sourceOfKey(entry, 'vars') ?? where, 'import_playbook');
      const when = inheritable({ when: entry.when }, sourceOfKey(entry, 'when') ?? where, 'import_playbook').when ?? [];
      const inner: Imported = {
        vars: { ...imported.vars, ...own },
        tags: [...new Set([...imported.tags, ...tagList(entry.tags, sourceOfKey(entry, 'tags') ?? where)])],
        when: [...imported.when, ...when],
        ...(imported.gatherWhen ? { gatherWhen: imported.gatherWhen } : when.length > 0 ? { gatherWhen: when } : {}),
      };
      // the file name is rendered with the import's vars and extra vars, as Ansible templates it
      const name = renderName(target, 'import_playbook: file name', () => loadTimeVars({ own: inner.vars, extraVars: opts.extraVars, playbookDir: dirname(file) }), sourceOfKey(entry, 'import_playbook') ?? where);
      plays.push(...loadPlays(resolve(dirname(file), name), opts, warnings, new Set(seen), inner));
      return;
    }
    if (Object.keys(imported.vars).length > 0) entry.vars = Array.isArray(entry.vars) ? [...entry.vars, imported.vars] : { ...((entry.vars as Vars | undefined) ?? {}), ...imported.vars };
    if (imported.tags.length > 0) entry.tags = [...new Set([...tagList(entry.tags, sourceOfKey(entry, 'tags') ?? where), ...imported.tags])];
    const play = loadPlay(entry, file, i, opts, warnings, where);
    if (imported.when.length > 0) conditionPlay(play, imported.when, imported.gatherWhen);
    plays.push(play);
  });
  return plays;
}

/** An imported play under its imports' `when`: on every task and block (not handlers) and on its fact gathering. */
function conditionPlay(play: Play, when: unknown[], gatherWhen: unknown[] | undefined): void {
  const guard = play.guard ? [play.guard.setup, play.guard.precheck, play.guard.teardown] : [];
  for (const items of [play.preTasks, play.tasks, play.postTasks, ...guard]) {
    for (const item of items) item.when = [...when, ...(item.when ?? [])];
  }
  if (gatherWhen) play.gatherWhen = gatherWhen;
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
  /** Roles already brought in (Ansible's role cache: same role, params, keywords and files). */
  const roleSeen = new Set<string>();
  /**
   * Play.roles: the roles: entries first, then the roles import_role brings in, in load order (also
   * later, from a role an include_role loads at run time), as Ansible's play.roles.
   */
  const playRoles: RoleInstance[] = [];
  let entryCount = 0;
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
    let entryVars: Vars | undefined;
    if (typeof entry === 'string') roleName = entry;
    else if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
      const e = entry as Record<string, unknown>;
      const n = e.role ?? e.name;
      if (typeof n !== 'string') throw new ParseError("a role entry needs 'role: NAME'", at);
      roleName = n;
      for (const [k, v] of Object.entries(e)) {
        if (k === 'role' || (k === 'name' && e.role === undefined)) continue;
        if (k === 'vars') Object.assign((entryVars ??= {}), varsDict(v, sourceOfKey(e, 'vars') ?? at, `role '${roleName}'`));
        else if (ROLE_KEYWORDS.has(k) && k !== 'name') keywords[k] = v;
        else params[k] = v;
      }
      if (entryVars) Object.assign(params, entryVars);
    } else throw new ParseError('a role entry must be a name or a dictionary', at);
    roleName = renderName(roleName, 'role name', () => nameScope(parent), at);
    return [roleBlock(roleName, params, keywords, { tasks: 'main', handlers: 'main' }, at, path, { via: 'roles' }, chain, tolerant, entryVars)];
  };

  function roleBlock(roleName: string, params: Vars, keywords: Record<string, unknown>, from: RoleFiles, at: Source, path: string, use: RoleUse, chain: string[] = [], outerTolerant = false, entryVars?: Vars, outer?: Pick<TaskScope, 'keywords' | 'vars' | 'when'>): Block {
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
    const roleVars = (sub: 'defaults' | 'vars') => {
      try {
        return loadRoleVars(rolePath, sub, warnings, from[sub]);
      } catch (e) {
        if (e instanceof RoleFileMissing) throw new MissingInclude(e.message, at);
        throw e;
      }
    };
    const role: RoleInstance = {
      name: roleName,
      path: rolePath,
      defaults: roleVars('defaults'),
      vars: roleVars('vars'),
      params,
      ...(entryVars ? { entryVars } : {}),
    };
    checkTemplates(params, at, `role '${roleName}'`);
    const tasksFrom = from.tasks;
    const meta = loadRoleMeta(rolePath, warnings);
    // the same role again (same params, keywords and files) runs only if allowed, as Ansible's role cache
    const key = JSON.stringify([use.via === 'roles' ? 'roles' : 'include', rolePath, params, keywords, from]);
    const allowDuplicates = use.via === 'roles' ? keywordValue('allow_duplicates', meta.allowDuplicates ?? false, meta.where, `role '${roleName}' meta`) === true : use.via === 'include_role' || use.allowDuplicates;
    const items: Item[] = [];
    const deps = meta.dependencies;
    role.deps = [];
    deps.forEach((dep, i) => {
      const [depBlock] = loadRole(dep, sourceOfItem(deps, i) ?? meta.where, `${path}/dep[${i}]`, depChain, tolerant, role);
      role.deps!.push(depBlock!.role!);
      items.push(depBlock!);
    });
    if (use.via === 'roles' && chain.length === 0) playRoles.splice(entryCount++, 0, role);
    if (use.via === 'import_role') playRoles.push(role);
    if (allowDuplicates || !roleSeen.has(key)) {
      roleSeen.add(key);
      const tasksFile = roleFile(rolePath, 'tasks', tasksFrom);
      if (!tasksFile && tasksFrom !== 'main') throw new ParseError(`role '${roleName}' has no tasks file '${tasksFrom}'`, at);
      const taskScope = (f: string) => ({ ...scopeFor(f, role), tolerant: tolerant || scopeFor(f, role).tolerant, ...(outer?.keywords ? { keywords: outer.keywords } : {}) });
      // the role's argument spec for its entry point: a validation task before its own (argument-specs.ts)
      const provided = entryVars ? Object.fromEntries(Object.entries(params).filter(([k]) => !(k in entryVars))) : params;
      const validation = from.validate === false ? undefined : roleValidationTask(rolePath, roleName, from.entry ?? tasksFrom, provided, warnings);
      if (validation) items.push(...loadItems([validation.raw], `${path}/${roleName}/argument_spec`, taskScope(validation.where.file), validation.where));
      if (tasksFile) items.push(...loadItems(loadYamlFile(tasksFile, warnings), `${path}/${roleName}`, taskScope(tasksFile), { file: tasksFile }));
      // handlers_from names another file of the role's handlers/ (include_role, import_role)
      const handlersFile = roleFile(rolePath, 'handlers', from.handlers);
      if (!handlersFile && from.handlers !== 'main') throw new ParseError(`role '${roleName}' has no handlers file '${from.handlers}'`, at);
      if (handlersFile && !handlersSeen.has(handlersFile)) {
        handlersSeen.add(handlersFile);
        // an include_tasks/import_tasks/block among handlers contributes its tasks (handler-items.ts)
        // the keywords and vars of the import/include that brought the role in (and of the blocks around
        // it) are its handlers' too, their own winning: Ansible parents them to it (a delegated
        // import_role's handlers are delegated)
        const inherited: Record<string, unknown> = { ...outer?.keywords, ...keywordFields(keywords, at, `role '${roleName}'`) };
        // and so is the `when` of the role entry, or of the import_role and the blocks around it
        const roleWhen = [...(outer?.when ?? []), ...(conditions('when', keywords.when, sourceOfKey(keywords, 'when') ?? at, `role '${roleName}'`) ?? [])];
        const own = handlerTasks(loadItems(loadYamlFile(handlersFile, warnings), `${id}/handlers/${roleName}`, scopeFor(handlersFile, role, true), { file: handlersFile }));
        handlers.push(...own.map((h): Task => {
          const missing = Object.fromEntries(Object.entries(inherited).filter(([k]) => (h as unknown as Record<string, unknown>)[k] === undefined));
          return { ...h, ...missing, ...(roleWhen.length ? { when: [...roleWhen, ...(h.when ?? [])] } : {}), ...(outer?.vars ? { vars: { ...outer.vars, ...h.vars } } : {}) };
        }));
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
    // an import renders its names with its task's and blocks' vars too, as Ansible's static import
    // (an include_* that needs them is decided per host at run time, where set_fact may override them)
    const names = () => nameScope(scope.role, action.startsWith('import_') ? scope.vars : undefined);
    // (a handler's include is loaded with the play: its names are rendered now, as before)
    const dynamic = action.startsWith('include_') && !scope.handler;
    if (action.endsWith('_role')) {
      if (typeof params.name !== 'string') throw new ParseError(`${action}: 'name' of the role is required`, at);
      const roleName = renderName(params.name, `${action}: role name`, names, at, undefined, dynamic);
      // tasks_from and the others: a file name (Ansible's basename), rendered as the role's name is
      const fromFile = (key: 'tasks_from' | 'handlers_from' | 'vars_from' | 'defaults_from'): string | undefined => {
        const v = params[key];
        if (v === undefined) return undefined;
        if (typeof v !== 'string') throw new ParseError(`${action}: '${key}' must be a file name (a string), got ${JSON.stringify(v)}`, at);
        const rendered = renderLoadTime(v, `${action}: ${key}`, names, at, undefined, dynamic);
        // Ansible's omit (an import's `{{ omit }}`): as if not given, the role's main file
        if (rendered === OMIT) return undefined;
        if (typeof rendered !== 'string' && typeof rendered !== 'number') throw new ParseError(`${action}: ${key} '${v}' must render to a name, got ${JSON.stringify(rendered)}`, at);
        return basename(String(rendered));
      };
      const tasksFrom = fromFile('tasks_from');
      const from: RoleFiles = {
        tasks: tasksFrom?.replace(/\.ya?ml$/, '') ?? 'main',
        ...(tasksFrom !== undefined ? { entry: tasksFrom } : {}),
        ...(params.rolespec_validate !== undefined ? { validate: roleSpecValidate(action, params.rolespec_validate, at, names) } : {}),
        handlers: fromFile('handlers_from')?.replace(/\.ya?ml$/, '') ?? 'main',
        ...(params.vars_from !== undefined ? { vars: fromFile('vars_from') } : {}),
        ...(params.defaults_from !== undefined ? { defaults: fromFile('defaults_from') } : {}),
      };
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
    const target = renderName(params.file, `${action}: file name`, names, at, undefined, dynamic);
    const candidates = isAbsolute(target)
      ? [target]
      : // in a role: its tasks/, then the role itself (`tasks/x.yml` from a handler, as Ansible's path_dwim_relative)
        [...new Set([...(scope.role ? [join(scope.role.path, 'tasks', target), join(scope.role.path, target)] : []), join(dirname(scope.file), target), join(dir, target)])];
    const found = candidates.find((c) => existsSync(c));
    if (!found) throw new MissingInclude(`${action}: file '${target}' not found (looked in ${candidates.join(', ')})`, at);
    return { file: found, name: target };
  }

  function loadTarget(action: string, params: Vars, target: Target, at: Source, scope: TaskScope): Item[] {
    if ('role' in target) {
      const roleParams: Vars = {};
      for (const [k, v] of Object.entries(params)) {
        if (!['name', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'allow_duplicates', 'public', 'apply', 'rolespec_validate'].includes(k)) roleParams[k] = v;
      }
      return [roleBlock(target.role, roleParams, {}, target.from, at, `${id}/${action}:${target.role}`, roleUse(action, params, at, scope), [], scope.tolerant, undefined, scope)];
    }
    const found = target.file;
    // A file that includes itself, directly or through others, would expand forever.
    const chain = [...(scope.chain ?? [scope.file]), found];
    if (chain.indexOf(found) < chain.length - 1) {
      const names = chain.slice(chain.indexOf(found)).map((f) => relative(dir, f) || f);
      throw new ParseError(`include cycle: ${names.join(' -> ')}`, at);
    }
    return loadItems(loadYamlFile(found, warnings), `${id}/${action}:${target.name}`, { ...scopeFor(found, scope.role, scope.handler), chain, tolerant: scope.tolerant, conditional: scope.conditional, vars: scope.vars, keywords: scope.keywords }, { file: found });
  }

  /**
   * An import_role's allow_duplicates, rendered now as Ansible's import does (a template too:
   * `"{{ False | bool }}"` is false, never a true non-empty string); `public` is include_role's only.
   */
  function roleUse(action: string, params: Vars, at: Source, scope: TaskScope): RoleUse {
    // include_role's allow_duplicates is applied when it runs (executor/role-duplicates.ts)
    if (action !== 'import_role') return { via: 'include_role' };
    if (params.public !== undefined) throw new ParseError("import_role: 'public' is not valid here (import_role's defaults and vars are always the play's; public is include_role's)", at);
    const value = params.allow_duplicates;
    if (value === undefined) return { via: 'import_role', allowDuplicates: true };
    const rendered = typeof value === 'string' ? renderLoadTime(value, 'import_role: allow_duplicates', () => nameScope(scope.role, scope.vars), at) : value;
    return { via: 'import_role', allowDuplicates: keywordValue('allow_duplicates', rendered, at, 'import_role') === true };
  }

  /** A dynamic include kept for run time: its names as written and a loader for what they render to (cached per key). */
  function deferInclude(action: string, params: Vars, at: Source, scope: TaskScope): DeferredInclude {
    const names: Record<string, string> = {};
    for (const k of action.endsWith('_role') ? ['name', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from'] : ['file']) if (typeof params[k] === 'string') names[k] = params[k] as string;
    const cache = new Map<string, LoadedInclude>();
    return {
      names,
      load(key, idPrefix) {
        const cached = cache.get(`${idPrefix}\u0000${key}`);
        if (cached) return cached;
        const rendered = JSON.parse(key) as Record<string, string>;
        const handlersBefore = handlers.length;
        const warningsBefore = warnings.length;
        // names as the host rendered them; an omitted one (`{{ omit }}`) is not given
        const p: Vars = Object.fromEntries(Object.entries(params).filter(([k]) => !(k in names)));
        Object.assign(p, rendered);
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
  const nameScope = (role?: RoleInstance, own?: Vars): Vars => loadTimeVars({ playVars, varsFiles: varsFilesSoFar, extraVars: opts.extraVars, role, own, playbookDir: dir, playRoles });
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
    roles: playRoles,
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
