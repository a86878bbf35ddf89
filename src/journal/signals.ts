/** What the run listens to once SIGINT/SIGTERM handling is on. */
export interface Interrupts {
  /** Aborted at the first SIGINT/SIGTERM: no new task starts (teardowns still run). */
  stop: AbortSignal;
  /** Aborted when the grace period ends, or at the second signal: commands in flight are killed. */
  kill: AbortSignal;
  /** Stop as the first signal would, for another reason (the journal cannot be written). */
  stopFor(reason: string): void;
  /** Stop listening (the run is over). */
  dispose(): void;
}

export interface SignalHandlers {
  /** Grace period for commands in flight after the first signal. */
  graceMs: number;
  /** The first signal, before `stop` is aborted (so the journal still sees what was in flight). */
  onStop(signal: NodeJS.Signals): void;
  /** The second signal, after `stop` and `kill` are aborted: record and leave at once. */
  onAbort(signal: NodeJS.Signals): void;
  /** The grace period ran out. */
  onGraceOver?(): void;
}

/** Default grace period: TSPLAY_GRACE_SECONDS, else 30 s. */
export function graceMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env.TSPLAY_GRACE_SECONDS);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : 30_000;
}

/**
 * SIGINT/SIGTERM for a run: the first one stops new tasks and starts the grace period, after which
 * commands in flight are killed; the second one kills everything at once.
 */
export function watchSignals(h: SignalHandlers): Interrupts {
  const stop = new AbortController();
  const kill = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let count = 0;
  const startGrace = () => {
    timer = setTimeout(() => {
      h.onGraceOver?.();
      kill.abort(new Error('grace period over'));
    }, h.graceMs);
    timer.unref();
  };
  const onSignal = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      h.onStop(sig);
      stop.abort(new Error(`${sig}: stopping`));
      startGrace();
    } else {
      if (timer) clearTimeout(timer);
      stop.abort();
      kill.abort(new Error(`${sig}: aborted`));
      h.onAbort(sig);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stop: stop.signal,
    kill: kill.signal,
    stopFor(reason) {
      if (count > 0) return;
      count = 1;
      stop.abort(new Error(reason));
      startGrace();
    },
    dispose() {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
