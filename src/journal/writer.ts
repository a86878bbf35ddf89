import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExitCode, TsplayError } from '../errors.js';

type FailureListener = (file: string, error: NodeJS.ErrnoException) => void;
const failureListeners = new Set<FailureListener>();

/**
 * Be told when a journal write fails (a full disk, an I/O error): the writer stops writing and says
 * so once, instead of crashing the run in the middle of a host. Returns the unsubscribe function.
 */
export function onWriteFailure(listener: FailureListener): () => void {
  failureListeners.add(listener);
  return () => failureListeners.delete(listener);
}

/** A journal-side file (the journal, its state file) could not be written. */
export function reportWriteFailure(file: string, error: NodeJS.ErrnoException): void {
  for (const l of failureListeners) l(file, error);
}

/**
 * Appends JSON lines with a synchronous write each: when `line()` returns the record is in the
 * kernel, so a controller killed with SIGKILL right after still leaves it in the file.
 */
export class LineWriter {
  private fd: number | undefined;
  private readonly ownFd: boolean;
  private readonly name: string;
  /** Set after a failed write: nothing more is written. */
  failed?: NodeJS.ErrnoException;

  constructor(target: string | number) {
    this.name = typeof target === 'number' ? `fd ${target}` : target;
    if (typeof target === 'number') {
      this.fd = target;
      this.ownFd = false;
    } else {
      try {
        mkdirSync(dirname(target), { recursive: true });
        this.fd = openSync(target, 'a', 0o600);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        throw new TsplayError(`cannot write the run journal in ${dirname(target)} (${code}); choose a writable place with --journal-dir or TSPLAY_JOURNAL_DIR`, { code: ExitCode.error });
      }
      this.ownFd = true;
    }
  }

  line(record: unknown): void {
    if (this.fd === undefined) return;
    const buf = Buffer.from(JSON.stringify(limitStrings(record, maxOutputChars())) + '\n');
    let off = 0;
    while (off < buf.length) {
      try {
        off += writeSync(this.fd, buf, off);
      } catch (e) {
        // stdout as a non-blocking pipe: wait until the reader drains it
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        // a full disk must not crash a rollout halfway through a host: stop writing, say so once
        this.failed = e as NodeJS.ErrnoException;
        this.fd = undefined;
        reportWriteFailure(this.name, this.failed);
        return;
      }
    }
  }

  /** Force the file to disk (run boundaries and the end; a power cut is rarer than a kill). */
  sync(): void {
    if (this.fd !== undefined && this.ownFd) {
      try {
        fsyncSync(this.fd);
      } catch {
        /* not every file system supports it */
      }
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    this.sync();
    if (this.ownFd) {
      try {
        closeSync(this.fd);
      } catch {
        /* a delayed write error (NFS, full disk): already as good as it gets */
      }
    }
    this.fd = undefined;
  }
}

/** The longest text one journal value keeps (TSPLAY_JOURNAL_MAX_OUTPUT characters, default 64 KiB). */
export function maxOutputChars(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.TSPLAY_JOURNAL_MAX_OUTPUT);
  return Number.isInteger(n) && n >= 256 ? n : 64 * 1024;
}

/**
 * A command's output can be megabytes (and is kept twice, as stdout and stdout_lines): the journal
 * keeps the head and the tail of each long text and says how much it cut, so 60 hosts × 20 tasks stay
 * a file one can read, and the console and --json still show everything.
 */
export function limitStrings(value: unknown, max: number): unknown {
  if (typeof value === 'string') {
    if (value.length <= max) return value;
    const half = Math.floor((max - 64) / 2);
    return `${value.slice(0, half)}\n[… ${value.length - 2 * half} characters cut from the journal …]\n${value.slice(-half)}`;
  }
  if (Array.isArray(value)) {
    // stdout_lines: keep the first and last lines within the same budget
    const total = value.reduce<number>((n, v) => n + (typeof v === 'string' ? v.length : 0), 0);
    if (total > max && value.every((v) => typeof v === 'string')) {
      const head: string[] = [];
      const tail: string[] = [];
      let budget = Math.floor(max / 2);
      for (const v of value as string[]) if ((budget -= v.length) >= 0) head.push(v); else break;
      budget = Math.floor(max / 2);
      for (const v of [...(value as string[])].reverse()) if ((budget -= v.length) >= 0) tail.unshift(v); else break;
      return [...head, `[… ${value.length - head.length - tail.length} lines cut from the journal …]`, ...tail];
    }
    return value.map((v) => limitStrings(v, max));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = limitStrings(v, max);
    return out;
  }
  return value;
}
