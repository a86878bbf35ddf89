import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, constants } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Job } from './jobs.js';

/** Timestamped lines on stdout: what systemd's journal (or a log file) keeps. */
export type Log = (line: string) => void;
export const stdoutLog: Log = (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

/** A job run in progress: a child `tsplay PLAYBOOK` process. */
export interface JobRun {
  pid: number;
  /** Its exit code (128+N when killed by signal N). */
  done: Promise<number>;
  /** Forward a signal (SIGTERM: the child stops after its guard teardowns and exits 99). */
  kill(sig: NodeJS.Signals): void;
}

/** The argv that runs the tsplay CLI again: this node, its flags (e.g. a loader), this script. */
function cliArgv(): string[] {
  return [...process.execArgv, process.argv[1]!];
}

/**
 * Start one run of `job`: `tsplay PLAYBOOK -i INV [-l LIMIT] -e @vars.json` with `TSPLAY_JOB=<name>`
 * (the journal records the job), where vars.json holds the job's extra_vars plus `now` (ISO time)
 * and `hostname` (this scheduler's host). The child's output is copied to our stdout, each line
 * prefixed with the job name. The child gets its own process group, so a Ctrl-C on the terminal
 * reaches only the scheduler, which forwards exactly one SIGTERM. `extraArgs` go last (--syntax-check).
 */
export function startJobRun(job: Job, log: Log, extraArgs: string[] = []): JobRun {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-job-'));
  const varsFile = join(dir, 'vars.json');
  const vars = { ...job.extraVars, now: new Date().toISOString(), hostname: hostname() };
  writeFileSync(varsFile, JSON.stringify(vars), { mode: 0o600 });
  const args = [...cliArgv(), job.playbook, ...job.inventory.flatMap((i) => ['-i', i])];
  if (job.limit !== undefined) args.push('-l', job.limit);
  args.push('-e', `@${varsFile}`, ...extraArgs);
  const child = spawn(process.execPath, args, {
    env: { ...process.env, TSPLAY_JOB: job.name },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const copied = [child.stdout, child.stderr].map(
    (stream) =>
      new Promise<void>((done) => {
        const rl = createInterface({ input: stream, crlfDelay: Infinity });
        rl.on('line', (line) => log(`[${job.name}] ${line}`));
        rl.on('close', done);
      }),
  );
  const done = new Promise<number>((resolve) => {
    child.on('error', (e) => {
      log(`job=${job.name} cannot start: ${e.message}`);
      resolve(250);
    });
    child.on('close', (code, signal) => {
      void Promise.all(copied).then(() => {
        rmSync(dir, { recursive: true, force: true });
        resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
      });
    });
  });
  return {
    pid: child.pid ?? 0,
    done,
    kill(sig) {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
  };
}
