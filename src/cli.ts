#!/usr/bin/env node
import { existsSync, readFileSync, appendFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, TsplayError } from './errors.js';
import { defaultRunOptions, type RunOptions } from './executor/options.js';
import { executeRun, prepareRun } from './executor/run.js';
import { parseExtraVars } from './cli/extra-vars.js';
import { listHosts, listTasks } from './cli/listing.js';
import { consoleReporter } from './report/console.js';
import { jsonReporter } from './report/json.js';
import type { Reporter } from './report/events.js';
import { runInventoryCommand } from './inventory/cli.js';
import { startJournal } from './journal/session.js';
import { registerRunsCommand } from './journal/runs-command.js';
import { graceMs, watchSignals } from './journal/signals.js';
import { registerScheduleCommand } from './schedule/command.js';
import { registerLabCommand } from './lab/command.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const collect = (v: string, prev: string[]) => [...prev, v];
const stdout = (s: string) => process.stdout.write(s);
const stderr = (s: string) => process.stderr.write(s);
const warn = (m: string) => stderr(`[WARNING]: ${m}\n`);

interface PlaybookFlags {
  inventory: string[];
  extraVars: string[];
  limit?: string;
  forks: string;
  check?: boolean;
  diff?: boolean;
  verbose: number;
  syntaxCheck?: boolean;
  listHosts?: boolean;
  listTasks?: boolean;
  json?: boolean;
  tags: string[];
  skipTags: string[];
  startAtTask?: string;
  forceHandlers?: boolean;
  logFile?: string;
  resume?: string;
  force?: boolean;
  events?: string;
  journalDir?: string;
}

function toRunOptions(playbooks: string[], f: PlaybookFlags): RunOptions {
  const forks = Number(f.forks);
  if (!Number.isInteger(forks) || forks < 1) throw new TsplayError(`--forks must be a positive integer, got '${f.forks}'`, { code: ExitCode.badOptions });
  for (const p of playbooks) if (!existsSync(p)) throw new TsplayError(`the playbook: ${p} could not be found`, { code: ExitCode.error });
  const split = (l: string[]) => l.flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  return {
    ...defaultRunOptions,
    playbooks,
    inventory: f.inventory,
    extraVars: parseExtraVars(f.extraVars),
    limit: f.limit,
    forks,
    check: !!f.check,
    diff: !!f.diff,
    verbosity: f.verbose,
    tags: split(f.tags),
    skipTags: split(f.skipTags),
    startAtTask: f.startAtTask,
    forceHandlers: !!f.forceHandlers,
    json: !!f.json,
    resumeId: f.resume,
    force: !!f.force,
    events: f.events,
    journalDir: f.journalDir ?? process.env.TSPLAY_JOURNAL_DIR,
    job: process.env.TSPLAY_JOB,
  };
}

async function runPlaybooks(playbooks: string[], f: PlaybookFlags): Promise<number> {
  if (playbooks.length === 0) throw new TsplayError('no playbook given (usage: tsplay PLAYBOOK... -i INVENTORY)', { code: ExitCode.badOptions });
  const opts = toRunOptions(playbooks, f);
  const { playbooks: loaded, inventory } = await prepareRun(opts, warn);
  if (f.syntaxCheck) {
    for (const pb of loaded) stdout(`\nplaybook: ${pb.file}\n`);
    return ExitCode.ok;
  }
  if (f.listHosts || f.listTasks) {
    if (f.listHosts) stdout(listHosts(loaded, inventory, opts, warn));
    if (f.listTasks) stdout(listTasks(loaded, opts));
    return ExitCode.ok;
  }
  const tty = !!process.stdout.isTTY && !process.env.CI;
  const log = f.logFile ? (s: string) => appendFileSync(f.logFile!, s) : undefined;
  const journal = await startJournal(opts, loaded, inventory, warn);
  if (journal.resume) opts.resume = journal.resume;
  // `--events -` owns stdout: the human output moves to stderr.
  const out = opts.events === '-' ? stderr : stdout;
  const display: Reporter = opts.json
    ? jsonReporter(out)
    : consoleReporter({ verbosity: opts.verbosity, tty, color: tty && !process.env.NO_COLOR, write: out, writeErr: stderr, log });
  // The journal records first: a controller killed right after an event still has it on disk.
  const reporter: Reporter = (e) => {
    journal.reporter(e);
    display(e);
  };
  const interrupts = watchSignals({
    graceMs: graceMs(),
    onStop: (sig) => {
      stderr(`\n[tsplay] ${sig}: stopping — no new tasks. ${sig === 'SIGINT' ? 'Ctrl-C again to abort at once.' : ''}\n`);
      journal.interrupted(sig, 'stop');
    },
    onAbort: (sig) => {
      stderr(`\n[tsplay] ${sig} again: aborting at once (journal ${journal.id}).\n`);
      journal.interrupted(sig, 'abort');
      void journal.close();
      process.exit(ExitCode.interrupted);
    },
  });
  try {
    const outcome = await executeRun(opts, loaded, inventory, reporter, interrupts.stop, interrupts.kill);
    return outcome.exitCode;
  } finally {
    interrupts.dispose();
    await journal.close();
  }
}

