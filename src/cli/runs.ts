import type { Command } from 'commander';
import type { RunsFlags } from '../journal/runs-command.js';

const impl = () => import('../journal/runs-command.js');

/** `tsplay runs [--job NAME]` lists past runs; `tsplay runs show ID|last` prints one. */
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
}
