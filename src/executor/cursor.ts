import type { Block, Item, Task } from '../playbook/types.js';

/**
 * A host's place in a play, as plain data (Ansible's PlayIterator HostState, small): which section,
 * which item of which block list (block / rescue / always) at every depth, which round of a looped
 * include, whether it is running the handler phase, what it was notified of, whether it failed.
 * `next(program, cursor, outcome)` is a pure step function over it; the driver (walk.ts) runs what
 * it returns. The state file keeps the cursor, so --resume continues from exactly here.
 */
export type Phase = 'block' | 'rescue' | 'always';

export interface Frame {
  phase: Phase;
  /** The item of this frame's list the host is at (the next to run). */
  index: number;
  /** A failure in this block that no rescue handled: after `always`, it goes on to the enclosing block. */
  failed?: boolean;
  /** This block's rescue section ran to its end: the failure was handled. */
  rescued?: boolean;
  /** A looped include_tasks/include_role: the round (item index) and how many rounds this host has. */
  round?: number;
  rounds?: number;
  /** A deferred include (decided per host at run time): what its names rendered to, per round (Program.resolved's keys). */
  resolved?: string[];
}

export interface HostCursor {
  /** The play section (pre_tasks, tasks, post_tasks…) whose items `stack[0]` walks. */
  section: string;
  /** stack[0] walks the section's items; stack[k] walks the block at stack[k-1]'s item. */
  stack: Frame[];
  /** Running the handler phase at this position: the next handler to consider. */
  flush?: { index: number };
  /** The section's closing handler flush is done. */
  flushed?: boolean;
  /** Ids of the handlers notified on this host and not yet run. */
  notified: string[];
  /** Failed with no rescue to come (the host is failed for the play). */
  failed: boolean;
  /** Nothing more to run in this play, and why. */
  done?: 'failed' | 'unreachable' | 'ended' | 'stopped';
}

export interface Program {
  sections: Record<string, Item[]>;
  handlers: Task[];
  /** force_handlers: a failed host still runs its notified handlers at the section's end. */
  forceHandlers: boolean;
  /**
   * Deferred includes as the hosts resolved them: `resolvedKey(block id, key)` → the include with the
   * items it brought in. Filled by the driver (walk.ts) before a host enters one; in the order loaded,
   * which is the order hosts on different files run in (Ansible's: by included file).
   */
  resolved?: Map<string, Block>;
  /** The rendered keys of deferred includes in the order first loaded. */
  loadOrder?: Map<string, number>;
}

export type Step =
  | { kind: 'task'; task: Task; handler?: boolean }
  /** A dynamic include (include_tasks/include_role): the driver reports its result and decides, per host, how many rounds (0 = skip). */
  | { kind: 'include'; block: Block }
  /** The section is over (its handlers ran): the driver moves the host to the next section. */
  | { kind: 'end' }
  | { kind: 'done' };

export type Outcome =
  | { kind: 'ok' }
  /** `hard`: the host was failed from outside (a guard deadline): no rescue runs, `always` does. */
  | { kind: 'failed'; hard?: boolean }
  | { kind: 'unreachable' }
  /** `resolved`: a deferred include's keys, one per round (loaded into Program.resolved). */
  | { kind: 'include'; rounds: number; resolved?: string[] }
  /** meta: flush_handlers (when its condition held): run the handler phase here. */
  | { kind: 'flush' }
  | { kind: 'end_host' }
  /** end_batch / end_play / the run stopped: nothing more here. */
  | { kind: 'stop' }
  /** SIGINT/SIGTERM: skip to the innermost `always` still to run (a teardown), else done. */
  | { kind: 'interrupt' };

export function startCursor(section: string, notified: string[] = [], failed = false): HostCursor {
  return { section, stack: [{ phase: 'block', index: 0 }], notified: [...notified], failed };
}

function clone(c: HostCursor): HostCursor {
  return { ...c, stack: c.stack.map((f) => ({ ...f })), notified: [...c.notified], ...(c.flush ? { flush: { ...c.flush } } : {}) };
}

/** The block frame k walks (k ≥ 1): the item its parent frame is at (a deferred include: as this host resolved it). */
function blockAt(program: Program, c: HostCursor, k: number): Block {
  const block = listOf(program, c, k - 1)[c.stack[k - 1]!.index] as Block;
  if (!block.include?.deferred) return block;
  const key = resolvedKeyOf(c.stack[k]!);
  const resolved = key === undefined ? undefined : program.resolved?.get(resolvedKey(block.id, key));
  if (!resolved) throw new Error(`include ${block.id} (${key ?? 'unresolved'}) is not loaded`);
  return resolved;
}

