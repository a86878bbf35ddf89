import { appendFileSync, closeSync, existsSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/** A held lock file; `release()` removes it if it is still ours. */
export interface Lock {
  path: string;
  /** Also name a child process doing the locked work: the lock stays held while it lives, even if we die. */
  addPid(pid: number): void;
  release(): void;
}

/** Who holds a lock we could not take. */
export interface LockHolder {
  pid: number;
}

/**
 * Is `pid` a live process that could be holding our lock? A PID that is gone is stale; on Linux a
 * live PID whose command line has none of the `markers` as an argument is a reused PID, so stale too.
 */
function holderAlive(pid: number, markers: string[]): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (existsSync(cmdline)) {
    try {
      const argv = readFileSync(cmdline, 'utf8').split('\0');
      return markers.some((m) => argv.includes(m));
    } catch {
      return true;
    }
  }
  return true;
}

/** The PIDs a lock file names (first: the process that took it), or undefined when empty/missing. */
function readPids(path: string): number[] | undefined {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text === '' ? undefined : text.split('\n').map(Number);
  } catch {
    return undefined;
  }
}
const same = (a: number[] | undefined, b: number[] | undefined) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Take the lock file at `path` (O_EXCL create, our PID inside). When it exists and one of its PIDs
 * is alive (and, on Linux, has one of `markers` in its argv), answer the holder; a lock whose
 * processes are all gone is taken over.
 */
export function tryLock(path: string, markers: string[]): Lock | LockHolder {
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pids = readPids(path);
      // An empty lock is one being written this instant: look again before calling it stale.
      if (pids === undefined && attempt === 0) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
      const live = pids?.find((p) => holderAlive(p, markers));
      if (live !== undefined) return { pid: live };
      // Stale: remove it only if it still names the dead PIDs, then race for it again.
      if (same(readPids(path), pids)) {
        try {
          unlinkSync(path);
        } catch {
          /* someone else removed it first */
        }
      }
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    const ours = () => readPids(path)?.[0] === process.pid;
    return {
      path,
      addPid(pid) {
        if (ours()) appendFileSync(path, `${pid}\n`);
      },
      release() {
        if (ours()) {
          try {
            unlinkSync(path);
          } catch {
            /* already gone */
          }
        }
      },
    };
  }
  return { pid: readPids(path)?.[0] ?? 0 };
}

export function isLock(l: Lock | LockHolder): l is Lock {
  return 'release' in l;
}