function buildProgram(setCode: (c: number) => void): Command {
  const program = new Command('tsplay')
    .description('Agentless, Ansible-style playbook runner: rolling upgrades over SSH, guarded and resumable')
    .version(version, '--version')
    .argument('[playbooks...]', 'playbook files to run')
    .option('-i, --inventory <path>', 'inventory file, directory, script or host list "a,b," (repeatable)', collect, [])
    .option('-e, --extra-vars <vars>', 'extra variables: k=v, JSON/YAML, or @file (repeatable, later win)', collect, [])
    .option('-l, --limit <pattern>', 'narrow the hosts to a pattern (or @file)')
    .option('-f, --forks <n>', 'hosts worked on at once', '5')
    .option('-C, --check', 'report what would change, change nothing')
    .option('-D, --diff', 'show the differences of changed files')
    .option('-v, --verbose', 'more output (-vv, -vvv for more)', (_: string, prev: number) => prev + 1, 0)
    .option('-t, --tags <tags>', 'run only tasks with these tags', collect, [])
    .option('--skip-tags <tags>', 'skip tasks with these tags', collect, [])
    .option('--start-at-task <name>', 'start at the task with this name')
    .option('--force-handlers', 'run handlers even on hosts that failed')
    .option('--syntax-check', 'load and validate the playbooks, run nothing')
    .option('--list-hosts', 'list the hosts each play would run on')
    .option('--list-tasks', 'list the tasks each play would run')
    .option('--json', "print one JSON document shaped like Ansible's json callback")
    .option('--log-file <file>', 'also write the plain text output to this file')
    .option('--resume <id>', "continue an earlier run (its id, or 'last') where it stopped")
    .option('--force', 'with --resume: continue although the playbook, roles or inventory changed')
    .option('--events <file>', "write one JSON object per event as it happens ('-' for stdout)")
    .option('--journal-dir <dir>', 'where run journals are kept (default .tsplay/runs)')
    .action(async (playbooks: string[], flags: PlaybookFlags) => setCode(await runPlaybooks(playbooks, flags)));
  registerRunsCommand(program, setCode);
  registerScheduleCommand(program, setCode);
  registerLabCommand(program, setCode);
  program.addHelpText(
    'after',
    '\nSubcommands:\n  tsplay inventory -i INV --list | --host NAME | --graph [--limit PATTERN]\n  tsplay runs [show ID|last]\n  tsplay schedule JOBS.yml [--list | --run JOB | --check]\n  tsplay lab up|down\n',
  );
  program
    .command('inventory')
    .description('show the resolved inventory, like ansible-inventory')
    .option('-i, --inventory <path>', 'inventory source (repeatable)', collect, [])
    .option('--list', 'all hosts and groups as JSON')
    .option('--host <name>', "one host's variables as JSON")
    .addOption(new Option('--graph [group]', 'the group tree'))
    .option('-l, --limit <pattern>', 'narrow --list and --graph to these hosts')
    .option('-y, --yaml', 'YAML instead of JSON')
    .option('--output <file>', 'write to a file instead of stdout')
    .option('--playbook-dir <dir>', "also read this directory's group_vars/ and host_vars/")
    .action(async (flags) => setCode(await runInventoryCommand(flags, stdout)));
  return program;
}

async function main(): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram((c) => (code = c));
  program.exitOverride();
  // Subcommands have their own -i/-l: options after a subcommand name belong to it.
  program.enablePositionalOptions();
  program.configureOutput({ writeErr: (s) => stderr(s.startsWith('error:') ? `ERROR! ${s.slice(7)}` : s) });
  program.commands.forEach((c) => c.exitOverride());
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
      return ExitCode.badOptions;
    }
    if (e instanceof TsplayError) {
      stderr(`ERROR! ${e.describe()}\n`);
      return e.code;
    }
    stderr(`ERROR! unexpected error: ${(e as Error).message}\n`);
    if (process.env.TSPLAY_DEBUG) stderr(`${(e as Error).stack}\n`);
    return ExitCode.unexpected;
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    stderr(`ERROR! unexpected error: ${(e as Error).message}\n`);
    process.exit(ExitCode.unexpected);
  },
);
