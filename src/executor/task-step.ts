import pLimit from 'p-limit';
import { findModule } from '../modules/registry.js';
import type { Task } from '../playbook/types.js';
import { lazyVars } from '../template/lazy.js';
import type { Vars } from '../types.js';
import type { PlayContext } from './context.js';
import type { Outcome } from './cursor.js';
import { includeHandlerResult } from './include-step.js';
import { taskKeywords, taskTags, tagsSelected, type Inherited } from './inherit.js';
import { renderedKeyword } from './keyword.js';
import { metaOutcomes } from './meta.js';
import { shownName, taskInfo, type TaskRunResult } from './result.js';
import { noteRoleTask } from './role-duplicates.js';
import { runTaskOnHostContained } from './task-run.js';
import { globToRegExp } from '../util/glob.js';
import { buildVars } from './vars.js';
import type { Walk } from './walk.js';

/**
 * A task step in the driver (walk.ts): the task on the hosts at its position, as tags, --start-at-task,
 * --resume, run_once, throttle and forks allow; what happened to each host, and whether any_errors_fatal
 * applies. (task-run.ts runs it on one host; include-step.ts is the step of a dynamic include.)
 */

const NEVER = new AbortController().signal;

/** Run one task on the hosts at its position (bounded by forks, throttle and run_once); say what happened to each. */
export async function runTask(ctx: PlayContext, walk: Walk, task: Task, hosts: string[], inh: Inherited, handler: boolean, caught: boolean): Promise<{ outcomes: Map<string, Outcome>; fatal?: string }> {
  const outcomes = new Map<string, Outcome>(hosts.map((h) => [h, { kind: 'ok' }]));
  const skip = { outcomes };
  // Handlers run when notified, whatever --tags / --skip-tags say (Ansible 2.14 does not filter them).
  if (!handler) {
    if (!tagsSelected(taskTags(inh, task), ctx.opts.tags, ctx.opts.skipTags)) return skip;
    if (!ctx.startAt.reached) {
      const info = taskInfo(task);
      if (!matchesStartAt(ctx.startAt.name!, info.name, task.name)) return skip;
      ctx.startAt.reached = true;
    }
  }
  if (task.module === 'meta') return { outcomes: await metaOutcomes(ctx, task, hosts, inh, handler, walk.cursors) };
  if (task.includeResult) return { outcomes: includeHandlerResult(ctx, task, task.includeResult, hosts, inh) };
  if (task.notify.length === 0 && inh.notify) task = { ...task, notify: inh.notify };
  if (ctx.opts.resume && task.module !== 'setup' && !handler) {
    // --resume without an exact position for a host (a journal without cursors, or a --force resume
    // after the playbook changed): a task that completed on a host in the earlier run is not run
    // again there. A run_once task that completed on any host is not run again at all.
    const done = hosts.filter((h) => ctx.state(h).exactResumePlay !== ctx.playIndex && ctx.opts.resume!.completedTask(h, task.id));
    hosts = hosts.filter((h) => !done.includes(h));
    if (hosts.length === 0) return skip;
  }
  const kw = taskKeywords(inh, task);
  const first = hosts[0]!;
  // The first host's scope decides run_once and throttle: built once, when first needed.
  let firstScope: Vars | undefined;
  const scopeFirst = () => (firstScope ??= lazyVars(buildVars(ctx, first, inh, task.vars), task.where));
  const runOnce = findModule(task.module)?.bypassHostLoop === true || (kw.runOnce !== undefined && renderedKeyword('run_once', kw.runOnce, scopeFirst(), task.where) === true);
  if (runOnce && ctx.opts.resume && hosts.some((h) => ctx.opts.resume!.completedTask(h, task.id))) return skip;
  const targets = runOnce ? [first] : hosts;
  // As Ansible: a run_once task's registered result and facts are every host's of the batch but the unreachable ones
  const shareWith = runOnce ? [...walk.cursors.keys()].filter((h) => h !== first && !ctx.state(h).unreachable) : [];
  ctx.emit({ kind: 'task-start', task: taskInfo(handler ? task : { ...task, name: shownName(task, scopeFirst) }), hosts: targets, time: new Date().toISOString() });
  const throttle = kw.throttle !== undefined ? (renderedKeyword('throttle', kw.throttle, scopeFirst(), task.where) as number) : 0;
  const limit = throttle > 0 ? pLimit(throttle) : (fn: () => Promise<void>) => fn();
  const results = new Map<string, TaskRunResult>();
  // After SIGINT/SIGTERM an always section is a teardown: it runs, and the grace period does not
  // kill its commands (a second signal exits at once).
  const runCtx: PlayContext = inh.teardown ? { ...ctx, hostSignal: (h) => (ctx.signal.aborted ? NEVER : ctx.hostSignal(h)) } : ctx;
  await Promise.all(
    targets.map((h) =>
      limit(() =>
        ctx.forks(async () => {
          if (ctx.stop.run || (ctx.signal.aborted && !inh.teardown)) return;
          results.set(h, await runTaskOnHostContained(runCtx, task, h, inh, shareWith));
        }),
      ),
    ),
  );
  for (const h of hosts) if (!results.has(h) && (!runOnce || !results.has(first))) outcomes.delete(h); // did not run: stopped
  if (runOnce && results.has(first)) {
    const r = results.get(first)!;
    if (r.status === 'failed') for (const h of hosts.slice(1)) results.set(h, r);
  }
  // Evaluated after the task ran, on a fresh scope (it may read what the task registered).
  // A run_once task is fatal too (Ansible's linear strategy).
  const fatal = runOnce || (kw.anyErrorsFatal !== undefined && renderedKeyword('any_errors_fatal', kw.anyErrorsFatal, lazyVars(buildVars(ctx, first, inh, task.vars), task.where), task.where) === true);
  // the hosts that fail for any_errors_fatal: unreachable, or failed where no rescue or always catches it
  const unhandled: string[] = [];
  for (const [h, r] of results) {
    noteRoleTask(ctx, task, h, r.status);
    if (r.status === 'unreachable' && !r.ignoredUnreachable) {
      outcomes.set(h, { kind: 'unreachable' });
      unhandled.push(h);
    } else if (r.status === 'failed') {
      ctx.lastFailure.set(h, { ansible_failed_task: { name: task.name ?? task.action ?? task.module, action: task.action ?? task.module, id: task.id }, ansible_failed_result: r.result as Vars });
      outcomes.set(h, { kind: 'failed' });
      if (!caught) unhandled.push(h);
    }
  }
  if (fatal && unhandled.length > 0) return { outcomes, fatal: `any_errors_fatal: task '${taskInfo(task).name}' failed on ${unhandled.join(', ')}` };
  return { outcomes };
}

/** --start-at-task matches the task name, with or without its role prefix: as written, or as an fnmatch pattern (Ansible's play iterator). */
export function matchesStartAt(pattern: string, fullName: string, name?: string): boolean {
  if (pattern === fullName || pattern === name) return true;
  const re = globToRegExp(pattern);
  return re.test(fullName) || (name !== undefined && re.test(name));
}
