import type { Command } from 'commander';
import { ExitCode } from '../errors.js';
import { analyzeRun } from './analyze.js';
import { journalRoot, listRunIds, readJournal, resolveRunId } from './store.js';
import { formatRunDetail, formatRunList, summarize, type RunSummary } from './summary.js';

interface RunsFlags {
  job?: string;
  journalDir?: string;
}

const rootOf = (f: RunsFlags) => journalRoot(f.journalDir ?? process.env.TSPLAY_JOURNAL_DIR);

/** `tsplay runs [--job NAME]` lists past runs; `tsplay runs show ID|last` prints one. */
export function registerRunsCommand(program: Command, setCode: (code: number) => void): void {
  const runs = program
    .command('runs')
    .description('list past runs (id, playbook, started, duration, outcome) from the run journals')
    .option('--job <name>', 'only the runs of this scheduled job')
    .option('--journal-dir <dir>', 'where run journals are kept (default .tsplay/runs)')
    .action((flags: RunsFlags) => {
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
      setCode(ExitCode.ok);
    });
  runs
    .command('show')
    .description("print a run's recap, its failures and where it stopped")
    .argument('<id>', "a run id (or a unique prefix), or 'last'")
    .exitOverride()
    .option('--job <name>', "with 'last': the newest run of this job")
    .option('--journal-dir <dir>', 'where run journals are kept (default .tsplay/runs)')
    .action((ref: string, flags: RunsFlags) => {
      const merged = { ...runs.opts<RunsFlags>(), ...flags };
      const root = rootOf(merged);
      const id = resolveRunId(root, ref, merged.job);
      const records = readJournal(root, id);
      const analysis = analyzeRun(records);
      process.stdout.write(formatRunDetail(summarize(records, analysis), analysis));
      setCode(ExitCode.ok);
    });
}
