import type { PlayContext } from './context.js';
import type { HostCursor, Step } from './cursor.js';
import type { SavedCursor, SavedHost } from './options.js';

/**
 * Where a host resumes if the step it is about to run does not complete: its cursor at that step,
 * or, inside a block with rescue/always (whose teardown runs when the host stops there), the start of
 * the outermost such block. `taskId` names what is there, so a resume can check it still is.
 */
export function resumePoint(cursor: HostCursor, step: Step, blocksAround: { rescueOrAlways: boolean; id: string }[]): Omit<SavedCursor, 'play'> {
  const k = blocksAround.findIndex((b) => b.rescueOrAlways);
  if (k >= 0 && !cursor.flush) {
    const { flush: _f, ...rest } = cursor;
    return { cursor: { ...rest, stack: cursor.stack.slice(0, k + 1).map((f) => ({ ...f })), flushed: false }, taskId: blocksAround[k]!.id };
  }
  const taskId = step.kind === 'task' ? step.task.id : step.kind === 'include' ? step.block.id : undefined;
  return { cursor: structuredClone(cursor), ...(taskId !== undefined ? { taskId } : {}) };
}

/**
 * Hand hosts' restorable state (registered values, set_facts, the resume point with the notifications
 * not yet handled) to the run's keeper: the state file that --resume restores from, so it must be
 * called whenever that changed. All the hosts of a step at once: one write.
 */
export function saveHosts(ctx: PlayContext, hosts: { host: string; cursor?: HostCursor; at?: Omit<SavedCursor, 'play'> }[]): void {
  const saved: Record<string, SavedHost> = {};
  for (const { host, cursor, at } of hosts) {
    const st = ctx.state(host);
    if (at) st.resumeAt = { play: ctx.playIndex, ...at };
    if (cursor && st.resumeAt && st.resumeAt.play === ctx.playIndex) st.resumeAt.cursor.notified = [...cursor.notified];
    saved[host] = { vars: st.hostFacts, ...(st.hidden.size > 0 ? { hidden: [...st.hidden] } : {}), ...(st.templatedFacts.size > 0 ? { templated: [...st.templatedFacts] } : {}), ...(Object.keys(st.includeVars).length > 0 ? { includeVars: st.includeVars } : {}), ...(st.resumeAt ? { cursor: st.resumeAt } : {}) };
  }
  if (hosts.length > 0) ctx.opts.hooks?.saveHosts?.(saved);
}