/** Program.resolved's key of a deferred include's resolution. */
export function resolvedKey(blockId: string, key: string): string {
  return `${blockId}\u0000${key}`;
}

/** The resolution a frame walks (its round's). */
function resolvedKeyOf(frame: Frame): string | undefined {
  return frame.resolved?.[frame.round ?? 0];
}

/**
 * The outermost deferred include on the host's path whose resolution is not loaded yet (a resumed
 * cursor): the driver loads it and asks again.
 */
export function unloaded(program: Program, c: HostCursor): { block: Block; key: string } | undefined {
  for (let k = 1; k < c.stack.length; k++) {
    const block = listOf(program, c, k - 1)[c.stack[k - 1]!.index] as Block | undefined;
    if (!block || block.kind !== 'block') return undefined;
    if (!block.include?.deferred) continue;
    const key = resolvedKeyOf(c.stack[k]!);
    if (key === undefined) return undefined;
    if (!program.resolved?.has(resolvedKey(block.id, key))) return { block, key };
  }
  return undefined;
}

function listOf(program: Program, c: HostCursor, k: number): Item[] {
  if (k === 0) return program.sections[c.section] ?? [];
  const block = blockAt(program, c, k);
  return block[c.stack[k]!.phase];
}

/** The blocks around the host's position, outermost first, with the frame that walks each. */
export function enclosing(program: Program, c: HostCursor): { block: Block; frame: Frame }[] {
  const out: { block: Block; frame: Frame }[] = [];
  for (let k = 1; k < c.stack.length; k++) out.push({ block: blockAt(program, c, k), frame: c.stack[k]! });
  return out;
}

/** A failure here goes to an enclosing rescue (so the host is not failed for the play yet). */
export function rescuable(program: Program, c: HostCursor): boolean {
  return !c.flush && enclosing(program, c).some(({ block, frame }) => frame.phase === 'block' && block.rescue.length > 0);
}

/**
 * A failure here is caught (Ansible's PlayIterator.is_failed is false right after it): by the rescue or
 * the always of the failed task's own block, or by the rescue of an enclosing block. An enclosing
 * block's always does not catch it: Ansible moves into that always only at the next task, so for
 * any_errors_fatal the host counts as failed (blocks target, the nested block of issue 35148).
 */
export function failureCaught(program: Program, c: HostCursor): boolean {
  if (c.flush) return false;
  const around = enclosing(program, c);
  const own = around[around.length - 1];
  if (own && own.frame.phase !== 'always' && own.block.always.length > 0) return true;
  return rescuable(program, c);
}

/**
 * The host's next step (a normalized cursor) is in a rescue or always section of its innermost block:
 * any_errors_fatal spares it (Ansible's get_active_state in RESCUE or ALWAYS). A block nested in an
 * always section is not spared, as in Ansible.
 */
export function inRescueOrAlways(c: HostCursor): boolean {
  if (c.done || c.flush || c.stack.length < 2) return false;
  return c.stack[c.stack.length - 1]!.phase !== 'block';
}

/** Inside an `always` section: after a signal it still runs (a teardown). */
export function inAlways(c: HostCursor): boolean {
  return !c.flush && c.stack.some((f) => f.phase === 'always');
}

/** Move to the item after the current one of the top frame. */
function stepOver(c: HostCursor): void {
  c.stack[c.stack.length - 1]!.index++;
}

/**
 * Normalize: walk into blocks, out of finished lists, through rescue/always and handler phases
 * until the cursor is at something to run. Pure.
 */
export function peek(program: Program, cursor: HostCursor): { cursor: HostCursor; step: Step } {
  const c = clone(cursor);
  for (;;) {
    if (c.done) return { cursor: c, step: { kind: 'done' } };
    if (c.flush) {
      const h = nextNotifiedHandler(program, c);
      if (h) return { cursor: c, step: { kind: 'task', task: h, handler: true } };
      delete c.flush;
      // the flush ran at a meta task (step over it) or at the section's end
      const top = c.stack.length - 1;
      if (c.stack[top]!.index < listOf(program, c, top).length) stepOver(c);
      else c.flushed = true;
      continue;
    }
    const k = c.stack.length - 1;
    const frame = c.stack[k]!;
    const list = listOf(program, c, k);
    if (frame.index >= list.length) {
      if (k === 0) {
        if (!c.flushed) {
          c.flush = { index: 0 };
          continue;
        }
        return { cursor: c, step: { kind: 'end' } };
      }
      const block = blockAt(program, c, k);
      if (frame.phase === 'rescue') {
        frame.failed = false;
        frame.rescued = true;
      }
      if (frame.phase !== 'always' && block.always.length > 0) {
        frame.phase = 'always';
        frame.index = 0;
        continue;
      }
      // the block is finished (this round of it, for a looped include)
      if (!frame.failed && frame.rounds !== undefined && frame.round! + 1 < frame.rounds) {
        c.stack[k] = { phase: 'block', index: 0, round: frame.round! + 1, rounds: frame.rounds, ...(frame.resolved ? { resolved: frame.resolved } : {}) };
        continue;
      }
      c.stack.pop();
      if (frame.failed) fail(program, c, false);
      else stepOver(c);
      continue;
    }
    const item = list[frame.index]!;
    if (item.kind === 'task') return { cursor: c, step: { kind: 'task', task: item } };
    if (item.include) return { cursor: c, step: { kind: 'include', block: item } };
    c.stack.push({ phase: 'block', index: 0 });
  }
}

