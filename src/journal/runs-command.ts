import { ExitCode } from '../errors.js';
import { analyzeRun } from './analyze.js';
import { journalRoot, listRunIds, readJournal, resolveRunId } from './store.js';
import { formatRunDetail, formatRunList, summarize, type RunSummary } from './summary.js';

export interface RunsFlags {
  job?: string;
  journalDir?: string;
}

const rootOf = (f: RunsFlags) => journalRoot(f.journalDir ?? process.env.TSPLAY_JOURNAL_DIR);

/** `tsplay runs [--job NAME]`: one line per past run. */
export function listRuns(flags: RunsFlags): number {
  const root = rootOf(flags);
  const list: RunSummary[] = [];
  for (const id of listRunIds(root)) {
    try {
      const records = readJournal(root, id);
      const s = summarize(records, analyzeRun(records));
      if (!flags.job || s.job === flags.job) list.push(s);
    } catch (e) {
      process.stderr.write(`[WARNING]: skipping run ${id}: ${(e as Error).message}\n`);
    }
  }
  process.stdout.write(formatRunList(list));
  return ExitCode.ok;
}

/** `tsplay runs show ID|last`: a run's recap, failures and where each host stopped. */
export function showRun(ref: string, flags: RunsFlags): number {
  const root = rootOf(flags);
  const id = resolveRunId(root, ref, flags.job);
  const records = readJournal(root, id);
  const analysis = analyzeRun(records);
  process.stdout.write(formatRunDetail(summarize(records, analysis), analysis));
  return ExitCode.ok;
}
