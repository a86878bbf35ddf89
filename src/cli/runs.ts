import type { Command } from 'commander';
import type { RunsFlags } from '../journal/runs-command.js';
import type { PruneFlags } from '../journal/prune.js';

const impl = () => import('../journal/runs-command.js');

/** `tsplay runs [--job NAME]` lists past runs; `tsplay runs show ID|last` prints one; `runs prune` removes old ones. */
export function registerRunsCommand(program: Command, setCode: (code: number) => void): void {
  const runs = program
    .command('runs')
    .description('list past runs (id, playbook, started, duration, outcome) from the run journals')
    .option('--job <name>', 'only the runs of this scheduled job')
    .option('--journal-dir <dir>', 'where run journals are kept (default .tsplay/runs)')
    .action(async (flags: RunsFlags) => setCode((await impl()).listRuns(flags)));
  runs
    .command('show')
    .description("print a run's recap, its failures and where it stopped")
    .argument('<id>', "a run id (or a unique prefix), or 'last'")
    .exitOverride()
    .option('--job <name>', "with 'last': the newest run of this job")
    .option('--journal-dir <dir>', 'where run journals are kept (default .tsplay/runs)')
    .action(async (ref: string, flags: RunsFlags) => setCode((await impl()).showRun(ref, { ...runs.opts<RunsFlags>(), ...flags })));
  runs
    .command('prune')
    .description('remove old run journals: keep the newest N and/or those newer than AGE (never a run still going)')
    .exitOverride()
    .option('--keep <n>', 'keep the newest N runs')
    .option('--older-than <age>', 'remove runs older than AGE: 30d, 12h, 90m, 2w')
    .option('--dry-run', 'say what would be removed, remove nothing')
    .option('--job <name>', 'only the runs of this scheduled job')
    .option('--journal-dir <dir>', 'where run journals are kept (default .tsplay/runs)')
    .action(async (flags: PruneFlags) => setCode((await import('../journal/prune.js')).pruneRuns({ ...runs.opts<RunsFlags>(), ...flags })));
}
