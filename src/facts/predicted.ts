import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { FileStat } from './file.js';

/**
 * What an earlier task of the same host would have made, under --check: a directory, a file (with its
 * checksum, and its content when small), a path removed, a package installed or removed. Modules declare it as data (`Plan.creates`);
 * the executor records it once the task "would change"; the file facts (statFile, statFiles,
 * statAndRead) read the host through this overlay. So `file: state=directory` then `copy:` into it
 * reports "changed" under --check instead of failing on a directory that does not exist yet.
 */
export type Prediction =
  | { kind: 'dir'; path: string; mode?: string; owner?: string; group?: string }
  | { kind: 'file'; path: string; sha1: string; size: number; content?: Buffer; mode?: string; owner?: string; group?: string }
  | { kind: 'absent'; path: string }
  | PackagePrediction;

/**
 * A package an earlier task would install (`present`, with its version when the plan knows it) or remove.
 * `manager` keeps rpm's and dpkg's names apart; the package modules read it back (`Predicted.package`).
 */
export interface PackagePrediction {
  kind: 'package';
  manager: 'rpm' | 'dpkg';
  name: string;
  present: boolean;
  version?: string;
  /** dpkg: removed without purge, its configuration files stay. */
  configKept?: boolean;
}

type PathPrediction = Exclude<Prediction, PackagePrediction>;

/** Content kept for later edits (lineinfile into a file a template would write) up to this size. */
export const PREDICTED_CONTENT_MAX = 1024 * 1024;

function normal(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}

/** One host's predictions, in task order (the latest that concerns a path wins). */
export class Predicted {
  private readonly list: Prediction[] = [];

  record(predictions: readonly Prediction[]): void {
    for (const p of predictions) this.list.push(p.kind === 'package' ? { ...p } : ({ ...p, path: normal(p.path) } as Prediction));
  }

  get size(): number {
    return this.list.length;
  }

  /** The latest prediction about `path`: a directory made at or below it, a file at it, a removal at or above it. */
  private about(path: string): PathPrediction | undefined {
    const p = normal(path);
    for (let i = this.list.length - 1; i >= 0; i--) {
      const x = this.list[i]!;
      if (x.kind === 'dir' && (x.path === p || x.path.startsWith(p === '/' ? '/' : `${p}/`))) return x.path === p ? x : { kind: 'dir', path: p };
      if (x.kind === 'file' && x.path === p) return x;
      if (x.kind === 'absent' && (x.path === p || p.startsWith(`${x.path}/`))) return x;
    }
    return undefined;
  }

  /** The latest prediction about package `name` of `manager` (undefined: no earlier task touches it). */
  package(manager: PackagePrediction['manager'], name: string): PackagePrediction | undefined {
    for (let i = this.list.length - 1; i >= 0; i--) {
      const x = this.list[i]!;
      if (x.kind === 'package' && x.manager === manager && x.name === name) return x;
    }
    return undefined;
  }

  /** `real` (what the host says now) as it would be after the predicted tasks. */
  stat(path: string, real: FileStat): FileStat {
    const x = this.about(path);
    if (!x) return real;
    const umask = real.umask;
    const mask = Number.parseInt(umask ?? '0022', 8);
    const base = { isLink: false, ...(umask !== undefined ? { umask } : {}) };
    if (x.kind === 'absent') return { exists: false, isFile: false, isDir: false, ...base };
    if (x.kind === 'dir') {
      if (real.exists && real.isDir) return real;
      return { exists: true, isDir: true, isFile: false, ...base, mode: x.mode ?? (0o777 & ~mask).toString(8).padStart(4, '0'), ...(x.owner ? { owner: x.owner } : {}), ...(x.group ? { group: x.group } : {}) };
    }
    const attrs = { ...(x.mode ? { mode: x.mode } : {}), ...(x.owner ? { owner: x.owner } : {}), ...(x.group ? { group: x.group } : {}) };
    if (real.exists && real.isFile) return { ...real, ...attrs, sha1: x.sha1, size: x.size };
    return { exists: true, isFile: true, isDir: false, ...base, mode: (0o666 & ~mask).toString(8).padStart(4, '0'), ...attrs, sha1: x.sha1, size: x.size };
  }

  /** A predicted file's content, when it is known (undefined: not predicted, or too large to keep). */
  content(path: string): Buffer | undefined {
    const x = this.about(path);
    return x?.kind === 'file' ? x.content : undefined;
  }

  /** Whether the overlay says something about `path` (its real content is then not what it would be). */
  covers(path: string): boolean {
    return this.about(path) !== undefined;
  }
}

/** The prediction for a file a task would write with `data` (its SHA-1 and size; the content when small). */
export function predictedFile(path: string, data: Buffer | string, attrs: { mode?: string; owner?: string; group?: string } = {}): Prediction {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return {
    kind: 'file',
    path,
    sha1: createHash('sha1').update(buf).digest('hex'),
    size: buf.length,
    ...(buf.length <= PREDICTED_CONTENT_MAX ? { content: buf } : {}),
    ...(attrs.mode ? { mode: attrs.mode } : {}),
    ...(attrs.owner ? { owner: attrs.owner } : {}),
    ...(attrs.group ? { group: attrs.group } : {}),
  };
}
