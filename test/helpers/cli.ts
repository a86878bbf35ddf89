import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliJs = join(repo, 'dist', 'src', 'cli.js');

/** A fresh directory under the gitignored test/.work (made on first use: a fresh clone has none). */
export function workDir(prefix: string): string {
  const base = join(repo, 'test', '.work');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, prefix.endsWith('-') ? prefix : `${prefix}-`));
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the built CLI (npm test builds first) as a user would: no TTY, NO_COLOR, CI set.
 * `onStdout` sees output as it comes (to send a signal at the right moment).
 */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; onStdout?: (all: string, pid: number) => void; timeoutMs?: number; input?: string } = {}): Promise<CliRun> {
  if (!existsSync(cliJs)) throw new Error(`${cliJs} is missing: run "npm run build" first (npm test does)`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliJs, ...args], {
      cwd: opts.cwd ?? repo,
      env: { ...process.env, NO_COLOR: '1', CI: '1', ...opts.env },
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 90_000);
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      opts.onStdout?.(stdout, child.pid!);
    });
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Parse the PLAY RECAP lines of human output into per-host counters. */
export function parseRecap(stdout: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const recap = stdout.slice(stdout.lastIndexOf('PLAY RECAP'));
  for (const line of recap.split('\n').slice(1)) {
    const m = /^(\S+)\s+:\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const counts: Record<string, number> = {};
    for (const kv of m[2]!.trim().split(/\s+/)) {
      const [k, v] = kv.split('=');
      counts[k === 'failed' ? 'failures' : k!] = Number(v);
    }
    out[m[1]!] = counts;
  }
  return out;
}
