import { evalCondition } from '../template/expr.js';
import { lazyVars } from '../template/lazy.js';
import { renderedKeyword } from './keyword.js';
import type { Block, Task } from '../playbook/types.js';
import type { PlayContext } from './context.js';
import { blockKeywords, tagsSelected, type Inherited } from './inherit.js';
import { conditionFalseResult, includeInfo, shownName } from './result.js';
import { loadResolved, renderedNames, showPublicRole } from './dynamic-include.js';
import { TsplayError } from '../errors.js';
import type { HostStatus, TaskInfo } from '../report/events.js';
import { buildVars } from './vars.js';
import type { Vars } from '../types.js';
import { loopItems, loopVars, renderedLoopControl } from './loop.js';
import { failureCaught, type HostCursor, type Outcome } from './cursor.js';
import type { Walk } from './walk.js';
import { includedRole, includeRoleRuns } from './role-duplicates.js';
import { storeRegistered } from './state.js';

/** The steps of a dynamic include (include_tasks/include_role) in the driver (walk.ts): its rounds per host, its result line. */

/**
 * A dynamic include (include_tasks/include_role), as each host reaches it: --tags select the include
 * itself (its tags are its own, not its tasks'), its condition is evaluated once per host — per item
 * of a loop, as Ansible's TaskExecutor does, and the items whose condition holds give the rounds. Like Ansible, each host that reaches it gets a result line of its own: `ok` (the console
 * says `included: FILE for HOST`), or `skipped` when its condition is false.
 */
export function includeRounds(ctx: PlayContext, walk: Walk, block: Block, cursor: HostCursor, hosts: string[], outer: Inherited): { outcomes: Map<string, Outcome>; fatal?: string } {
  const include = block.include!;
  const out = new Map<string, Outcome>(hosts.map((h) => [h, { kind: 'include', rounds: 0 }]));
  if (!tagsSelected([...new Set([...outer.tags, ...block.tags])], ctx.opts.tags, ctx.opts.skipTags)) return { outcomes: out };
  if (!ctx.startAt.reached) return { outcomes: out };
  // The include's own keywords (its tasks do not inherit them). run_once: only the first host includes
  // the file (Ansible's linear strategy sends the include to it alone); the others pass it by.
  const kw = blockKeywords(outer, block);
  const firstScope = () => lazyVars(buildVars(ctx, hosts[0]!, outer, block.vars), block.where);
  // its banner: the name rendered with the first host's variables, as for a task (Ansible's strategy)
  const display = block.name !== undefined && block.name === include.display ? (shownName({ name: block.name, where: block.where }, firstScope) ?? include.display) : include.display;
  const info = includeInfo(block.id, { ...include, display }, block.role, block.where);
  const runOnce = kw.runOnce !== undefined && renderedKeyword('run_once', kw.runOnce, firstScope(), block.where) === true;
  if (runOnce) hosts = hosts.slice(0, 1);
  ctx.emit({ kind: 'task-start', task: info, hosts, time: new Date().toISOString() });
  // The enclosing blocks' conditions come first: a skipped parent never evaluates the include's own.
  const conditions = [...outer.when, ...(block.when ?? [])];
  const failed: string[] = [];
  // registered: the include's result naming its file as written (Ansible's), not as found (the console's)
  const report = (h: string, r: { status: HostStatus; result: Vars; okCount?: number }, registered = r.result): void => {
    // as Ansible's callback: an item whose condition is false has a `skipping: [HOST] => (item=…)` line
    for (const x of Array.isArray(r.result.results) ? (r.result.results as Vars[]) : []) {
      if (x.skipped) ctx.emit({ kind: 'host-result', task: info, host: h, status: 'skipped', result: x, isItem: true, item: x[String(x.ansible_loop_var)] });
    }
    ctx.emit({ kind: 'host-result', task: info, host: h, ...r });
    registerInclude(ctx, h, include, registered);
  };
  for (const h of hosts) {
    const scope = lazyVars(buildVars(ctx, h, outer, block.vars), block.where);
    let items: unknown[] | undefined;
    let loopControl = include.loopControl;
    // the items' places in the loop, of those whose condition holds
    let picked: number[] | undefined;
    try {
      const loop = include.loop !== undefined ? selectedLoop(ctx, h, block, outer, scope) : undefined;
      if (!loop && !conditions.every((c) => evalCondition(c, scope, block.where))) {
        report(h, { status: 'skipped', result: conditionFalseResult() });
        continue;
      }
      if (loop) {
        ({ items, loopControl } = loop);
        picked = loop.picked;
        walk.includeItems.set(`${h}\u0000${block.id}`, loop);
      }
    } catch (e) {
      // As Ansible: a condition or loop that cannot be evaluated fails the include on this host (ignore_errors applies)
      if (!(e instanceof TsplayError)) throw e;
      const result: Vars = { changed: false, failed: true, msg: e.describe() };
      const ignored = renderedKeyword('ignore_errors', kw.ignoreErrors ?? false, scope, block.where) === true;
      ctx.emit({ kind: 'host-result', task: info, host: h, status: ignored ? 'ignored' : 'failed', result, rescued: !ignored && outer.rescuable });
      registerInclude(ctx, h, include, result);
      if (ignored) continue;
      ctx.lastFailure.set(h, { ansible_failed_task: { name: block.name ?? include.module, id: block.id, action: include.module }, ansible_failed_result: result });
      out.set(h, { kind: 'failed' });
      failed.push(h);
      continue;
    }
    if (!include.deferred) {
      showPublicRole(ctx, block, block.block, scope);
      report(h, includeResult(include, block.block[0]?.where.file ?? include.target, items, loopControl, picked), includeResult(include, include.target, items, loopControl, picked).result);
      // allow_duplicates: false and the role already ran here: included, its tasks passed by
      const runs = includeRoleRuns(ctx, block, includedRole(block.block), h, scope);
      out.set(h, { kind: 'include', rounds: runs ? (picked?.length ?? 1) : 0 });
      continue;
    }
    // Decided here, per host and loop item, as Ansible decides a dynamic include: its names rendered
    // with the host's vars (facts, host and task vars, the loop item), what they name loaded.
    const keys: string[] = [];
    const files: string[] = [];
    let runs = false;
    try {
      for (const r of picked ?? [0]) {
        const roundVars = items ? loopVars({ loop: include.loop, loopControl } as Task, items, r) : undefined;
        const key = renderedNames(include.deferred, lazyVars(buildVars(ctx, h, outer, block.vars, roundVars), block.where), block.where, include.module);
        keys.push(key);
        const loaded = loadResolved(ctx, walk.program, block, key);
        files.push(loaded.file);
        showPublicRole(ctx, block, loaded.items, scope);
        if (includeRoleRuns(ctx, block, includedRole(loaded.items), h, scope)) runs = true;
      }
    } catch (e) {
      if (!(e instanceof TsplayError)) throw e;
      out.set(h, includeFailed(ctx, block, info, h, outer, e));
      if (out.get(h)!.kind === 'failed') failed.push(h);
      continue;
    }
    const written = keys.map((k) => String((JSON.parse(k) as Vars).file ?? include.target));
    report(h, includeResult(include, files, items, loopControl, picked), includeResult(include, written, items, loopControl, picked).result);
    out.set(h, { kind: 'include', rounds: runs ? (picked?.length ?? 1) : 0, resolved: keys });
  }
  if (failed.length > 0 && !failureCaught(walk.program, cursor)) {
    const fatal = runOnce || (kw.anyErrorsFatal !== undefined && renderedKeyword('any_errors_fatal', kw.anyErrorsFatal, lazyVars(buildVars(ctx, failed[0]!, outer, block.vars), block.where), block.where) === true);
    if (fatal) return { outcomes: out, fatal: `any_errors_fatal: task '${info.name}' failed on ${failed.join(', ')}` };
  }
  return { outcomes: out };
}

