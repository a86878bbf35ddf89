import { constants as osConstants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import type { NodeSSH } from 'node-ssh';
import type { Client, ClientChannel } from 'ssh2';
import { quote } from '../util/quote.js';
import { Semaphore } from './semaphore.js';
import { openSsh, type SshOpenOptions } from './ssh-open.js';
import { UnreachableError, type Become, type Connection, type ConnectionTarget, type ExecOptions, type ExecResult } from './types.js';
import { wrapCommand } from './wrap.js';
import { register } from './in-flight.js';

/** sshd's MaxSessions is 10: 8 for commands leaves room for the channels that kill timed-out ones. */
export const MAX_CHANNELS = 8;
/** After the kill was sent, how long to wait for the channel to close before giving up on it. */
const KILL_GRACE_MS = 5_000;

/** Written to stderr before the command starts, so that we know which process group to kill. */
const PID_MARK = Buffer.from('\x1etsplay-pid:');
/**
 * The remote side of every command: the login shell execs /bin/sh, which reports its pid
 * (sshd made it a session and process-group leader) and execs the real script, passed as $1.
 */
const PROLOGUE = `printf '\\036tsplay-pid:%s\\n' "$$" >&2; exec /bin/sh -c "$1"`;

/** TERM the whole process group, wait up to 2 s, then KILL whatever is left. */
function killScript(pid: number): string {
  return (
    `kill -TERM -${pid} 2>/dev/null || kill -TERM ${pid} 2>/dev/null; i=0; ` +
    `while [ $i -lt 20 ] && kill -0 -${pid} 2>/dev/null; do sleep 0.1; i=$((i+1)); done; ` +
    `kill -KILL -${pid} 2>/dev/null; kill -KILL ${pid} 2>/dev/null; true`
  );
}

function signalExitCode(signal: string): number {
  const name = (signal.startsWith('SIG') ? signal : `SIG${signal}`) as keyof typeof osConstants.signals;
  return 128 + (osConstants.signals[name] ?? 15);
}

/**
 * One SSH connection to one host, opened once and reused for every command:
 * at most MAX_CHANNELS commands in flight, output decoded once from raw bytes,
 * timeouts that kill the remote process group, and a dropped connection failing
 * its commands with UnreachableError instead of crashing the process.
 */
export class SshConnection implements Connection {
  private readonly client: Client;
  private readonly channels = new Semaphore(MAX_CHANNELS);
  /** Why the connection is gone; set once, then every command fails with it. */
  private deadReason: string | undefined;
  private readonly pending = new Set<(e: UnreachableError) => void>();
  /** Resolves when the TCP connection is gone. */
  private readonly closed: Promise<void>;

  private constructor(
    readonly host: string,
    /** The node-ssh session, for SFTP transfers (a future put()); commands go through exec(). */
    readonly ssh: NodeSSH,
  ) {
    this.client = ssh.connection!;
    this.client.on('error', (e: Error) => this.fail(`connection error: ${e.message}`));
    this.client.on('end', () => this.fail('connection closed by the host'));
    this.closed = new Promise((resolve) =>
      this.client.on('close', () => {
        this.fail('connection closed');
        resolve();
      }),
    );
  }

  static async open(target: ConnectionTarget, opts: SshOpenOptions = {}): Promise<SshConnection> {
    return new SshConnection(target.name, await openSsh(target, opts));
  }

  get alive(): boolean {
    return this.deadReason === undefined;
  }

  private fail(reason: string): void {
    if (this.deadReason !== undefined) return;
    this.deadReason = reason;
    const err = new UnreachableError(this.host, reason);
    for (const reject of this.pending) reject(err);
    this.pending.clear();
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    if (this.deadReason !== undefined) throw new UnreachableError(this.host, this.deadReason);
    const { script, stdin } = wrapCommand(command, opts);
    if (opts.signal?.aborted) return { rc: 130, stdout: '', stderr: '', aborted: true };
    const release = await this.channels.acquire();
    try {
      if (this.deadReason !== undefined) throw new UnreachableError(this.host, this.deadReason);
      return await this.run(script, stdin, opts);
    } finally {
      release();
    }
  }

  /** Run one wrapped script on its own channel. */
  private run(script: string, stdin: string | Buffer | undefined, opts: ExecOptions): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        this.pending.delete(onDrop);
        cleanup();
        fn();
      };
      const onDrop = (e: UnreachableError) => settle(() => reject(e));
      this.pending.add(onDrop);

      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const outText = new StringDecoder('utf8');
      const errText = new StringDecoder('utf8');
      let pre = Buffer.alloc(0); // stderr until the pid mark has been seen
      let pid: number | undefined;
      let markDone = false;
      let rc: number | undefined;
      let killReason: 'timeout' | 'abort' | undefined;
      let channel: ClientChannel | undefined;
      let timer: NodeJS.Timeout | undefined;
      let grace: NodeJS.Timeout | undefined;

      const pushErr = (b: Buffer) => {
        if (b.length === 0) return;
        err.push(b);
        if (opts.onOutput) opts.onOutput('stderr', errText.write(b));
      };
      const onStderr = (c: Buffer) => {
        if (markDone) return pushErr(c);
        pre = Buffer.concat([pre, c]);
        const start = pre.indexOf(PID_MARK);
        const nl = start < 0 ? -1 : pre.indexOf(0x0a, start);
        if (nl < 0) {
          if (pre.length > 4096) ((markDone = true), pushErr(pre)); // no mark: not a POSIX login shell?
          return;
        }
        pid = Number(pre.subarray(start + PID_MARK.length, nl).toString('latin1'));
        markDone = true;
        pushErr(Buffer.concat([pre.subarray(0, start), pre.subarray(nl + 1)]));
        if (killReason) this.killRemote(pid, opts.become);
      };
      const kill = (why: 'timeout' | 'abort') => {
        if (killReason || settled) return;
        killReason = why;
        if (pid !== undefined) this.killRemote(pid, opts.become);
        // if the channel does not close (a stuck sudo, a wedged host), stop waiting for it
        grace = setTimeout(() => (channel?.close(), finish()), KILL_GRACE_MS);
      };
      const onAbort = () => kill('abort');
      const unregister = register(onAbort);
      const cleanup = () => {
        unregister();
        clearTimeout(timer);
        clearTimeout(grace);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      const finish = () =>
        settle(() => {
          if (!markDone) pushErr(pre);
          // a stream cut inside a character: hand the remaining bytes to the listener too
          const outTail = outText.end();
          const errTail = errText.end();
          if (outTail) opts.onOutput?.('stdout', outTail);
          if (errTail) opts.onOutput?.('stderr', errTail);
          const result: ExecResult = {
            rc: rc ?? (killReason === 'timeout' ? 124 : killReason === 'abort' ? 130 : 255),
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
          };
          if (killReason && result.rc === 0) result.rc = killReason === 'timeout' ? 124 : 130;
          if (killReason === 'timeout') result.timedOut = true;
          if (killReason === 'abort') result.aborted = true;
          resolve(result);
        });

      const remote = `exec /bin/sh -c ${quote(PROLOGUE)} tsplay ${quote(script)}`;
      this.client.exec(remote, (e, ch) => {
        if (e) {
          const reason = this.deadReason ?? `cannot open a channel: ${e.message}`;
          return settle(() => reject(new UnreachableError(this.host, reason)));
        }
        channel = ch;
        if (settled) return void ch.close();
        ch.on('error', () => {});
        ch.on('data', (c: Buffer) => {
          out.push(c);
          if (opts.onOutput) opts.onOutput('stdout', outText.write(c));
        });
        ch.stderr.on('data', onStderr);
        ch.on('exit', (code: number | null, signal?: string) => {
          rc = code ?? (signal ? signalExitCode(signal) : 255);
        });
        ch.on('close', finish);
        if (opts.timeoutMs !== undefined && opts.timeoutMs > 0) timer = setTimeout(() => kill('timeout'), opts.timeoutMs);
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        if (opts.signal?.aborted) kill('abort');
        ch.end(stdin ?? '');
      });
    });
  }

  /** Kill a command's process group from a second channel (outside the channel limit), as its user. */
  private killRemote(pid: number, become?: Become): void {
    if (this.deadReason !== undefined || !Number.isInteger(pid) || pid <= 1) return;
    const { script, stdin } = wrapCommand(killScript(pid), become ? { become } : {});
    this.client.exec(script, (e, ch) => {
      if (e) return;
      ch.on('error', () => {});
      ch.resume();
      ch.stderr.resume();
      ch.end(stdin ?? '');
    });
  }

  async close(): Promise<void> {
    if (this.deadReason === undefined) this.fail('connection closed by tsplay');
    this.client.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, new Promise((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    this.client.destroy();
  }
}
