import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
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

/** The argv that runs the tsplay CLI again: this node's flags (e.g. a loader, but no debugger port to fight over), this script. */
function cliArgv(): string[] {
  return [...process.execArgv.filter((a) => !a.startsWith('--inspect')), process.argv[1]!];
}

/**
 * Start one run of `job`: `tsplay PLAYBOOK -i INV [-l LIMIT] -e @vars.json` with `TSPLAY_JOB=<name>`
 * (the journal records the job), where vars.json holds the job's extra_vars plus `now` (ISO time)
 * and `hostname` (this scheduler's host). The child gets its own process group, so a Ctrl-C on the
 * terminal reaches only the scheduler, which forwards exactly one SIGTERM.
 *
 * Output: by default the child writes, through a small `awk` that prefixes each line with
 * `[job] `, straight to our stdout — not through us, so a scheduler that crashes leaves the run
 * to finish (and its guard teardowns to run) instead of killing it with a broken pipe. With
 * `capture`, each line comes to that function instead (for --check). `extraArgs` go last.
 */
export function startJobRun(job: Job, log: Log, opts: { extraArgs?: string[]; capture?: (line: string) => void } = {}): JobRun {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-job-'));
  const varsFile = join(dir, 'vars.json');
  const vars = { ...job.extraVars, now: new Date().toISOString(), hostname: hostname() };
  writeFileSync(varsFile, JSON.stringify(vars), { mode: 0o600 });
  const args = [...cliArgv(), job.playbook, ...job.inventory.flatMap((i) => ['-i', i])];
  if (job.limit !== undefined) args.push('-l', job.limit);
  args.push('-e', `@${varsFile}`, ...(opts.extraArgs ?? []));

  const waits: Promise<unknown>[] = [];
  let stdio: StdioOptions;
  let prefixer: ChildProcess | undefined;
  if (opts.capture) {
    stdio = ['ignore', 'pipe', 'pipe'];
  } else {
    prefixer = spawn('awk', ['-v', `p=[${job.name}] `, '{ print p $0; fflush() }'], { stdio: ['pipe', 'inherit', 'inherit'], detached: true });
    waits.push(new Promise((done) => (prefixer!.on('close', done), prefixer!.on('error', done))));
    stdio = ['ignore', prefixer.stdin!, prefixer.stdin!];
  }
  const child = spawn(process.execPath, args, { env: { ...process.env, TSPLAY_JOB: job.name }, stdio, detached: true });
  // The child holds its own copy of the pipe; ours would keep awk from ever seeing the end.
  prefixer?.stdin?.destroy();
  if (opts.capture) {
    for (const stream of [child.stdout!, child.stderr!]) {
      const rl = createInterface({ input: stream, crlfDelay: Infinity });
      rl.on('line', opts.capture);
      waits.push(new Promise((done) => rl.on('close', done)));
    }
  }
  const done = new Promise<number>((resolve) => {
    child.on('error', (e) => {
      log(`job=${job.name} cannot start: ${e.message}`);
      prefixer?.kill();
      resolve(250);
    });
    child.on('exit', (code, signal) => {
      void Promise.all(waits).then(() => {
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
