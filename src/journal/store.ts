import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExitCode, TsplayError } from '../errors.js';
import type { JournalRecord, JournalStart } from './records.js';

export const JOURNAL_FILE = 'journal.jsonl';

/** Where journals live: --journal-dir, TSPLAY_JOURNAL_DIR (the CLI passes it), else .tsplay/runs. */
export function journalRoot(dir?: string): string {
  return resolve(dir ?? join('.tsplay', 'runs'));
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Sortable and readable: 20250314-153012-345-a3f9 (UTC, milliseconds, random). */
export function newRunId(now = new Date()): string {
  const d = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const t = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `${d}-${t}-${pad(now.getUTCMilliseconds(), 3)}-${randomBytes(2).toString('hex')}`;
}

/** The run ids under the root, oldest first (ids sort by start time). */
export function listRunIds(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, JOURNAL_FILE)))
    .sort();
}

/**
 * Read a journal. Lines are written whole, one at a time, but a controller killed mid-write can leave
 * a torn last line: it is dropped, everything before it stands.
 */
export function readJournal(root: string, id: string): JournalRecord[] {
  const file = join(root, id, JOURNAL_FILE);
  if (!existsSync(file)) throw new TsplayError(`no run '${id}' in ${root}`, { code: ExitCode.error });
  const records: JournalRecord[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      records.push(JSON.parse(line) as JournalRecord);
    } catch {
      if (i < lines.length - 2) throw new TsplayError(`journal line ${i + 1} is not JSON`, { code: ExitCode.error, where: { file, line: i + 1 } });
    }
  });
  const start = records[0];
  if (!start || start.kind !== 'journal-start') throw new TsplayError('not a tsplay journal (no journal-start line)', { code: ExitCode.error, where: { file, line: 1 } });
  return records;
}

export function startOf(records: JournalRecord[]): JournalStart {
  return records[0] as JournalStart;
}

/** `last` (the newest run, of this job when one is given) or an id, or a unique id prefix. */
export function resolveRunId(root: string, ref: string, job?: string): string {
  const ids = listRunIds(root);
  if (ref === 'last') {
    const candidates = job ? ids.filter((id) => safeStart(root, id)?.job === job) : ids;
    const id = candidates.at(-1);
    if (!id) throw new TsplayError(`no earlier run in ${root}${job ? ` for job '${job}'` : ''}`, { code: ExitCode.error });
    return id;
  }
  if (ids.includes(ref)) return ref;
  const matches = ids.filter((id) => id.startsWith(ref));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new TsplayError(`run id '${ref}' is ambiguous: ${matches.join(', ')}`, { code: ExitCode.badOptions });
  throw new TsplayError(`no run '${ref}' in ${root} (tsplay runs lists them)`, { code: ExitCode.error });
}

function safeStart(root: string, id: string): JournalStart | undefined {
  try {
    return startOf(readJournal(root, id));
  } catch {
    return undefined;
  }
}
