import { ParseError } from '../errors.js';
import { toBool } from '../modules/args.js';
import type { Play, Task } from '../playbook/types.js';
import { renderValue } from '../template/render.js';
import type { PlayContext } from './context.js';
import { makeBatches, orderHosts } from './batches.js';
import { flushHandlers } from './handlers.js';
import { fromPlay } from './inherit.js';
import { walkItems } from './walk.js';
import pLimit from 'p-limit';
import { GuardRun } from './guard.js';
import type { PlaySection } from './options.js';

/** The implicit first task of a play that gathers facts. */
function gatherTask(play: Play, index: number): Task {
  return { kind: 'task', id: `play${index}/gather_facts`, name: 'Gathering Facts', module: 'setup', args: {}, where: play.where, tags: ['always'], notify: [], listen: [] };
}

/**
 * Run one play: hosts in `order`, split into `serial` batches; each batch runs pre_tasks, roles and
 * tasks, post_tasks (handlers flushed after each section) before the next batch starts.
 * Failure rules are checked after every task.
 */
export async function runPlay(ctx: PlayContext, index: number, hosts: string[]): Promise<void> {
  const play = ctx.play;
  const scope = { ...play.vars, ...ctx.extraVars };
  const serial = typeof play.serial === 'string' ? renderValue(play.serial, scope, play.where) : play.serial;
  const batches = makeBatches(orderHosts(hosts, play.order), serial, play.where);
  const maxFailRaw = play.maxFailPercentage === undefined ? undefined : Number(typeof play.maxFailPercentage === 'string' ? renderValue(play.maxFailPercentage, scope, play.where) : play.maxFailPercentage);
  if (maxFailRaw !== undefined && !(maxFailRaw >= 0 && maxFailRaw <= 100)) throw new ParseError(`'max_fail_percentage' must be a number from 0 to 100`, play.where);
  const gather = toBool(typeof play.gatherFacts === 'string' ? renderValue(play.gatherFacts, scope, play.where) : play.gatherFacts) ?? true;
  const force = ctx.opts.forceHandlers || play.forceHandlers;
  const guard = play.guard ? new GuardRun(ctx, play.guard) : undefined;
  if (guard) ctx.hostSignal = (h) => guard.hostSignal(h) ?? ctx.kill;
  try {
    if (!guard || (await guard.setup(hosts))) await runBatches();
  } finally {
    if (guard) await guard.teardown(hosts);
  }

  async function runBatches(): Promise<void> {
  for (let b = 0; b < batches.length; b++) {
    if (ctx.stop.run || ctx.stop.play || ctx.signal.aborted) break;
    const batch = batches[b]!.filter((h) => !ctx.state(h).failed);
    if (batch.length === 0) continue;
    ctx.batch = batch;
    ctx.stop.batch = false;
    if (batches.length > 1) ctx.emit({ kind: 'batch-start', index: b + 1, total: batches.length, hosts: batch });
    let stopAfterBatch: string | undefined;
    const checkFailures = () => {
      const failedCount = batch.filter((h) => ctx.state(h).failed).length;
      if (failedCount === 0) return;
      if (maxFailRaw !== undefined && (failedCount / batch.length) * 100 > maxFailRaw) {
        ctx.stop.run ??= `max_fail_percentage ${maxFailRaw}% exceeded: ${failedCount} of ${batch.length} hosts failed in batch ${b + 1}`;
      } else if (failedCount === batch.length) {
        stopAfterBatch = `all hosts of batch ${b + 1} failed`;
      }
    };
    const inh = fromPlay(play);
    const strategy = play.strategy;
    const section = async (name: PlaySection, items: typeof play.tasks) => {
      ctx.section = name;
      // --resume: what a host had been notified of in this section and not handled when it stopped
      for (const h of batch) for (const n of ctx.opts.resume?.notified(h, ctx.playIndex, name) ?? []) ctx.state(h).notified.add(n);
      if (strategy === 'free') {
        const perHost = pLimit(Math.max(1, ctx.opts.forks));
        await Promise.all(batch.map((h) => perHost(() => walkItems(ctx, items, [h], inh, checkFailures))));
      } else {
        await walkItems(ctx, items, batch, inh, checkFailures);
      }
      if (!ctx.stop.run && !ctx.signal.aborted) await flushHandlers(ctx, batch, force);
      else if (force && !ctx.signal.aborted) await flushHandlers(ctx, batch, true);
    };
    if (gather) await walkItems(ctx, [gatherTask(play, index)], batch, inh, checkFailures);
    if (guard && !(await guard.precheck(batch.filter((h) => !ctx.state(h).failed)))) break;
    guard?.startBatch(batch);
    try {
      await section('pre_tasks', play.preTasks);
      await section('tasks', play.tasks);
      await section('post_tasks', play.postTasks);
    } finally {
      guard?.endBatch(batch);
    }
    for (const h of batch) ctx.state(h).ended = false;
    checkFailures();
    if (ctx.stop.afterBatch) stopAfterBatch = ctx.stop.afterBatch; // the guard's reason says more
    if (stopAfterBatch && !ctx.stop.run) ctx.stop.run = stopAfterBatch;
  }
  }
}
