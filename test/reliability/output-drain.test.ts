/** Output is complete whatever stdout is: a pipe into a reader that is slow to start still gets all of it. */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { repo, workDir } from '../helpers/cli.js';

let fleet: Fleet;
let dir: string;

test.before(async () => {
  fleet = await startFleet({ size: 1 });
  dir = workDir('drain-');
  // about 1.3 MB of output, twice (stdout and stdout_lines) in --json
  writeFileSync(join(dir, 'big.yml'), '- hosts: h1\n  gather_facts: false\n  tasks:\n    - name: big\n      shell: seq 1 200000\n');
});
test.after.always(async () => fleet?.stop());

/** `tsplay ARGS | (sleep 3; cat) > FILE`: the reader does not read for 3 s, long after the run is done. */
function throughSlowPipe(args: string[], file: string): Promise<number | null> {
  const cli = [process.execPath, join(repo, 'dist/src/cli.js'), ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', `${cli}; echo $? > '${file}.rc'`, 'x'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1', CI: '1' } });
    const reader = spawn('sh', ['-c', `sleep 3; cat > '${file}'`], { stdio: ['pipe', 'ignore', 'inherit'] });
    child.stdout.pipe(reader.stdin);
    reader.on('close', () => resolve(Number(readFileSync(`${file}.rc`, 'utf8'))));
  });
}

test('--json into a slow pipe: a complete, valid document of more than 1 MB', async (t) => {
  const out = join(dir, 'out.json');
  const rc = await throughSlowPipe([join(dir, 'big.yml'), '-i', fleet.inventoryPath, '--json', '--journal-dir', join(dir, 'runs')], out);
  t.is(rc, 0);
  const text = readFileSync(out, 'utf8');
  t.true(text.length > 1024 * 1024, `${text.length} bytes`);
  const doc = JSON.parse(text) as { plays: { tasks: { hosts: { h1: { stdout_lines: string[] } } }[] }[]; stats: Record<string, unknown> };
  t.is(doc.plays[0]!.tasks[0]!.hosts.h1.stdout_lines.at(-1), '200000');
  t.truthy(doc.stats.h1);
});

test('human output into a slow pipe keeps everything up to the recap', async (t) => {
  const out = join(dir, 'out.txt');
  const rc = await throughSlowPipe([join(dir, 'big.yml'), '-i', fleet.inventoryPath, '-v', '--journal-dir', join(dir, 'runs')], out);
  t.is(rc, 0);
  const text = readFileSync(out, 'utf8');
  t.true(text.length > 1024 * 1024, `${text.length} bytes`);
  t.regex(text, /200000/);
  t.regex(text, /PLAY RECAP[\s\S]*h1\s+: ok=1/);
});