function nextNotifiedHandler(program: Program, c: HostCursor): Task | undefined {
  const f = c.flush!;
  while (f.index < program.handlers.length) {
    const h = program.handlers[f.index]!;
    if (c.notified.includes(h.id)) return h;
    f.index++;
  }
  return undefined;
}

/**
 * A failure at the current position: to the innermost rescue still to run (unless `hard`), else the
 * innermost always still to run (the failure goes on after it), else the host is failed for the play.
 */
function fail(program: Program, c: HostCursor, hard: boolean): void {
  if (!hard && !rescuable(program, c)) c.failed = true;
  if (hard) c.failed = true;
  while (c.stack.length > 1) {
    const k = c.stack.length - 1;
    const frame = c.stack[k]!;
    const block = blockAt(program, c, k);
    delete frame.rounds; // a failed round ends a looped include for this host
    delete frame.round;
    if (frame.phase === 'block' && block.rescue.length > 0 && !hard) {
      Object.assign(frame, { phase: 'rescue', index: 0, failed: true });
      return;
    }
    if (frame.phase !== 'always' && block.always.length > 0) {
      Object.assign(frame, { phase: 'always', index: 0, failed: true });
      return;
    }
    c.stack.pop();
  }
  c.failed = true;
  if (program.forceHandlers) {
    // a failed host still runs its handlers at the section's end (force_handlers), nothing else
    c.stack = [{ phase: 'block', index: (program.sections[c.section] ?? []).length }];
  } else c.done = 'failed';
}

/**
 * A handler failed in a flush. As Ansible 2.14's iterator: the handler phase belongs to the host's
 * top-level block, so a flush_handlers inside a block's tasks goes to that outermost block's rescue
 * (else its always), skipping the blocks nested in it; the failure still counts in the recap, but a
 * rescue that runs to its end handles it. Anywhere else (the section's end, a flush at the top level,
 * in a rescue or always) the host fails.
 */
function handlerFailed(program: Program, c: HostCursor): void {
  const top = c.stack[1];
  if (top && top.phase === 'block') {
    const block = blockAt(program, c, 1);
    const to: Phase | undefined = block.rescue.length > 0 ? 'rescue' : block.always.length > 0 ? 'always' : undefined;
    if (to) {
      c.stack = [c.stack[0]!, { phase: to, index: 0, failed: true }];
      return;
    }
  }
  c.failed = true;
  c.done = 'failed';
}

/** Apply what happened at the step the (normalized) cursor is at. Pure. */
export function advance(program: Program, cursor: HostCursor, outcome: Outcome): HostCursor {
  const c = clone(cursor);
  if (c.done) return c;
  switch (outcome.kind) {
    case 'ok':
      if (c.flush) {
        const h = program.handlers[c.flush.index];
        if (h) c.notified = c.notified.filter((id) => id !== h.id);
        c.flush.index++;
      } else stepOver(c);
      break;
    case 'failed':
      if (c.flush) {
        // its other handlers stay notified (kept for --resume)
        const h = program.handlers[c.flush.index];
        if (h) c.notified = c.notified.filter((id) => id !== h.id);
        delete c.flush;
        handlerFailed(program, c);
      } else fail(program, c, outcome.hard === true);
      break;
    case 'unreachable':
      c.failed = true;
      c.done = 'unreachable';
      break;
    case 'include':
      if (outcome.rounds > 0) {
        const block = listOf(program, c, c.stack.length - 1)[c.stack[c.stack.length - 1]!.index] as Block;
        c.stack.push({ phase: 'block', index: 0, ...(block.include?.loop !== undefined ? { round: 0, rounds: outcome.rounds } : {}), ...(outcome.resolved ? { resolved: outcome.resolved } : {}) });
      } else stepOver(c);
      break;
    case 'flush':
      if (c.flush) break; // flush_handlers as a handler: nothing more to flush than this phase
      c.flush = { index: 0 };
      break;
    case 'end_host':
      c.done = 'ended';
      break;
    case 'stop':
      c.done = 'stopped';
      break;
    case 'interrupt': {
      delete c.flush;
      for (let k = c.stack.length - 1; k >= 1; k--) {
        const frame = c.stack[k]!;
        if (frame.phase !== 'always' && blockAt(program, c, k).always.length > 0) {
          c.stack.length = k + 1;
          Object.assign(frame, { phase: 'always', index: 0 });
          delete frame.rounds;
          delete frame.round;
          return c;
        }
      }
      c.done = 'stopped';
      break;
    }
  }
  return c;
}

