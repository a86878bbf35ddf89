/**
 * CLI start-up: `tsplay --version` and `tsplay --help` against a bare `node -e 0`, each the median of
 * 15 runs after 2 warm-ups. The target is within 2× of the bare Node start. Needs `npm run build`.
 * Run: npx tsx bench/startup.ts
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '../src/fleet/fleet.js';

const cli = join(repoRoot(), 'dist', 'src', 'cli.js');
const RUNS = 15;

function median(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
    if (i >= 2) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const bare = median(['-e', '0']);
const version = median([cli, '--version']);
const help = median([cli, '--help']);
const ratio = (x: number) => `${(x / bare).toFixed(2)}×`;
console.log(`startup (median of ${RUNS}): node -e 0 ${bare.toFixed(0)} ms; tsplay --version ${version.toFixed(0)} ms (${ratio(version)}); tsplay --help ${help.toFixed(0)} ms (${ratio(help)}); target ≤ 2×`);
