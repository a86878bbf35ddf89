import type { Command } from 'commander';
import type { ScheduleFlags } from '../schedule/command.js';

/** `tsplay schedule JOBS.yml [--list] [--run JOB] [--check] [--state-dir DIR]`. */
export function registerScheduleCommand(program: Command, setCode: (code: number) => void): void {
  program
    .command('schedule')
    .description('run playbooks on a schedule (cron: or every:), never two runs of a job at once')
    .argument('<jobs-file>', 'the jobs file (YAML)')
    .option('--list', 'print each job with its next three run times')
    .option('--run <job>', 'run one job now and exit with its exit code')
    .option('--check', 'validate the jobs file and syntax-check each playbook')
    .option('--state-dir <dir>', 'where the lock and state files are kept (default: beside the jobs file)')
    .action(async (file: string, flags: ScheduleFlags) => setCode(await (await import('../schedule/command.js')).scheduleCommand(file, flags)));
}

