/**
 * Bring up a test fleet by hand: `node --import tsx src/fleet/cli.ts up [--size N] [--dir D]`.
 * Prints the inventory path, stays in the foreground; Ctrl-C (SIGINT) or SIGTERM stops the fleet.
 */
import { parseArgs } from 'node:util';
import { startFleet } from './fleet.js';
import { exitAfterDrain } from '../cli/exit.js';

const usage = 'usage: cli.ts up [--size N] [--dir DIR]';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { size: { type: 'string' }, dir: { type: 'string' } },
  });
  if (positionals.length !== 1 || positionals[0] !== 'up') throw new Error(usage);
  const size = values.size === undefined ? undefined : Number(values.size);
  if (size !== undefined && !(Number.isInteger(size) && size > 0)) throw new Error(`--size must be a positive integer\n${usage}`);

  const fleet = await startFleet({ size, dir: values.dir });
  console.log(fleet.inventoryPath);
  for (const h of fleet.hosts) console.error(`${h.name} ${h.address}:${h.port} pid ${h.pid}`);
  console.error('fleet up; Ctrl-C to stop');

  const keepAlive = setInterval(() => {}, 1 << 30);
  const down = (): void => {
    clearInterval(keepAlive);
    void fleet.stop().then(() => exitAfterDrain(0));
  };
  process.once('SIGINT', down);
  process.once('SIGTERM', down);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  exitAfterDrain(1);
});
