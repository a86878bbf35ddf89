import { CommanderError } from 'commander';
import { ExitCode, TsplayError } from '../errors.js';
import { buildProgram } from './program.js';
import { Redactor } from '../journal/redact.js';

const stderr = (s: string) => process.stderr.write(s);

/**
 * The whole command line, argv to exit code: every error a user can cause becomes one line on stderr
 * and its exit code; only cli.ts exits. (Tests run many bad inputs through this in one process.)
 */
/** The top-level error line: no run's Redactor saw it, so a fresh one masks decrypted vault values. */
const masked = (text: string): string => new Redactor().redact(text);

export async function main(argv: string[]): Promise<number> {
  let code: number = ExitCode.ok;
  const program = buildProgram((c) => (code = c));
  program.exitOverride();
  // Subcommands have their own -i/-l: options after a subcommand name belong to it.
  program.enablePositionalOptions();
  program.configureOutput({ writeErr: (s) => stderr(s.startsWith('error:') ? `ERROR! ${s.slice(7)}` : s) });
  program.commands.forEach((c) => c.exitOverride());
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
      return ExitCode.badOptions;
    }
    if (e instanceof TsplayError) {
      stderr(`ERROR! ${masked(e.describe())}\n`);
      return e.code;
    }
    if (e instanceof RangeError && /call stack/.test(e.message)) {
      stderr(`ERROR! the input nests too deeply to process (maximum call stack size exceeded)\n`);
      return ExitCode.unreachableOrParse;
    }
    stderr(`ERROR! unexpected error: ${masked((e as Error).message)}\n`);
    if (process.env.TSPLAY_DEBUG) stderr(`${(e as Error).stack}\n`);
    return ExitCode.unexpected;
  }
  return code;
}