/** advance, then peek: the host's next step. */
export function next(program: Program, cursor: HostCursor, outcome: Outcome): { cursor: HostCursor; step: Step } {
  return peek(program, advance(program, cursor, outcome));
}

/** meta: clear_host_errors: failures recorded on the way (blocks' and the host's) are forgotten. */
export function clearErrors(cursor: HostCursor): HostCursor {
  const c = clone(cursor);
  c.failed = false;
  for (const f of c.stack) delete f.failed;
  if (c.done === 'failed') c.done = 'stopped';
  return c;
}

/** Add notified handler ids (each once). */
export function notify(cursor: HostCursor, ids: string[]): HostCursor {
  const add = ids.filter((id) => !cursor.notified.includes(id));
  return add.length === 0 ? cursor : { ...cursor, notified: [...cursor.notified, ...add] };
}

/** The run stopped (any_errors_fatal, max_fail_percentage) and force_handlers: only the section's handlers are left. */
export function toSectionEnd(program: Program, cursor: HostCursor): HostCursor {
  const c = clone(cursor);
  delete c.flush;
  c.stack = [{ phase: 'block', index: (program.sections[c.section] ?? []).length }];
  return c;
}

const PHASE_ORDER: Record<Phase, number> = { block: 0, rescue: 1, always: 2 };

/**
 * Order of positions in a play as written (Ansible's linear lockstep): hosts at the lowest position
 * run its step together. A host in a handler phase comes before the hosts that went past its flush.
 * Hosts in a deferred include that resolved it differently are at different positions: the file
 * loaded first comes first (`order`: Program.resolved's order of the keys).
 */
export function comparePositions(a: HostCursor, b: HostCursor, order: (key: string) => number = () => 0): number {
  const n = Math.max(a.stack.length, b.stack.length);
  for (let k = 0; k < n; k++) {
    const fa = a.stack[k];
    const fb = b.stack[k];
    if (!fa || !fb) return fa ? 1 : -1;
    const ra = resolvedKeyOf(fa);
    const rb = resolvedKeyOf(fb);
    const file = ra === rb ? 0 : ra === undefined || rb === undefined ? (ra === undefined ? -1 : 1) : order(ra) - order(rb) || (ra < rb ? -1 : 1);
    const d = (fa.round ?? 0) - (fb.round ?? 0) || file || PHASE_ORDER[fa.phase] - PHASE_ORDER[fb.phase] || fa.index - fb.index;
    if (d !== 0) return d;
  }
  if (a.flush && b.flush) return a.flush.index - b.flush.index;
  if (a.flush || b.flush) return a.flush ? -1 : 1;
  return 0;
}

/**
 * Resolve a notification topic into the handlers it names, as Ansible 2.14's strategy does: by name
 * (or "role : name") the handler blocks are searched last to first and each block first to last, so
 * the last handlers file wins and, within it, the first handler of that name; and every handler
 * listening to the topic. `nameOf` gives a handler's name as rendered (undefined: its name could not
 * be rendered, it is found by its listen topics only).
 */
export function handlersFor(handlers: Task[], topic: string, nameOf: (h: Task) => string | undefined = (h) => h.name): Task[] {
  const named = (h: Task) => {
    const name = h.name === undefined || h.includedBy !== undefined ? undefined : nameOf(h);
    return name !== undefined && (name === topic || (h.role !== undefined && `${h.role.name} : ${name}` === topic));
  };
  let byName: Task | undefined;
  for (let end = handlers.length; end > 0 && !byName; ) {
    // the block handlers[start..end) (one handlerBlock; a handler without one is a block of its own)
    let start = end - 1;
    const group = handlers[start]!.handlerBlock;
    while (group !== undefined && start > 0 && handlers[start - 1]!.handlerBlock === group) start--;
    byName = handlers.slice(start, end).find(named);
    end = start;
  }
  const listening = handlers.filter((h) => h.listen.includes(topic));
  return [...new Set([...(byName ? [byName] : []), ...listening])];
}
