import type { Guard } from '../playbook/types.js';
import { renderValue } from '../template/render.js';
import type { PlayContext } from './context.js';
import { fromPlay } from './inherit.js';
import { runItems } from './walk.js';
import { buildVars } from './vars.js';
import { lazyVars } from '../template/lazy.js';
import { TsplayError } from '../errors.js';

/**
 * A play's guard at run time. setup runs once before the first batch and teardown once after the
 * last, on the play's first host (tasks reach others with delegate_to), whatever happened — even
 * after an interrupt, under a signal of their own. precheck runs on a batch's hosts before they are
 * touched. host_deadline gives each host a budget: when it runs out, that host's command in flight
 * is killed (its signal aborts), the host fails naming the guard, and no further batch starts.
 */
export class GuardRun {
  private readonly deadlines = new Map<string, { controller: AbortController; timer: NodeJS.Timeout; signal: AbortSignal }>();

  constructor(private readonly ctx: PlayContext, private readonly guard: Guard) {}

  /** A host's budget in seconds: host_deadline rendered with that host's variables (a site's group_vars). */
  private secondsFor(host: string): number | undefined {
    const raw = this.guard.hostDeadline;
    if (raw === undefined) return undefined;
    const v = typeof raw === 'string' ? renderValue(raw, lazyVars(buildVars(this.ctx, host, fromPlay(this.ctx.play), undefined), this.guard.where), this.guard.where, `guard '${this.guard.name}'`) : raw;
    const seconds = Number(v);
    if (!(seconds > 0)) throw new TsplayError(`guard '${this.guard.name}': host_deadline must be a positive number of seconds, got ${JSON.stringify(v)}`, { where: this.guard.where });
    return seconds;
  }

  private emit(phase: 'setup' | 'precheck' | 'teardown' | 'deadline-start' | 'deadline-hit' | 'failed', extra: { host?: string; deadlineAt?: number; message?: string } = {}): void {
    this.ctx.emit({ kind: 'guard', name: this.guard.name, phase, ...extra, time: new Date().toISOString() });
  }

  /** Run setup on the play's first host; false (and the run stops) if it failed. */
  async setup(hosts: string[]): Promise<boolean> {
    if (this.guard.setup.length === 0) return true;
    this.emit('setup');
    const failed = await runItems(this.ctx, this.guard.setup, hosts.slice(0, 1));
    if (failed.size > 0) {
      this.stop(`guard '${this.guard.name}': setup failed on ${[...failed].join(', ')}`);
      return false;
    }
    return true;
  }

  /** Run precheck on a batch; false (rollout stops before these hosts change) if any host failed it. */
  async precheck(batch: string[]): Promise<boolean> {
    if (this.guard.precheck.length === 0) return true;
    this.emit('precheck');
    const failed = await runItems(this.ctx, this.guard.precheck, batch);
    if (failed.size > 0) {
      this.stop(`guard '${this.guard.name}': precheck failed on ${[...failed].join(', ')}; the rollout stopped before changing it`);
      return false;
    }
    return true;
  }

  /** Start each host's budget as its batch begins. */
  startBatch(batch: string[]): void {
    for (const host of batch) {
      const seconds = this.secondsFor(host);
      if (seconds === undefined) return;
      const ms = seconds * 1000;
      const controller = new AbortController();
      const deadlineAt = Date.now() + ms;
      const timer = setTimeout(() => {
        const message = `guard '${this.guard.name}': host_deadline of ${seconds} s exceeded on ${host}; its command was killed`;
        this.emit('deadline-hit', { host, message });
        this.ctx.state(host).failed = true;
        this.ctx.stop.afterBatch ??= message;
        controller.abort(message);
      }, ms);
      timer.unref();
      this.deadlines.set(host, { controller, timer, signal: AbortSignal.any([this.ctx.kill, controller.signal]) });
      this.emit('deadline-start', { host, deadlineAt });
    }
  }

  /** The signal a host's commands run under while its budget lasts. */
  hostSignal(host: string): AbortSignal | undefined {
    return this.deadlines.get(host)?.signal;
  }

  endBatch(batch: string[]): void {
    for (const host of batch) {
      const d = this.deadlines.get(host);
      if (d) clearTimeout(d.timer);
      this.deadlines.delete(host);
    }
  }

  /** Teardown, always: a signal and stop state of its own, so an interrupt does not cut it short. */
  async teardown(hosts: string[]): Promise<void> {
    if (this.guard.teardown.length === 0 || hosts.length === 0) return;
    this.emit('teardown');
    const own = new AbortController();
    const ctx: PlayContext = { ...this.ctx, signal: own.signal, kill: own.signal, stop: {}, hostSignal: () => own.signal };
    const first = hosts[0]!;
    const state = ctx.state(first);
    const wasFailed = state.failed;
    const wasEnded = state.ended;
    state.failed = false; // teardown must run even when the first host is the one that failed
    state.ended = false;
    try {
      const failed = await runItems(ctx, this.guard.teardown, [first]);
      if (failed.size > 0) this.emit('failed', { message: `guard '${this.guard.name}': teardown failed` });
    } finally {
      state.failed = wasFailed || state.failed;
      state.ended = wasEnded;
    }
  }

  private stop(reason: string): void {
    this.emit('failed', { message: reason });
    this.ctx.stop.run ??= reason;
  }
}
