import pLimit from 'p-limit';
import { lazyVars } from '../template/lazy.js';
import type { Block, Item, Task } from '../playbook/types.js';
import type { PlayContext } from './context.js';
import { enterBlock, fromPlay, type Inherited } from './inherit.js';
import { runTask } from './task-step.js';
import { includeLoop, includeRounds, selectedLoop, type IncludeLoop } from './include-step.js';
import { buildVars } from './vars.js';
import { handlerName, notifiedHandlers } from './handlers.js';
import type { Vars } from '../types.js';
import { loopVars } from './loop.js';
import { resumePoint, saveHosts } from './persist.js';
import { advance, comparePositions, enclosing, failureCaught, inAlways, inRescueOrAlways, notify, peek, rescuable, startCursor, type HostCursor, type Outcome, type Program, type Step } from './cursor.js';

/**
 * The driver: runs what the hosts' cursors (cursor.ts) say, and feeds back what happened.
 * Strategy linear: every step, the hosts at the lowest position run it together (lockstep);
 * strategy free: each host steps on its own. Nothing here recurses over the play's items.
 */
export interface Walk {
  program: Program;
  cursors: Map<string, HostCursor>;
  /** Called after every task step (failure rules: max_fail_percentage, all hosts failed). */
  onTaskDone: () => void;
  /** Items of looped includes, per host and include: computed when the host enters the include. */
  includeItems: Map<string, IncludeLoop>;
  /** Record each host's resume point in the state file (a play's sections; not a guard's). */
  persist: boolean;
  /**
   * Hosts any_errors_fatal marked failed while another host was spared (in a rescue or always): they go
   * on, as in Ansible, and the run stops after the play (`stop.afterPlay`). Ansible's failed-hosts list.
   */
  fatalMarked: Set<string>;
}

export function newWalk(program: Program, cursors: Map<string, HostCursor>, onTaskDone: () => void = () => {}): Walk {
  return { program, cursors, onTaskDone, includeItems: new Map(), persist: true, fatalMarked: new Set() };
}

/** A play's program: its sections and handlers (role handlers first, as Ansible compiles them). */
export function programOf(sections: Record<string, Item[]>, handlers: Task[], forceHandlers: boolean): Program {
  return { sections, handlers: [...handlers.filter((h) => h.role), ...handlers.filter((h) => !h.role)], forceHandlers };
}

/**
 * Run a list of items (a guard's section) on hosts in lockstep, with no handler phase of its own
 * (notifications wait for the play's next flush). Returns the hosts that failed.
 */
export async function runItems(ctx: PlayContext, items: Item[], hosts: string[]): Promise<Set<string>> {
  const program: Program = { sections: { items }, handlers: [], forceHandlers: false };
  const walk = { ...newWalk(program, new Map(hosts.map((h) => [h, { ...startCursor('items'), flushed: true }]))), persist: false };
  await driveLockstep(ctx, walk, hosts);
  return new Set(hosts.filter((h) => walk.cursors.get(h)!.failed));
}

/** Bring a host's cursor to something it can run, applying what happened outside the cursor. */
function settle(ctx: PlayContext, walk: Walk, host: string): { cursor: HostCursor; step: Step } {
  let p = peek(walk.program, walk.cursors.get(host)!);
  for (let guard = 0; guard < 1000; guard++) {
    const st = ctx.state(host);
    let outcome: Outcome | undefined;
    if (p.step.kind === 'done') break;
    if (st.ended) outcome = { kind: 'end_host' };
    else if (st.unreachable) outcome = { kind: 'unreachable' };
    // a guard's deadline failed the host: no rescue, its always sections still run
    else if (st.failed && !p.cursor.failed) outcome = { kind: 'failed', hard: true };
    else if (ctx.signal.aborted && !inAlways(p.cursor)) outcome = { kind: 'interrupt' };
    else if (p.step.kind === 'end' && ctx.signal.aborted) outcome = { kind: 'stop' };
    if (!outcome) break;
    p = peek(walk.program, advance(walk.program, p.cursor, outcome));
  }
  walk.cursors.set(host, p.cursor);
  return p;
}

