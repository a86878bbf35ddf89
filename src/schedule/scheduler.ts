import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { TsplayError } from '../errors.js';
import type { Job, JobsFile } from './jobs.js';
import { isLock, tryLock, type Lock } from './lock.js';
import { startJobRun, type JobRun, type Log } from './spawn-run.js';
import { SlotState } from './state.js';
import { latestSlotBetween } from './timing.js';

/** Where the lock and state files of a jobs file live, and how they are named. */
export interface StatePaths {
  lock: string;
  state: string;
  jobLock(job: Job): string;
}

export function statePaths(jobsFile: string, stateDir: string): StatePaths {
  const base = `.${basename(resolve(jobsFile))}`;
  return {
    lock: join(stateDir, `${base}.lock`),
    state: join(stateDir, `${base}.state.json`),
    jobLock: (job) => join(stateDir, `${base}.job-${job.name}.lock`),
  };
}

/** A job's lock: held by whoever runs it (the scheduler or `--run`) and by the child doing the run. */
export function lockJob(paths: StatePaths, job: Job) {
  return tryLock(paths.jobLock(job), ['schedule', job.playbook]);
}

/** Timers in Node hold at most ~24.8 days; wake up at least hourly and look again. */
const MAX_SLEEP_MS = 3_600_000;

/**
 * The long-running scheduler: one timer per job, one run at a time per job, a state file so a
 * restart never repeats a slot, SIGTERM/SIGINT to stop (running jobs get SIGTERM and finish their
 * teardown). Resolves with 0 once stopped.
 */
export async function runScheduler(jobs: JobsFile, stateDir: string, log: Log): Promise<number> {
  mkdirSync(stateDir, { recursive: true });
  const paths = statePaths(jobs.file, stateDir);
  const lock = tryLock(paths.lock, ['schedule']);
  if (!isLock(lock)) {
    throw new TsplayError(`${jobs.file} is already scheduled by process ${lock.pid} (lock file ${paths.lock})`);
  }
  try {
    const state = new SlotState(paths.state);
    return await loop(jobs, paths, state, log);
  } finally {
    lock.release();
  }
}

function loop(jobs: JobsFile, paths: StatePaths, state: SlotState, log: Log): Promise<number> {
  const running = new Map<string, { run: JobRun; slot: Date; lock: Lock }>();
  const timers = new Map<string, NodeJS.Timeout>();
  let stopping = false;
  let signals = 0;
  let finish: (code: number) => void = () => {};
  const stopped = new Promise<number>((r) => (finish = r));

  const fire = (job: Job, slot: Date, why: string): void => {
    const tag = `job=${job.name} slot=${slot.toISOString()}`;
    const current = running.get(job.name);
    if (current) {
      log(`${tag} skipped: the run of slot=${current.slot.toISOString()} (pid ${current.run.pid}) is still going`);
      return;
    }
    const last = state.lastSlot(job.name);
    if (last && slot.getTime() <= last.getTime()) {
      log(`${tag} skipped: already started before (state file says slot=${last.toISOString()})`);
      return;
    }
    const jobLock = lockJob(paths, job);
    if (!isLock(jobLock)) {
      log(`${tag} skipped: running elsewhere (process ${jobLock.pid})`);
      return;
    }
    try {
      state.markStarted(job.name, slot);
    } catch (e) {
      jobLock.release();
      log(`${tag} not started: cannot write the state file ${state.path}: ${(e as Error).message}`);
      return;
    }
    const started = Date.now();
    const run = startJobRun(job, log);
    jobLock.addPid(run.pid);
    running.set(job.name, { run, slot, lock: jobLock });
    log(`${tag} start${why ? ` (${why})` : ''} pid=${run.pid}`);
    void run.done.then((code) => {
      log(`${tag} end exit=${code} after ${((Date.now() - started) / 1000).toFixed(1)}s`);
      jobLock.release();
      running.delete(job.name);
      if (stopping && running.size === 0) finish(0);
    });
  };

  const arm = (job: Job, slot: Date): void => {
    const wait = Math.min(Math.max(slot.getTime() - Date.now(), 0), MAX_SLEEP_MS);
    timers.set(
      job.name,
      setTimeout(() => {
        if (stopping) return;
        if (Date.now() < slot.getTime()) return arm(job, slot);
        try {
          fire(job, slot, '');
        } catch (e) {
          log(`job=${job.name} slot=${slot.toISOString()} failed to start: ${(e as Error).message}`);
        }
        // Slots that passed while this one was handled (or the machine slept) are not replayed.
        arm(job, job.timing.next(new Date(Math.max(slot.getTime(), Date.now()))));
      }, wait),
    );
  };

  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      stopping = true;
      for (const t of timers.values()) clearTimeout(t);
      log(`${sig}: stopping; ${running.size} running job(s) get SIGTERM and finish their teardown`);
    } else {
      log(`${sig} again: running jobs are told to stop at once`);
    }
    for (const { run } of running.values()) run.kill('SIGTERM');
    if (running.size === 0) finish(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const now = new Date();
  log(`scheduler started: ${jobs.jobs.length} job(s) from ${jobs.file}, pid ${process.pid}`);
  for (const job of jobs.jobs) {
    const next = job.timing.next(now);
    log(`job=${job.name} ${job.timing.describe} next=${next.toISOString()}`);
    const last = state.lastSlot(job.name);
    // A slot missed while no scheduler ran (only for jobs that ran before: a new job starts on its next slot).
    const missed = job.catchUp && last ? latestSlotBetween(job.timing, last, now) : undefined;
    if (missed) fire(job, missed, 'catching up a slot missed while the scheduler was down');
    arm(job, next);
  }
  log(`scheduler ready`);
  return stopped.finally(() => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  });
}
