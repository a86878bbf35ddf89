import { spawn } from 'node:child_process';
import type { Connection, ExecOptions, ExecResult } from './types.js';
import { wrapCommand } from './wrap.js';
import { checkBecome } from './become.js';
import { register } from './in-flight.js';

/** The controller itself (`delegate_to: localhost`, `ansible_connection: local`): /bin/sh, no SSH. */
export class LocalConnection implements Connection {
  constructor(readonly host = 'localhost') {}

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return checkBecome(await this.run(command, opts), opts.become);
  }

  private run(command: string, opts: ExecOptions): Promise<ExecResult> {
    const { script, stdin } = wrapCommand(command, opts);
    return new Promise((resolve) => {
      // detached: the command gets its own process group, so a timeout kills all of it.
      const child = spawn('/bin/sh', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      let aborted = false;
      const kill = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      };
      const timer = opts.timeoutMs ? setTimeout(() => ((timedOut = true), kill()), opts.timeoutMs) : undefined;
      const onAbort = () => ((aborted = true), kill());
      const unregister = register(onAbort);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (c: Buffer) => (out.push(c), opts.onOutput?.('stdout', c.toString('utf8'))));
      child.stderr.on('data', (c: Buffer) => (err.push(c), opts.onOutput?.('stderr', c.toString('utf8'))));
      child.stdin.on('error', () => {});
      child.stdin.end(stdin ?? '');
      const finish = (rc: number, spawnError?: string) => {
        if (timer) clearTimeout(timer);
        unregister();
        opts.signal?.removeEventListener('abort', onAbort);
        resolve({
          rc,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8') + (spawnError ?? ''),
          ...(timedOut ? { timedOut } : {}),
          ...(aborted ? { aborted } : {}),
        });
      };
      child.on('error', (e) => finish(127, e.message));
      child.on('close', (code, signal) => finish(code ?? (signal ? 128 + 9 : 1)));
    });
  }

  async close(): Promise<void> {}
}
