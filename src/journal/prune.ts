import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, TsplayError } from '../errors.js';
import { journalRoot, listRunIds, readJournal, startOf } from './store.js';

export interface PruneFlags {
  keep?: string;
  olderThan?: string;
  dryRun?: boolean;
  job?: string;
  journalDir?: string;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `30d`, `12h`, `90m`, `2w`, `45s` → milliseconds. */
export function parseAge(text: string): number {
  const m = /^\s*(\d+)\s*([smhdw])\s*$/.exec(text);
  if (!m) throw new TsplayError(`--older-than must be a number with a unit (s, m, h, d, w), e.g. 30d; got '${text}'`, { code: ExitCode.badOptions });
  return Number(m[1]) * UNITS[m[2]!]! * 1000;
}

/** When a run started, from its id (20250314-153012-345-a3f9, UTC), else its directory's mtime. */
function startedAt(root: string, id: string): number {
  const m = /^(\d{4})(\d\d)(\d\d)-(\d\d)(\d\d)(\d\d)-(\d{3})/.exec(id);
  if (m) return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
  return statSync(join(root, id)).mtimeMs;
}

/** A run without its end record whose controller process is alive here is still going. */
function stillRunning(root: string, id: string): boolean {
  try {
    const records = readJournal(root, id);
    if (records.some((r) => r.kind === 'journal-end')) return false;
    const pid = startOf(records).pid;
    if (typeof pid !== 'number') return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `tsplay runs prune --keep N | --older-than AGE`: remove old run journals. A run is kept when it is
 * one of the newest N, or newer than AGE (given both, either keeps it); a run still going is never removed.
 */
export function pruneRuns(flags: PruneFlags, out: (s: string) => void = (s) => process.stdout.write(s)): number {
  if (flags.keep === undefined && flags.olderThan === undefined) {
    throw new TsplayError('runs prune: say what to keep: --keep N (the newest N runs) and/or --older-than AGE (e.g. 30d)', { code: ExitCode.badOptions });
  }
  let keep: number | undefined;
  if (flags.keep !== undefined) {
    keep = Number(flags.keep);
    if (!/^\s*\d+\s*$/.test(flags.keep)) throw new TsplayError(`--keep must be a whole number of runs, got '${flags.keep}'`, { code: ExitCode.badOptions });
  }
  const maxAge = flags.olderThan !== undefined ? parseAge(flags.olderThan) : undefined;
  const root = journalRoot(flags.journalDir ?? process.env.TSPLAY_JOURNAL_DIR);
  let ids = listRunIds(root);
  if (flags.job) ids = ids.filter((id) => { try { return startOf(readJournal(root, id)).job === flags.job; } catch { return false; } });
  const now = Date.now();
  const newest = new Set(keep === undefined ? [] : ids.slice(Math.max(0, ids.length - keep)));
  const removed: string[] = [];
  for (const id of ids) {
    const young = maxAge !== undefined && now - startedAt(root, id) < maxAge;
    const keptByCount = keep !== undefined && newest.has(id);
    // with only --keep, age does not keep; with only --older-than, count does not keep
    if (keptByCount || young || (keep === undefined && maxAge === undefined)) continue;
    if (stillRunning(root, id)) continue;
    if (!flags.dryRun) rmSync(join(root, id), { recursive: true, force: true });
    removed.push(id);
  }
  for (const id of removed) out(`${flags.dryRun ? 'would remove' : 'removed'} ${id}\n`);
  out(`${flags.dryRun ? 'would remove' : 'removed'} ${removed.length} run(s), kept ${ids.length - removed.length} in ${root}\n`);
  return ExitCode.ok;
}
