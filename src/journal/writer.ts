import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Appends JSON lines with a synchronous write each: when `line()` returns the record is in the
 * kernel, so a controller killed with SIGKILL right after still leaves it in the file.
 */
export class LineWriter {
  private fd: number | undefined;
  private readonly ownFd: boolean;

  constructor(target: string | number) {
    if (typeof target === 'number') {
      this.fd = target;
      this.ownFd = false;
    } else {
      mkdirSync(dirname(target), { recursive: true });
      this.fd = openSync(target, 'a', 0o600);
      this.ownFd = true;
    }
  }

  line(record: unknown): void {
    if (this.fd === undefined) return;
    const buf = Buffer.from(JSON.stringify(record) + '\n');
    let off = 0;
    while (off < buf.length) {
      try {
        off += writeSync(this.fd, buf, off);
      } catch (e) {
        // stdout as a non-blocking pipe: wait until the reader drains it
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
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
    if (this.ownFd) closeSync(this.fd);
    this.fd = undefined;
  }
}
