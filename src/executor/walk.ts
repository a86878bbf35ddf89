import pLimit from 'p-limit';
import { evalCondition } from '../template/expr.js';
import { lazyVars } from '../template/lazy.js';
import { renderValue } from '../template/render.js';
import { toBool } from '../modules/args.js';
import type { Block, Item, Task } from '../playbook/types.js';
import type { PlayContext } from './context.js';
import { enterBlock, taskKeywords, taskTags, tagsSelected, type Inherited } from './inherit.js';
import { runTaskOnHostContained } from './task-run.js';
import { taskInfo, type TaskRunResult } from './result.js';
import { buildVars } from './vars.js';
import { runMeta } from './meta.js';
import type { Vars } from '../types.js';
import { loopItems, loopVars } from './loop.js';
import { saveHost } from './persist.js';

/** Hosts that can run now: not failed (unless an `always` lets them), not ended. */
export function activeHosts(ctx: PlayContext, hosts: string[], inh: Inherited): string[] {
  return hosts.filter((h) => {
    const st = ctx.state(h);
    return !st.ended && (!st.failed || inh.allowFailed.has(h));
  });
}

/**
 * Walk items for a set of hosts in lockstep (strategy linear): each task runs on all of them,
 * then the next. Returns the hosts that failed here (for a rescuable context, they are not yet
 * failed for the play: the enclosing block's rescue decides).
 */
export async function walkItems(ctx: PlayContext, items: Item[], hosts: string[], inh: Inherited, onTaskDone: () => void): Promise<Set<string>> {
  const failed = new Set<string>();
  for (const item of items) {
    if (ctx.stop.run || ctx.stop.play || ctx.stop.batch || (ctx.signal.aborted && !inh.teardown)) break;
    const live = activeHosts(ctx, hosts, inh).filter((h) => !failed.has(h));
    if (live.length === 0) break;
    const newlyFailed = item.kind === 'task' ? await runTask(ctx, item, live, inh) : await walkBlock(ctx, item, live, inh, onTaskDone);
    for (const h of newlyFailed) failed.add(h);
    if (item.kind === 'task') onTaskDone();
  }
  return failed;
}

async function walkBlock(ctx: PlayContext, block: Block, hosts: string[], outer: Inherited, onTaskDone: () => void): Promise<Set<string>> {
  let entering = hosts;
  if (block.include && block.when && block.when.length > 0) {
    // A dynamic include's condition is evaluated once per host, not inherited by its tasks.
    // The enclosing blocks' conditions come first: a skipped parent never evaluates the include's own.
    const conditions = [...outer.when, ...block.when];
    entering = hosts.filter((h) => {
      const scope = lazyVars(buildVars(ctx, h, outer, block.vars), block.where);
      return conditions.every((c) => evalCondition(c, scope, block.where));
    });
  }
  if (entering.length === 0) return new Set();
  if (block.include?.loop !== undefined) return walkIncludeLoop(ctx, block, entering, outer, onTaskDone);
  const inner = enterBlock(outer, block);
  const hasRescue = block.rescue.length > 0;
  const blockFailed = await walkItems(ctx, block.block, entering, { ...inner, rescuable: inner.rescuable || hasRescue }, onTaskDone);
  let stillFailed = new Set(blockFailed);
  if (hasRescue && blockFailed.size > 0) {
    const rescueHosts = [...blockFailed].filter((h) => !ctx.state(h).unreachable);
    const failedInfo = new Map(inner.failedInfo);
    for (const h of rescueHosts) failedInfo.set(h, ctx.lastFailure.get(h) ?? {});
    const rescueFailed = await walkItems(ctx, block.rescue, rescueHosts, { ...inner, failedInfo }, onTaskDone);
    stillFailed = new Set([...rescueFailed, ...[...blockFailed].filter((h) => ctx.state(h).unreachable)]);
    if (!inner.rescuable) for (const h of rescueFailed) markFailed(ctx, h);
  } else if (!inner.rescuable) {
    for (const h of blockFailed) markFailed(ctx, h);
  }
  if (block.always.length > 0) {
    const allowFailed = new Set([...inner.allowFailed, ...stillFailed].filter((h) => !ctx.state(h).unreachable));
    const alwaysHosts = entering.filter((h) => !ctx.state(h).ended && (allowFailed.has(h) || !ctx.state(h).failed));
    // After SIGINT/SIGTERM an always section is a teardown: it runs, and the grace period does not
    // kill its commands (a second signal exits at once).
    const teardown: PlayContext = { ...ctx, hostSignal: (h) => (ctx.signal.aborted ? NEVER : ctx.hostSignal(h)) };
    const alwaysFailed = await walkItems(teardown, block.always, alwaysHosts, { ...inner, allowFailed, teardown: true }, onTaskDone);
    for (const h of alwaysFailed) stillFailed.add(h);
  }
  return stillFailed;
}

const NEVER = new AbortController().signal;

/**
 * A looped include_tasks/include_role: its tasks run once per item, item by item in lockstep
 * across the hosts (a host with fewer items drops out earlier), with item/ansible_loop per host.
 */
