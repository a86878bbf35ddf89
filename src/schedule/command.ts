import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { ExitCode, ParseError, TsplayError } from '../errors.js';
import { loadJobs, type Job, type JobsFile } from './jobs.js';
import { isLock } from './lock.js';
import { lockJob, runScheduler, statePaths } from './scheduler.js';
import { startJobRun, stdoutLog, type Log } from './spawn-run.js';
import { formatInZone, nextSlots } from './timing.js';

export interface ScheduleFlags {
  list?: boolean;
  run?: string;
  check?: boolean;
  stateDir?: string;
}

export async function scheduleCommand(file: string, flags: ScheduleFlags): Promise<number> {
  const chosen = [flags.list, flags.run !== undefined, flags.check].filter(Boolean).length;
  if (chosen > 1) throw new TsplayError('give only one of --list, --run and --check', { code: ExitCode.badOptions });
  const jobs = loadJobs(file);
  const stateDir = resolve(flags.stateDir ?? dirname(resolve(file)));
  if (flags.check) return checkJobs(jobs);
  if (flags.list) {
    process.stdout.write(listJobs(jobs, new Date()));
    return ExitCode.ok;
  }
  if (flags.run !== undefined) return runOnce(jobs, flags.run, stateDir, stdoutLog);
  return runScheduler(jobs, stateDir, stdoutLog);
}

/** --list: each job, what it runs and when, and its next three run times (in its time zone). */
export function listJobs(jobs: JobsFile, now: Date): string {
  // Paths as the operator would type them from here.
  const show = (p: string) => {
    const r = relative(process.cwd(), p);
    return r === '' || r.startsWith('..') || isAbsolute(r) ? p : r;
  };
  let out = '';
  for (const job of jobs.jobs) {
    const limit = job.limit !== undefined ? ` -l ${job.limit}` : '';
    out += `${job.name}: ${job.timing.describe}: ${show(job.playbook)} -i ${job.inventory.map(show).join(' -i ')}${limit}\n`;
    for (const t of nextSlots(job.timing, now, 3)) out += `  ${formatInZone(t, job.timing.timezone)}\n`;
  }
  return out;
}

/** --check: the file validated when it loaded; now each playbook and inventory, as a run would load them. */
async function checkJobs(jobs: JobsFile): Promise<number> {
  for (const job of jobs.jobs) {
    const lines: string[] = [];
    const code = await startJobRun(job, stdoutLog, { extraArgs: ['--syntax-check'], capture: (l) => lines.push(l) }).done;
    if (code !== 0) {
      const error = lines.find((l) => l.startsWith('ERROR!')) ?? `exit code ${code}`;
      throw new ParseError(`the playbook does not load: ${error.replace(/^ERROR! /, '')}`, job.where, `job '${job.name}'`);
    }
  }
  process.stdout.write(`${jobs.file}: ${jobs.jobs.length} job(s) OK\n`);
  return ExitCode.ok;
}

/** --run JOB: one run now (not while the scheduler runs the same job), exit with its exit code. */
async function runOnce(jobs: JobsFile, name: string, stateDir: string, log: Log): Promise<number> {
  const job: Job | undefined = jobs.jobs.find((j) => j.name === name);
  if (!job) {
    throw new TsplayError(`no job '${name}' in ${jobs.file} (jobs: ${jobs.jobs.map((j) => j.name).join(', ') || 'none'})`, { code: ExitCode.badOptions });
  }
  const lock = lockJob(statePaths(jobs.file, stateDir), job);
  if (!isLock(lock)) throw new TsplayError(`job '${name}' is running already (process ${lock.pid})`);
  try {
    const run = startJobRun(job, log);
    lock.addPid(run.pid);
    log(`job=${job.name} start (--run) pid=${run.pid}`);
    const forward = (): void => run.kill('SIGTERM');
    process.on('SIGTERM', forward);
    process.on('SIGINT', forward);
    const code = await run.done.finally(() => {
      process.off('SIGTERM', forward);
      process.off('SIGINT', forward);
    });
    log(`job=${job.name} end exit=${code}`);
    return code;
  } finally {
    lock.release();
  }
}
