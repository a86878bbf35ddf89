import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { TsplayError } from '../errors.js';

/** What the scheduler remembers across restarts: per job, the last slot it started. */
export interface SlotRecord {
  /** The slot (due time), ISO. */
  slot: string;
  /** When the run started, ISO. */
  started: string;
}

/**
 * The state file beside the lock. Written (atomically: temp file + rename) *before* a run starts,
 * so a scheduler that crashes mid-run and restarts knows that slot is taken.
 */
export class SlotState {
  private jobs: Record<string, SlotRecord> = {};

  constructor(readonly path: string) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new TsplayError(`cannot read the schedule state ${path}: ${(e as Error).message}`);
    }
    try {
      const doc = JSON.parse(text) as { jobs?: Record<string, SlotRecord> };
      this.jobs = doc.jobs ?? {};
    } catch (e) {
      throw new TsplayError(`the schedule state ${path} is not valid JSON (${(e as Error).message}); fix or remove it`);
    }
  }

  lastSlot(job: string): Date | undefined {
    const r = this.jobs[job];
    const t = r ? Date.parse(r.slot) : NaN;
    return Number.isNaN(t) ? undefined : new Date(t);
  }

  /** Record that `job` starts `slot` now; throws when the file cannot be written (then the run must not start). */
  markStarted(job: string, slot: Date): void {
    this.jobs[job] = { slot: slot.toISOString(), started: new Date().toISOString() };
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ jobs: this.jobs }, null, 2) + '\n');
    renameSync(tmp, this.path);
  }
}
