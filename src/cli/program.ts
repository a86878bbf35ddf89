import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { PlaybookFlags } from './run-playbooks.js';
import { registerRunsCommand } from './runs.js';
import { registerScheduleCommand } from './schedule.js';
import { registerLabCommand } from './lab.js';
import { registerVaultCommand } from '../vault/command.js';

/**
 * The command line as commander sees it: options and help only. Each action imports what it runs
 * when it runs, so `--version` and `--help` load commander and nothing else.
 */
const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const collect = (v: string, prev: string[]) => [...prev, v];
const stdout = (s: string) => process.stdout.write(s);

export function buildProgram(setCode: (c: number) => void): Command {
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
    .option('--vault-id <id>', 'a vault id: LABEL@FILE, LABEL@prompt, or FILE (repeatable)', collect, [])
    .option('--vault-password-file <file>', 'vault password file, or an executable that prints it (repeatable)', collect, [])
    .option('-J, --ask-vault-pass', 'ask for the vault password')
    .option('-k, --ask-pass', 'ask for the SSH password (also a private key passphrase)')
    .option('-K, --ask-become-pass', 'ask for the become (sudo/su) password')
    .action(async (playbooks: string[], flags: PlaybookFlags) => setCode(await (await import('./run-playbooks.js')).runPlaybooks(playbooks, flags)));
  registerRunsCommand(program, setCode);
  registerScheduleCommand(program, setCode);
  registerLabCommand(program, setCode);
  registerVaultCommand(program, setCode);
  program.addHelpText(
    'after',
    '\nSubcommands:\n  tsplay inventory -i INV --list | --host NAME | --graph [--limit PATTERN]\n  tsplay runs [show ID|last]\n  tsplay schedule JOBS.yml [--list | --run JOB | --check]\n  tsplay lab up|down\n  tsplay vault encrypt|decrypt|view|edit|encrypt_string|rekey\n',
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
    .option('--vault-id <id>', 'a vault id: LABEL@FILE, LABEL@prompt, or FILE (repeatable)', collect, [])
    .option('--vault-password-file <file>', 'vault password file, or an executable that prints it (repeatable)', collect, [])
    .option('-J, --ask-vault-pass', 'ask for the vault password')
    .action(async (flags) => {
      const { useVaultFlags } = await import('../vault/sources.js');
      await useVaultFlags(flags);
      setCode(await (await import('../inventory/cli.js')).runInventoryCommand(flags, stdout));
    });
  return program;
}

