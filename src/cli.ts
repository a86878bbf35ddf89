#!/usr/bin/env node
import { CommanderError } from 'commander';
import { ExitCode, TsplayError } from './errors.js';
import { buildProgram } from './cli/program.js';
import { exitAfterDrain } from './cli/exit.js';

const stderr = (s: string) => process.stderr.write(s);

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

main().then(exitAfterDrain, (e) => {
  stderr(`ERROR! unexpected error: ${(e as Error).message}\n`);
  exitAfterDrain(ExitCode.unexpected);
});