async function walkIncludeLoop(ctx: PlayContext, block: Block, hosts: string[], outer: Inherited, onTaskDone: () => void): Promise<Set<string>> {
  const inc = block.include!;
  const pseudo = { loop: inc.loop, loopControl: inc.loopControl } as Task;
  const items = new Map<string, unknown[]>();
  for (const h of hosts) {
    const scope = lazyVars(buildVars(ctx, h, outer, block.vars), block.where);
    items.set(h, loopItems(inc.loop, scope, block.where, `${inc.module} loop`));
  }
  const failed = new Set<string>();
  const rounds = Math.max(0, ...[...items.values()].map((l) => l.length));
  const once: Block = { ...block, include: { ...inc, loop: undefined } };
  for (let i = 0; i < rounds; i++) {
    const round = hosts.filter((h) => !failed.has(h) && items.get(h)!.length > i);
    if (round.length === 0) continue;
    const vars = new Map(round.map((h) => [h, loopVars(pseudo, items.get(h)!, i)]));
    const f = await walkBlock(ctx, once, round, { ...outer, hostIncludeVars: new Map([...(outer.hostIncludeVars ?? []), ...vars]) }, onTaskDone);
    for (const h of f) failed.add(h);
  }
  return failed;
}

export function markFailed(ctx: PlayContext, host: string): void {
  ctx.state(host).failed = true;
}

/** Run one task on the live hosts (bounded by forks, throttle and run_once), then apply failure rules. */
async function runTask(ctx: PlayContext, task: Task, hosts: string[], inh: Inherited): Promise<Set<string>> {
  const failed = new Set<string>();
  if (!tagsSelected(taskTags(inh, task), ctx.opts.tags, ctx.opts.skipTags)) return failed;
  if (!ctx.startAt.reached) {
    const info = taskInfo(task);
    if (!matchesStartAt(ctx.startAt.name!, info.name, task.name)) return failed;
    ctx.startAt.reached = true;
  }
  if (task.module === 'meta') return runMeta(ctx, task, hosts, inh);
  if (ctx.opts.resume && task.module !== 'setup') {
    // --resume: a task that completed on a host in the earlier run is not run again there.
    hosts = hosts.filter((h) => !ctx.opts.resume!.completedTask(h, task.id));
    if (hosts.length === 0) return failed;
  }
  const kw = taskKeywords(inh, task);
  const first = hosts[0]!;
  // The first host's scope decides run_once and throttle: built once, when first needed.
  let firstScope: Vars | undefined;
  const scopeFirst = () => (firstScope ??= lazyVars(buildVars(ctx, first, inh, task.vars), task.where));
  const runOnce = kw.runOnce !== undefined && toBool(renderValue(String(kw.runOnce), scopeFirst(), task.where)) === true;
  const targets = runOnce ? [first] : hosts;
  ctx.emit({ kind: 'task-start', task: taskInfo(task), hosts: targets, time: new Date().toISOString() });
  const throttle = kw.throttle !== undefined ? Number(renderValue(String(kw.throttle), scopeFirst(), task.where)) : 0;
  const limit = throttle > 0 ? pLimit(throttle) : (fn: () => Promise<void>) => fn();
  const results = new Map<string, TaskRunResult>();
  await Promise.all(
    targets.map((h) =>
      limit(() =>
        ctx.forks(async () => {
          if (ctx.stop.run || (ctx.signal.aborted && !inh.teardown)) return;
          results.set(h, await runTaskOnHostContained(ctx, task, h, inh));
        }),
      ),
    ),
  );
  if (runOnce && results.has(first)) {
    const r = results.get(first)!;
    for (const h of hosts.slice(1)) {
      if (task.register) ctx.state(h).hostFacts[task.register] = ctx.state(first).hostFacts[task.register];
      if (r.status === 'failed') results.set(h, r);
    }
  }
  for (const h of runOnce && results.has(first) ? hosts : results.keys()) saveHost(ctx, h);
  // Evaluated after the task ran, on a fresh scope (it may read what the task registered).
  const fatal = kw.anyErrorsFatal !== undefined && toBool(renderValue(String(kw.anyErrorsFatal), lazyVars(buildVars(ctx, first, inh, task.vars), task.where), task.where)) === true;
  for (const [h, r] of results) {
    const st = ctx.state(h);
    if (r.status === 'unreachable' && !r.ignoredUnreachable) {
      st.unreachable = true;
      st.failed = true;
      failed.add(h);
    } else if (r.status === 'failed') {
      ctx.lastFailure.set(h, { ansible_failed_task: { name: task.name ?? task.module, id: task.id }, ansible_failed_result: r.result as Vars });
      failed.add(h);
      if (!inh.rescuable) st.failed = true;
    }
  }
  const unhandled = [...failed].filter((h) => ctx.state(h).failed);
  if (fatal && unhandled.length > 0) ctx.stop.run = `any_errors_fatal: task '${taskInfo(task).name}' failed on ${unhandled.join(', ')}`;
  return failed;
}

/** --start-at-task matches the task name, with or without its role prefix (globs allowed). */
function matchesStartAt(pattern: string, fullName: string, name?: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  return re.test(fullName) || (name !== undefined && re.test(name));
}
