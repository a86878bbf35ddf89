import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repo } from '../helpers/cli.js';

export const cliJs = join(repo, 'dist', 'src', 'cli.js');

export { workDir } from '../helpers/cli.js';

/** Write files (relative path → content) into `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A `tsplay schedule ...` process running in the background, as systemd would run it. */
export interface SchedulerProc {
  pid: number;
  stdout(): string;
  /** Resolves with the output once `re` matches stdout; rejects after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<string>;
  /** Send a signal and wait for the exit and the end of its output. */
  stop(sig?: NodeJS.Signals): Promise<Exit>;
  /** Send a signal and wait for the process to die only (its children may hold its stdout open). */
  crash(sig: NodeJS.Signals): Promise<NodeJS.Signals | null>;
  exited: Promise<Exit>;
}

const started = new Set<ChildProcess>();

/** Kill (by PID) every scheduler a test left running: for test.after.always. */
export function killLeftovers(): void {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

export function startScheduler(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SchedulerProc {
  if (!existsSync(cliJs)) throw new Error(`${cliJs} is missing: run "npm run build" first`);
  const child = spawn(process.execPath, [cliJs, 'schedule', ...args], {
    cwd: opts.cwd ?? repo,
    env: { ...process.env, NO_COLOR: '1', CI: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let out = '';
  let err = '';
  const watchers: (() => void)[] = [];
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of [...watchers]) w();
  });
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err })),
  );
  return {
    pid: child.pid!,
    stdout: () => out,
    exited,
    waitFor(re, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (re.test(out)) {
            watchers.splice(watchers.indexOf(check), 1);
            clearTimeout(timer);
            resolve(out);
          }
        };
        const timer = setTimeout(() => {
          watchers.splice(watchers.indexOf(check), 1);
          reject(new Error(`timed out waiting for ${re} in:\n${out}\n${err}`));
        }, ms);
        watchers.push(check);
        void exited.then(() => {
          if (!re.test(out)) {
            clearTimeout(timer);
            reject(new Error(`scheduler exited before ${re}:\n${out}\n${err}`));
          }
        });
        check();
      });
    },
    crash(sig) {
      const died = new Promise<NodeJS.Signals | null>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve(child.signalCode);
        else child.once('exit', (_code, signal) => resolve(signal));
      });
      child.kill(sig);
      return died;
    },
    async stop(sig = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      return exited;
    },
  };
}

/** One start or end record of the scheduler's log. */
export interface RunRecord {
  at: number;
  job: string;
  slot: string;
  kind: 'start' | 'end' | 'skipped';
  pid?: number;
  exit?: number;
}

/** The scheduler's own start/end/skipped lines, in order. */
export function runRecords(stdout: string): RunRecord[] {
  const out: RunRecord[] = [];
  const re = /^(\S+) job=(\S+) slot=(\S+) (start|end|skipped)\b(.*)$/gm;
  for (const m of stdout.matchAll(re)) {
    const rest = m[5]!;
    out.push({
      at: Date.parse(m[1]!),
      job: m[2]!,
      slot: m[3]!,
      kind: m[4] as RunRecord['kind'],
      pid: /pid=(\d+)/.test(rest) ? Number(/pid=(\d+)/.exec(rest)![1]) : undefined,
      exit: /exit=(\d+)/.test(rest) ? Number(/exit=(\d+)/.exec(rest)![1]) : undefined,
    });
  }
  return out;
}

/** Is this PID gone (or a zombie nobody reaped yet)? */
export function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
