import { ParseError } from '../errors.js';
import { renderedKeyword } from './keyword.js';
import type { Item, Play, Task } from '../playbook/types.js';
import { renderValue } from '../template/render.js';
import type { PlayContext } from './context.js';
import { makeBatches, orderHosts } from './batches.js';
import { driveFree, driveLockstep, newWalk, programOf } from './walk.js';
import { handlersFor, notify, peek, startCursor, toSectionEnd, type HostCursor, type Program } from './cursor.js';
import { GuardRun } from './guard.js';
import { handlerName } from './handlers.js';
import { loadCursorIncludes } from './dynamic-include.js';
import type { PlaySection } from './options.js';

/** The implicit first task of a play that gathers facts. */
function gatherTask(play: Play, index: number): Task {
  return { kind: 'task', id: `play${index}/gather_facts`, name: 'Gathering Facts', module: 'setup', args: {}, where: play.where, tags: ['always'], notify: [], listen: [], ...(play.gatherWhen ? { when: play.gatherWhen } : {}) };
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
  const gather = (renderedKeyword('gather_facts', play.gatherFacts, scope, play.where) as boolean | undefined) ?? true;
  const force = play.forceHandlers ?? ctx.opts.forceHandlers;
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
      // hosts any_errors_fatal marked count as failed (Ansible's failed-hosts list), though they go on
      const failedCount = batch.filter((h) => ctx.state(h).failed || walk.fatalMarked.has(h)).length;
      // decided again after every task: a host whose errors clear_host_errors cleared is not failed any more
      stopAfterBatch = undefined;
      if (failedCount === 0) return;
      if (maxFailRaw !== undefined && (failedCount / batch.length) * 100 > maxFailRaw) {
        ctx.stop.run ??= `max_fail_percentage ${maxFailRaw}% exceeded: ${failedCount} of ${batch.length} hosts failed in batch ${b + 1}`;
      } else if (failedCount === batch.length) {
        stopAfterBatch = `all hosts of batch ${b + 1} failed`;
      }
    };
    const sections: Record<PlaySection, Item[]> = { pre_tasks: play.preTasks, tasks: play.tasks, post_tasks: play.postTasks };
    const program = programOf({ gather: gather ? [gatherTask(play, index)] : [], ...sections }, play.handlers, force);
    const cursors = new Map(batch.map((h) => [h, { ...startCursor('gather'), flushed: true } as HostCursor]));
    const walk = newWalk(program, cursors, checkFailures);
    const drive = (hosts: string[]) => (play.strategy === 'free' ? driveFree(ctx, walk, hosts) : driveLockstep(ctx, walk, hosts));
    const resumeAt = new Map(batch.map((h) => [h, savedPosition(ctx, program, h)]));
    const section = async (name: PlaySection) => {
      ctx.section = name;
      for (const h of batch) {
        const prev = cursors.get(h)!;
        const saved = resumeAt.get(h);
        let c = startCursor(name, prev.notified, prev.failed);
        if (prev.done || prev.failed) c = { ...prev, section: name, done: prev.done ?? 'failed' };
        else if (saved && SECTION_ORDER.indexOf(saved.section as PlaySection) > SECTION_ORDER.indexOf(name)) c = { ...c, stack: [{ phase: 'block', index: sections[name].length }], flushed: true };
        else if (saved && saved.section === name) c = { ...saved, notified: [...new Set([...saved.notified, ...prev.notified])] };
        // --resume from a state file before cursors: what the host had been notified of in this section
        const names = ctx.opts.resume?.notified(h, ctx.playIndex, name) ?? [];
        if (names.length > 0) c = notify(c, names.flatMap((n) => handlersFor(program.handlers, n, (t) => handlerName(ctx, t)).map((t) => t.id)));
        cursors.set(h, c);
      }
      await drive(batch);
      if (ctx.stop.run && force && !ctx.signal.aborted) {
        // the run stops: with force_handlers, the hosts still run the handlers they were notified of
        const stopped = ctx.stop.run;
        ctx.stop.run = undefined;
        for (const h of batch) {
          const c = cursors.get(h)!;
          if (!ctx.state(h).unreachable && !ctx.state(h).ended && c.done !== 'stopped') cursors.set(h, { ...toSectionEnd(program, c), done: undefined });
        }
        try {
          await drive(batch);
        } finally {
          ctx.stop.run = stopped;
        }
      }
    };
    await driveLockstep(ctx, walk, batch); // gather_facts
    if (guard && !(await guard.precheck(batch.filter((h) => !ctx.state(h).failed)))) break;
    guard?.startBatch(batch);
    try {
      for (const name of SECTION_ORDER) {
        if (ctx.stop.run || ctx.stop.play || ctx.stop.batch || ctx.signal.aborted) break;
        await section(name);
      }
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

const SECTION_ORDER: PlaySection[] = ['pre_tasks', 'tasks', 'post_tasks'];

/**
 * --resume: the cursor a host stopped at in this play, if the state file has one and it still points
 * at the same task (else the journal's per-task record decides what is skipped, as before cursors).
 */
function savedPosition(ctx: PlayContext, program: Program, host: string): HostCursor | undefined {
  const saved = ctx.opts.resume?.cursor?.(host, ctx.playIndex);
  if (!saved || !SECTION_ORDER.includes(saved.cursor.section as PlaySection)) return undefined;
  // inside an include decided at run time: the same file (role) again, as the host resolved it then
  if (!loadCursorIncludes(ctx, program, saved.cursor)) return undefined;
  try {
    const { step } = peek(program, { ...saved.cursor, done: undefined, failed: false });
    const id = step.kind === 'task' ? step.task.id : step.kind === 'include' ? step.block.id : undefined;
    if (id !== saved.taskId) return undefined;
  } catch {
    return undefined; // the play changed shape (a --force resume)
  }
  ctx.state(host).exactResumePlay = ctx.playIndex;
  return { ...saved.cursor, done: undefined, failed: false };
}
