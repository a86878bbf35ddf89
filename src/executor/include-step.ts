import { evalCondition } from '../template/expr.js';
import { lazyVars } from '../template/lazy.js';
import { renderedKeyword } from './keyword.js';
import type { Block, Task } from '../playbook/types.js';
import type { PlayContext } from './context.js';
import { blockKeywords, tagsSelected, type Inherited } from './inherit.js';
import { conditionFalseResult, includeInfo } from './result.js';
import { loadResolved, renderedNames } from './dynamic-include.js';
import { TsplayError } from '../errors.js';
import type { TaskInfo } from '../report/events.js';
import { buildVars } from './vars.js';
import type { Vars } from '../types.js';
import { loopItems, loopVars } from './loop.js';
import { failureCaught, type HostCursor, type Outcome } from './cursor.js';
import type { Walk } from './walk.js';

/** The steps of a dynamic include (include_tasks/include_role) in the driver (walk.ts): its rounds per host, its result line. */

/**
 * A dynamic include (include_tasks/include_role), as each host reaches it: --tags select the include
 * itself (its tags are its own, not its tasks'), its condition is evaluated once per host, a loop gives
 * the rounds. Like Ansible, each host that reaches it gets a result line of its own: `ok` (the console
 * says `included: FILE for HOST`), or `skipped` when its condition is false.
 */
export function includeRounds(ctx: PlayContext, walk: Walk, block: Block, cursor: HostCursor, hosts: string[], outer: Inherited): { outcomes: Map<string, Outcome>; fatal?: string } {
  const include = block.include!;
  const out = new Map<string, Outcome>(hosts.map((h) => [h, { kind: 'include', rounds: 0 }]));
  if (!tagsSelected([...new Set([...outer.tags, ...block.tags])], ctx.opts.tags, ctx.opts.skipTags)) return { outcomes: out };
  if (!ctx.startAt.reached) return { outcomes: out };
  const info = includeInfo(block.id, include, block.role, block.where);
  // The include's own keywords (its tasks do not inherit them). run_once: only the first host includes
  // the file (Ansible's linear strategy sends the include to it alone); the others pass it by.
  const kw = blockKeywords(outer, block);
  const firstScope = () => lazyVars(buildVars(ctx, hosts[0]!, outer, block.vars), block.where);
  const runOnce = kw.runOnce !== undefined && renderedKeyword('run_once', kw.runOnce, firstScope(), block.where) === true;
  if (runOnce) hosts = hosts.slice(0, 1);
  ctx.emit({ kind: 'task-start', task: info, hosts, time: new Date().toISOString() });
  // The enclosing blocks' conditions come first: a skipped parent never evaluates the include's own.
  const conditions = [...outer.when, ...(block.when ?? [])];
  const failed: string[] = [];
  for (const h of hosts) {
    const scope = lazyVars(buildVars(ctx, h, outer, block.vars), block.where);
    if (!conditions.every((c) => evalCondition(c, scope, block.where))) {
      ctx.emit({ kind: 'host-result', task: info, host: h, status: 'skipped', result: conditionFalseResult() });
      continue;
    }
    let items: unknown[] | undefined;
    if (include.loop !== undefined) {
      items = loopItems(include.loop, scope, block.where, `${include.module} loop`);
      walk.includeItems.set(`${h}\u0000${block.id}`, items);
    }
    if (!include.deferred) {
      ctx.emit({ kind: 'host-result', task: info, host: h, ...includeResult(include, block.block[0]?.where.file ?? include.target, items) });
      out.set(h, { kind: 'include', rounds: items?.length ?? 1 });
      continue;
    }
    // Decided here, per host and loop item, as Ansible decides a dynamic include: its names rendered
    // with the host's vars (facts, host and task vars, the loop item), what they name loaded.
    const keys: string[] = [];
    const files: string[] = [];
    try {
      for (let r = 0; r < (items?.length ?? 1); r++) {
        const roundVars = items ? loopVars({ loop: include.loop, loopControl: include.loopControl } as Task, items, r) : undefined;
        const key = renderedNames(include.deferred, lazyVars(buildVars(ctx, h, outer, block.vars, roundVars), block.where), block.where, include.module);
        keys.push(key);
        files.push(loadResolved(ctx, walk.program, block, key).file);
      }
    } catch (e) {
      if (!(e instanceof TsplayError)) throw e;
      out.set(h, includeFailed(ctx, block, info, h, outer, e));
      if (out.get(h)!.kind === 'failed') failed.push(h);
      continue;
    }
    ctx.emit({ kind: 'host-result', task: info, host: h, ...includeResult(include, files, items) });
    out.set(h, { kind: 'include', rounds: items?.length ?? 1, resolved: keys });
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
    ctx.emit({ kind: 'host-result', task: info, host, status: 'ok', result: { changed: false, include_args: { name: include.target } }, okCount: 0 });
    ctx.emit({ kind: 'warning', message: `[${host}] ${reason}` });
  } else {
    ctx.emit({ kind: 'host-result', task: info, host, status: 'failed', result, rescued: outer.rescuable });
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
    ctx.emit({ kind: 'host-result', task: info, host: h, ...(run ? includeResult(include, include.target) : { status: 'skipped', result: conditionFalseResult() }) });
  }
  return new Map(hosts.map((h) => [h, { kind: 'ok' }]));
}

/**
 * Ansible's result of an include: the file it brings in (`include`; an include_role has only
 * `include_args`), per item for a loop; a loop with no items is skipped. Its recap count is Ansible's:
 * an include_tasks counts one `ok` per file it includes (per loop item), an include_role none.
 */
function includeResult(include: NonNullable<Block['include']>, files: string | string[], items?: unknown[]): { status: 'ok' | 'skipped'; result: Vars; okCount?: number } {
  if (items?.length === 0) return { status: 'skipped', result: { changed: false, skipped: true, skipped_reason: 'No items in the list', results: [] } };
  const role = include.module.endsWith('_role');
  // a deferred include may bring in another file per item
  const one = (i: number) => (role ? { include_args: { name: include.target } } : { include: Array.isArray(files) ? files[i] : files, include_args: {} });
  const loopVar = include.loopControl?.loopVar ?? 'item';
  const result: Vars = items ? { changed: false, results: items.map((item, i) => ({ ...one(i), [loopVar]: item, ansible_loop_var: loopVar })) } : { changed: false, ...one(0) };
  return { status: 'ok', result, okCount: role ? 0 : (items?.length ?? 1) };
}