/** Strategy linear: the hosts at the lowest position run its step together, until all are done or at their section's end. */
export async function driveLockstep(ctx: PlayContext, walk: Walk, hosts: string[]): Promise<void> {
  for (;;) {
    if (ctx.stop.run || ctx.stop.play || ctx.stop.batch) return;
    let group: string[] = [];
    let at: { cursor: HostCursor; step: Step } | undefined;
    for (const h of hosts) {
      const p = settle(ctx, walk, h);
      if (p.step.kind === 'done' || p.step.kind === 'end') continue;
      const cmp = at ? comparePositions(p.cursor, at.cursor, (key) => walk.program.loadOrder?.get(key) ?? 0) : -1;
      if (cmp < 0) {
        group = [h];
        at = p;
      } else if (cmp === 0) group.push(h);
    }
    if (!at) return;
    await runStep(ctx, walk, at.step, group);
  }
}

/** Strategy free: each host runs its own steps (bounded by forks across hosts). */
export async function driveFree(ctx: PlayContext, walk: Walk, hosts: string[]): Promise<void> {
  const perHost = pLimit(Math.max(1, ctx.opts.forks));
  await Promise.all(hosts.map((h) => perHost(() => driveLockstep(ctx, walk, [h]))));
}

/** What the tasks at a position inherit from the play and the blocks around them, for these hosts. */
function inheritedAt(ctx: PlayContext, walk: Walk, cursor: HostCursor, hosts: string[], handler: boolean): Inherited {
  let inh = fromPlay(ctx.play);
  if (handler) return inh;
  const around = enclosing(walk.program, cursor);
  for (const { block } of around) inh = enterBlock(inh, block);
  const failedInfo = new Map<string, Vars>();
  const includeVars = new Map<string, Vars>();
  for (const h of hosts) {
    const c = walk.cursors.get(h)!;
    if (c.stack.some((f) => f.phase === 'rescue')) failedInfo.set(h, ctx.lastFailure.get(h) ?? {});
    let vars: Vars | undefined;
    around.forEach(({ block }, i) => {
      const frame = c.stack[i + 1]!;
      if (frame.round === undefined) return;
      const { items, loopControl, picked } = includeItemsFor(ctx, walk, h, block, cursor, i);
      vars = { ...vars, ...loopVars({ loop: block.include!.loop, loopControl } as Task, items, picked?.[frame.round] ?? frame.round) };
    });
    if (vars) includeVars.set(h, vars);
  }
  return { ...inh, rescuable: rescuable(walk.program, cursor), teardown: inAlways(cursor), failedInfo, ...(includeVars.size > 0 ? { hostIncludeVars: includeVars } : {}) };
}

/** The items of a looped include for a host (computed again after a resume). */
function includeItemsFor(ctx: PlayContext, walk: Walk, host: string, block: Block, cursor: HostCursor, depth: number): IncludeLoop {
  const key = `${host}\u0000${block.id}`;
  let loop = walk.includeItems.get(key);
  if (!loop) {
    const outer = { ...cursor, stack: cursor.stack.slice(0, depth + 1) };
    const inh = inheritedAt(ctx, walk, outer, [host], false);
    const scope = lazyVars(buildVars(ctx, host, inh, block.vars), block.where);
    loop = selectedLoop(ctx, host, block, inh, scope) ?? includeLoop(block, scope);
    walk.includeItems.set(key, loop);
  }
  return loop;
}

