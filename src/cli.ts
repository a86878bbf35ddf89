#!/usr/bin/env node
import { ExitCode } from './errors.js';
import { exitAfterDrain } from './cli/exit.js';
import { main } from './cli/main.js';

main(process.argv).then(exitAfterDrain, (e) => {
  process.stderr.write(`ERROR! unexpected error: ${(e as Error).message}\n`);
  exitAfterDrain(ExitCode.unexpected);
});
