/**
 * `tsplay lab …` for the tests and by hand until the lead wires registerLabCommand into src/cli.ts:
 *   node --import tsx test/lab/lab-cli.ts lab up [--site site-b] [--dir D]  /  … lab down [--dir D]
 */
import { Command } from 'commander';
import { TsplayError } from '../../src/errors.js';
import { registerLabCommand } from '../../src/lab/command.js';

let code = 0;
const program = new Command('tsplay');
registerLabCommand(program, (c) => (code = c));
program.parseAsync(process.argv).then(
  () => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`ERROR! ${e instanceof TsplayError ? e.describe() : (e as Error).message}\n`);
    process.exit(e instanceof TsplayError ? e.code : 1);
  },
);