async function runStep(ctx: PlayContext, walk: Walk, step: Step, hosts: string[]): Promise<void> {
  const cursor = walk.cursors.get(hosts[0]!)!;
  if (walk.persist) {
    const around = enclosing(walk.program, cursor).map(({ block }) => ({ rescueOrAlways: block.rescue.length > 0 || block.always.length > 0, id: block.id }));
    saveHosts(ctx, hosts.map((h) => ({ host: h, cursor: walk.cursors.get(h), at: resumePoint(walk.cursors.get(h)!, step, around) })));
  }
  let outcomes: Map<string, Outcome>;
  let fatal: string | undefined;
  if (step.kind === 'include') {
    ({ outcomes, fatal } = includeRounds(ctx, walk, step.block, cursor, hosts, inheritedAt(ctx, walk, cursor, hosts, false)));
  } else if (step.kind === 'task') {
    const handler = step.handler === true;
    // a role's handler sees its role's defaults, vars and params (Ansible's handler vars)
    const inh = handler && step.task.role ? { ...inheritedAt(ctx, walk, cursor, hosts, true), role: step.task.role } : inheritedAt(ctx, walk, cursor, hosts, handler);
    // a handler is shown by its name as rendered when it was notified
    const shown = handler ? handlerName(ctx, step.task) : undefined;
    const task = shown !== undefined && shown !== step.task.name ? { ...step.task, name: shown } : step.task;
    ({ outcomes, fatal } = await runTask(ctx, walk, task, hosts, inh, handler, !handler && failureCaught(walk.program, cursor)));
  } else return;
  for (const h of hosts) {
    const outcome = outcomes.get(h);
    if (!outcome) continue;
    const st = ctx.state(h);
    let c = walk.cursors.get(h)!;
    // notifications made by the task become the cursor's (handler ids); before the step is applied,
    // so a handler that notifies itself is done with it (as Ansible: notified, then run)
    if (st.notified.size > 0) {
      const topics = [...st.notified];
      st.notified.clear();
      c = notify(c, notifiedHandlers(ctx, walk.program.handlers, topics, (step as { task: Task }).task).map((t) => t.id));
    }
    const inFlush = c.flush !== undefined;
    c = advance(walk.program, c, outcome);
    // a handler's failure a rescue took over: it stays in the recap, the run does not fail for it (Ansible)
    if (outcome.kind === 'failed' && inFlush && !c.failed) st.errorsCleared = true;
    if (c.failed) st.failed = true;
    if (c.done === 'unreachable') st.unreachable = st.failed = true;
    walk.cursors.set(h, c);
  }
  if (walk.persist) saveHosts(ctx, hosts.filter((h) => outcomes.has(h)).map((h) => ({ host: h, cursor: walk.cursors.get(h) })));
  const unreachableNow = hosts.filter((h) => outcomes.get(h)?.kind === 'unreachable');
  if (fatal) anyErrorsFatal(ctx, walk, fatal, unreachableNow);
  if (walk.fatalMarked.size > 0) allFailedOrMarked(ctx, walk);
  walk.onTaskDone(); // failure rules, also after an include that failed a host
}

/**
 * any_errors_fatal after a task, as Ansible 2.14's linear strategy: every host of the batch whose next
 * step is not in a rescue or always section is marked failed. If that is every host, the run stops
 * now. Else the hosts go on (the spared ones through their rescue/always, and, as in Ansible, the
 * marked ones too) and the run stops after this play. A teardown in an always section is never cut.
 */
function anyErrorsFatal(ctx: PlayContext, walk: Walk, reason: string, unreachableNow: string[]): void {
  // Ansible's hosts_left: the batch's hosts but those unreachable before this task
  const left = [...walk.cursors.keys()].filter((h) => !ctx.state(h).unreachable || unreachableNow.includes(h));
  const spared = left.filter((h) => !unreachableNow.includes(h) && inRescueOrAlways(peek(walk.program, walk.cursors.get(h)!).cursor));
  const marked = left.filter((h) => !spared.includes(h));
  if (marked.length === 0) return;
  for (const h of marked) walk.fatalMarked.add(h);
  ctx.stop.afterPlay ??= reason;
  if (spared.length === 0) ctx.stop.run ??= reason;
}

/** After any_errors_fatal spared some hosts: once every host is marked or failed for good, the run stops (Ansible re-checks this after every task). */
function allFailedOrMarked(ctx: PlayContext, walk: Walk): void {
  const left = [...walk.cursors.keys()].filter((h) => !ctx.state(h).unreachable);
  if (left.every((h) => walk.fatalMarked.has(h) || (ctx.state(h).failed && walk.cursors.get(h)!.done !== undefined))) ctx.stop.run ??= ctx.stop.afterPlay;
}