/**
 * A deferred include whose names a host could not resolve or load (a missing file or role, a file
 * that does not validate): that host's include task fails, and rescue, ignore_errors and
 * any_errors_fatal apply. As Ansible, an include_tasks reports `failed` with the reason; an
 * include_role reports its (uncounted) `ok` and the error, and the host is failed.
 */
function includeFailed(ctx: PlayContext, block: Block, info: TaskInfo, host: string, outer: Inherited, e: TsplayError): Outcome {
  // As Ansible 2.14's linear strategy: a file or role that cannot be loaded fails the host whatever
  // ignore_errors says (it marks the host failed); a rescue still catches it.
  const include = block.include!;
  const reason = e.describe();
  const result: Vars = { failed: true, changed: false, reason };
  if (include.module.endsWith('_role')) {
    const ok = { changed: false, include_args: { name: include.target } };
    ctx.emit({ kind: 'host-result', task: info, host, status: 'ok', result: ok, okCount: 0 });
    registerInclude(ctx, host, include, ok);
    ctx.emit({ kind: 'warning', message: `[${host}] ${reason}` });
  } else {
    ctx.emit({ kind: 'host-result', task: info, host, status: 'failed', result, rescued: outer.rescuable });
    registerInclude(ctx, host, include, result);
  }
  ctx.lastFailure.set(host, { ansible_failed_task: { name: block.name ?? include.module, id: block.id, action: include.module }, ansible_failed_result: result });
  return { kind: 'failed' };
}

