/** The journal survives its own faults: a full disk stops the run safely, long outputs are capped, prune. */
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { limitStrings } from '../../src/journal/writer.js';
import { repo, runCli, workDir } from '../helpers/cli.js';

let fleet: Fleet;
let dir: string;

test.before(async () => {
  fleet = await startFleet({ size: 1 });
  dir = workDir('jf-');
});
test.after.always(async () => fleet?.stop());

/** Run the CLI in a private mount namespace whose journal dir is a 64 KiB tmpfs (the real machine's mounts stay as they are). */
function runOnFullDisk(args: string[], journal: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  mkdirSync(journal, { recursive: true });
  const script = 'mount -t tmpfs -o size=64k tsplay-journal "$1" && shift && exec "$@"';
  return new Promise((resolve) => {
    const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', journal, process.execPath, join(repo, 'dist/src/cli.js'), ...args, '--journal-dir', journal], {
      env: { ...process.env, NO_COLOR: '1', CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test.serial('a full journal disk: said once, no crash, no new task, the guard teardown still runs; exit 1', async (t) => {
  const items = Array.from({ length: 60 }, (_, i) => i).join(', ');
  const pb = join(dir, 'full.yml');
  writeFileSync(
    pb,
    `- hosts: h1
  gather_facts: false
  guard:
    name: g
    teardown:
      - command: touch /opt/jf/teardown
  tasks:
    - command: mkdir -p /opt/jf
    - name: chatty
      shell: head -c 3000 /dev/zero | tr '\\\\0' x
      loop: [${items}]
    - name: after
      command: touch /opt/jf/after
`,
  );
  const r = await runOnFullDisk([pb, '-i', fleet.inventoryPath], join(dir, 'full-runs'));
  t.is(r.code, 1, r.stdout + r.stderr);
  t.is((r.stderr.match(/the run journal cannot be written/g) ?? []).length, 1, r.stderr);
  t.regex(r.stderr, /ENOSPC/);
  t.notRegex(r.stderr, /unexpected error|\n\s+at /);
  t.regex(r.stdout, /PLAY RECAP/);
  t.true(existsSync(fleet.path('h1', '/opt/jf/teardown')), 'the guard teardown ran');
  t.false(existsSync(fleet.path('h1', '/opt/jf/after')), 'no new task started');
});

// Serial: a concurrent test of this file connects to h1 and would move the counter.
test.serial('an unwritable journal directory is a clear error before any host is contacted', async (t) => {
  const before = fleet.acceptedConnections('h1');
  const pb = join(dir, 'ok.yml');
  writeFileSync(pb, '- hosts: h1\n  gather_facts: false\n  tasks:\n    - command: id\n');
  const r = await runCli([pb, '-i', fleet.inventoryPath, '--journal-dir', '/sys/tsplay-runs']);
  t.is(r.code, 1);
  t.regex(r.stderr.trim(), /^ERROR! cannot write the run journal in \/sys\/tsplay-runs\/[^ ]+ \(\w+\); choose a writable place with --journal-dir or TSPLAY_JOURNAL_DIR$/);
  t.is(fleet.acceptedConnections('h1'), before);
});

test('long outputs are capped in the journal (head and tail kept), the console keeps all', async (t) => {
  const pb = join(dir, 'long.yml');
  writeFileSync(pb, "- hosts: h1\n  gather_facts: false\n  tasks:\n    - shell: seq 1 100000\n");
  const runs = join(dir, 'long-runs');
  const r = await runCli([pb, '-i', fleet.inventoryPath, '--journal-dir', runs, '-v'], { env: { TSPLAY_JOURNAL_MAX_OUTPUT: '4096' } });
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /\n99999\\n100000|99999/);
  const [id] = readdirSync(runs);
  const text = readFileSync(join(runs, id!, 'journal.jsonl'), 'utf8');
  t.true(text.length < 40_000, `journal is ${text.length} bytes`);
  const result = text.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((x) => x.kind === 'host-result');
  t.regex(result.result.stdout, /^1\n2\n3\n[\s\S]*characters cut from the journal[\s\S]*\n100000$/);
  t.true(result.result.stdout_lines.some((l: string) => /lines cut from the journal/.test(l)));
  t.is(result.result.stdout_lines.at(-1), '100000');
});

test('limitStrings keeps short values, cuts long ones to the budget', (t) => {
  t.deepEqual(limitStrings({ a: 'short', n: 5 }, 300), { a: 'short', n: 5 });
  const cut = limitStrings('x'.repeat(10_000), 300) as string;
  t.true(cut.length <= 320);
  t.regex(cut, /characters cut from the journal/);
});

test('runs prune: keep the newest N, or those newer than an age; never a bad rule', async (t) => {
  const runs = join(dir, 'prune-runs');
  const mk = (id: string) => {
    mkdirSync(join(runs, id), { recursive: true });
    writeFileSync(join(runs, id, 'journal.jsonl'), JSON.stringify({ kind: 'journal-start', id, pid: 999999999 }) + '\n' + JSON.stringify({ kind: 'journal-end', outcome: 'ok' }) + '\n');
  };
  const now = new Date();
  const idAt = (msAgo: number, tag: string) => {
    const d = new Date(now.getTime() - msAgo);
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}-${p(d.getUTCMilliseconds(), 3)}-${tag}`;
  };
  const day = 86_400_000;
  const ids = [idAt(40 * day, 'aaaa'), idAt(10 * day, 'bbbb'), idAt(2 * day, 'cccc'), idAt(60_000, 'dddd')];
  ids.forEach(mk);
  const dry = await runCli(['runs', 'prune', '--older-than', '7d', '--dry-run', '--journal-dir', runs]);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, /would remove 2 run\(s\), kept 2/);
  t.is(readdirSync(runs).length, 4);
  const aged = await runCli(['runs', 'prune', '--older-than', '7d', '--keep', '3', '--journal-dir', runs]);
  t.is(aged.code, 0, aged.stderr);
  t.deepEqual(readdirSync(runs).sort(), ids.slice(1), 'the 40-day-old run went; the 10-day-old one is among the newest 3');
  const kept = await runCli(['runs', 'prune', '--keep', '1', '--journal-dir', runs]);
  t.is(kept.code, 0, kept.stderr);
  t.deepEqual(readdirSync(runs), [ids[3]]);
  const bad = await runCli(['runs', 'prune', '--keep', 'all', '--journal-dir', runs]);
  t.is(bad.code, 5);
  t.regex(bad.stderr.trim(), /^ERROR! --keep must be a whole number of runs, got 'all'$/);
});