/** An include used as a handler, when notified: its own result line on each host whose condition holds (its tasks follow). */
export function includeHandlerResult(ctx: PlayContext, task: Task, include: NonNullable<Block['include']>, hosts: string[], inh: Inherited): Map<string, Outcome> {
  const info = includeInfo(task.id, include, task.role, task.where, true);
  ctx.emit({ kind: 'task-start', task: info, hosts, time: new Date().toISOString() });
  for (const h of hosts) {
    const scope = lazyVars(buildVars(ctx, h, inh, task.vars), task.where);
    const run = (task.when ?? []).every((c) => evalCondition(c, scope, task.where));
    const r = run ? includeResult(include, include.target) : { status: 'skipped' as const, result: conditionFalseResult() };
    ctx.emit({ kind: 'host-result', task: info, host: h, ...r });
    registerInclude(ctx, h, include, r.result);
  }
  return new Map(hosts.map((h) => [h, { kind: 'ok' }]));
}

/**
 * Ansible's result of an include: the file it brings in (`include`; an include_role has only
 * `include_args`), per item for a loop — an item whose condition is false is a skipped one; a loop with
 * no items, or none whose condition holds, is skipped. Its recap count is Ansible's: an include_tasks
 * counts one `ok` per file it includes (per loop item), an include_role none.
 */
function includeResult(include: NonNullable<Block['include']>, files: string | string[], items?: unknown[], loopControl = include.loopControl, picked?: number[]): { status: 'ok' | 'skipped'; result: Vars; okCount?: number } {
  if (items?.length === 0) return { status: 'skipped', result: { changed: false, skipped: true, skipped_reason: 'No items in the list', results: [] } };
  const role = include.module.endsWith('_role');
  // a deferred include may bring in another file per included item (files[n]: the n-th of them)
  const one = (n: number) => (role ? { include_args: { name: include.target } } : { include: Array.isArray(files) ? files[n] : files, include_args: {} });
  const loopVar = loopControl?.loopVar ?? 'item';
  const indexVar = loopControl?.indexVar;
  const place = (i: number) => (picked ? picked.indexOf(i) : i);
  const results = items?.map((item, i) => ({
    ...(place(i) < 0 ? conditionFalseResult() : one(place(i))),
    [loopVar]: item,
    ansible_loop_var: loopVar,
    ...(indexVar ? { [indexVar]: i, ansible_index_var: indexVar } : {}),
  }));
  const included = picked?.length ?? items?.length ?? 1;
  if (results && included === 0) return { status: 'skipped', result: { changed: false, skipped: true, msg: 'All items skipped', results } };
  const result: Vars = results ? { changed: false, skipped: false, msg: 'All items completed', results } : { changed: false, ...one(0) };
  return { status: 'ok', result, okCount: role ? 0 : included };
}

/**
 * An include's `register:`: its own result, as Ansible's strategy stores every task's result (a copy:
 * reporters may add to the one they are given).
 */
function registerInclude(ctx: PlayContext, host: string, include: NonNullable<Block['include']>, result: Vars): void {
  if (!include.register) return;
  const st = ctx.state(host);
  storeRegistered(st, include.register, { ...result });
  st.hidden.delete(include.register);
}

/** A looped include's items for one host, with its loop_control as rendered for that host. */
export interface IncludeLoop {
  items: unknown[];
  loopControl?: Task['loopControl'];
  /** The places in `items` of the items included (whose condition holds), in order: round n is item picked[n]. */
  picked?: number[];
}

/**
 * A looped include's items for one host and those it includes: as Ansible's TaskExecutor, the
 * include's conditions (the enclosing blocks' first) are evaluated per item, with the item's loop
 * variables defined. Undefined when the loop cannot be evaluated: then, as Ansible, the conditions are
 * evaluated once without an item and a false one skips the include, else the loop's error fails it.
 */
export function selectedLoop(ctx: PlayContext, host: string, block: Block, outer: Inherited, scope: Vars): IncludeLoop | undefined {
  let loop: IncludeLoop;
  try {
    loop = includeLoop(block, scope);
  } catch (e) {
    if (!(e instanceof TsplayError)) throw e;
    const conditions = [...outer.when, ...(block.when ?? [])];
    if (!conditions.every((c) => evalCondition(c, scope, block.where))) return undefined;
    throw e;
  }
  const conditions = [...outer.when, ...(block.when ?? [])];
  if (conditions.length === 0) return { ...loop, picked: loop.items.map((_, i) => i) };
  const picked = loop.items.flatMap((_, i) => {
    const itemScope = lazyVars(buildVars(ctx, host, outer, block.vars, loopVars({ loop: block.include!.loop, loopControl: loop.loopControl } as Task, loop.items, i)), block.where);
    return conditions.every((c) => evalCondition(c, itemScope, block.where)) ? [i] : [];
  });
  return { ...loop, picked };
}

/** The items of a looped include and its loop_control (loop_var may be a template), for one host's scope. */
export function includeLoop(block: Block, scope: Vars): IncludeLoop {
  const include = block.include!;
  const context = `${include.module} loop`;
  return { items: loopItems(include.loop, scope, block.where, context), loopControl: renderedLoopControl(include.loopControl, scope, block.where, context) };
}
