import test, { type ExecutionContext } from 'ava';
import { mkdirSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecap, runCli } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';
import { fixture, journalDir, journalOf, resetHosts, runIds, taskLog, until, type Rec } from './helpers.js';

const fleet = freshFleet({ size: 5 }, { remove: ['/opt/roll'] });
const hosts = ['h1', 'h2', 'h3', 'h4', 'h5'];
const clean = (h: string) => `prepare\nupgrade\nfinish v-${h} first=v-h1\n`;

/** The hosts a task started on, per task-start, in journal order. */
const starts = (recs: Rec[]) => recs.filter((r) => r.kind === 'task-start').map((r) => `${(r.task as { name: string }).name}:${(r.hosts as string[]).join(',')}`);

test.serial('serial 1 fails on host 3; --resume last does hosts 3-5 only, host 3 from the failed task, and equals one clean run', async (t) => {
  const dir = journalDir();
  const args = [fixture('rollout.yml'), '-i', fleet.inventoryPath, '--journal-dir', dir];
  mkdirSync(fleet.path('h3', '/opt/roll'), { recursive: true });
  writeFileSync(fleet.path('h3', '/opt/roll/fail'), '');

  const first = await runCli(args);
  t.is(first.code, 2, first.stdout + first.stderr);
  t.is(taskLog(fleet, 'h1'), clean('h1'));
  t.is(taskLog(fleet, 'h2'), clean('h2'));
  t.is(taskLog(fleet, 'h3'), 'prepare\n');
  t.is(taskLog(fleet, 'h4'), '');

  rmSync(fleet.path('h3', '/opt/roll/fail'));
  const second = await runCli([...args, '--resume', 'last']);
  t.is(second.code, 0, second.stdout + second.stderr);
  // h1 and h2 are not touched; h3 starts at Upgrade with its own and h1's registered values back
  t.false(/\[h1\]|\[h2\]/.test(second.stdout), second.stdout);
  t.deepEqual(Object.keys(parseRecap(second.stdout)).sort(), ['h3', 'h4', 'h5']);
  const [firstId, secondId] = runIds(dir);
  const resumed = journalOf(dir, secondId!);
  t.is(resumed[0]!.resumeOf, firstId);
  t.deepEqual(starts(resumed).filter((s) => s.endsWith(':h3')), ['Upgrade:h3', 'Slow step:h3', 'Finish:h3']);
  t.deepEqual(starts(resumed).filter((s) => s.startsWith('Prepare:')), ['Prepare:h4', 'Prepare:h5']);
  const combined = Object.fromEntries(hosts.map((h) => [h, taskLog(fleet, h)]));
  for (const h of hosts) t.is(combined[h], clean(h), h);

  // the same playbook run once, cleanly, from scratch leaves exactly the same on every host
  resetHosts(fleet);
  const once = await runCli(args);
  t.is(once.code, 0, once.stdout);
  t.deepEqual(Object.fromEntries(hosts.map((h) => [h, taskLog(fleet, h)])), combined);
});

test.serial('controller killed with SIGKILL mid-rollout: --resume last finishes, no completed task runs again', async (t) => {
  const dir = journalDir();
  const args = [fixture('rollout.yml'), '-i', fleet.inventoryPath, '--journal-dir', dir, '-e', 'slow_host=h3'];
  let pid = 0;
  const run = runCli([...args, '-e', 'nap=60'], { onStdout: (_all, p) => (pid = p) });
  await until(() => taskLog(fleet, 'h3').includes('slow'));
  process.kill(pid, 'SIGKILL');
  const killed = await run;
  t.is(killed.code, null);
  const [id] = runIds(dir);
  const journal = journalOf(dir, id!);
  t.is(journal[0]!.kind, 'journal-start');
  t.false(journal.some((r) => r.kind === 'journal-end'), 'a killed run has no last line');
  t.true(journal.some((r) => r.kind === 'host-result' && r.host === 'h3' && (r.task as { name: string }).name === 'Upgrade'), 'results up to the kill are on disk');
  const before = Object.fromEntries(hosts.map((h) => [h, taskLog(fleet, h)]));
  t.is(before.h3, 'prepare\nupgrade\nslow\n');

  const shown = await runCli(['runs', 'show', 'last', '--journal-dir', dir]);
  t.regex(shown.stdout, /outcome: +killed/);
  t.regex(shown.stdout, /h3: play 1 'Rolling upgrade', task 'Slow step' \(running when the journal ends\)/);
  t.regex(shown.stdout, /not started in play 1 'Rolling upgrade': h4, h5/);

  const resumed = await runCli([...args, '-e', 'nap=0', '--resume', 'last']);
  t.is(resumed.code, 0, resumed.stdout + resumed.stderr);
  for (const h of ['h1', 'h2', 'h4', 'h5']) t.is(taskLog(fleet, h), clean(h), h);
  // only the step that was running when the controller died runs again on h3
  t.is(taskLog(fleet, 'h3'), 'prepare\nupgrade\nslow\nslow\nfinish v-h3 first=v-h1\n');
});

/** A copy of rollout.yml (the test may edit it) run once with h2 failing at its first task: exit 2. */
async function rolloutFailedOnH2(t: ExecutionContext): Promise<{ dir: string; pb: string; args: string[] }> {
  const dir = journalDir();
  const pb = join(dir, 'rollout.yml');
  copyFileSync(fixture('rollout.yml'), pb);
  mkdirSync(fleet.path('h2', '/opt/roll'), { recursive: true });
  writeFileSync(fleet.path('h2', '/opt/roll/fail'), '');
  const args = [pb, '-i', fleet.inventoryPath, '--journal-dir', dir];
  t.is((await runCli(args)).code, 2);
  return { dir, pb, args };
}

test.serial('--resume refuses when the playbook changed, naming the file; --force resumes anyway', async (t) => {
  const { pb, args } = await rolloutFailedOnH2(t);
  writeFileSync(pb, readFileSync(pb, 'utf8') + '\n# edited\n');
  const refused = await runCli([...args, '--resume', 'last']);
  t.is(refused.code, 5, refused.stdout + refused.stderr);
  t.regex(refused.stderr, /cannot resume run \S+: changed since it ran: \S*rollout\.yml modified \(use --force/);
  t.is(taskLog(fleet, 'h2'), 'prepare\n', 'nothing ran');
  rmSync(fleet.path('h2', '/opt/roll/fail'));
  const forced = await runCli([...args, '--resume', 'last', '--force']);
  t.is(forced.code, 0, forced.stdout + forced.stderr);
  t.regex(forced.stderr, /resuming run \S+ although its sources changed/);
  t.is(taskLog(fleet, 'h2'), clean('h2'));
  t.is(taskLog(fleet, 'h1'), clean('h1'));
});

test.serial('a task inserted above completed ones, --resume --force: the new task runs, the moved completed task does not run again', async (t) => {
  const { dir, pb, args } = await rolloutFailedOnH2(t);
  t.is(taskLog(fleet, 'h2'), 'prepare\n');
  // a task goes in first, above Prepare: every later task's line moves
  const inserted = '  tasks:\n    - name: Inserted\n      shell: mkdir -p /opt/roll && echo inserted >> /opt/roll/tasks.log\n\n';
  writeFileSync(pb, readFileSync(pb, 'utf8').replace('  tasks:\n', inserted));
  rmSync(fleet.path('h2', '/opt/roll/fail'));
  const forced = await runCli([...args, '--resume', 'last', '--force']);
  t.is(forced.code, 0, forced.stdout + forced.stderr);
  t.is(taskLog(fleet, 'h1'), clean('h1'), 'h1 had finished: untouched');
  t.is(taskLog(fleet, 'h2'), 'prepare\ninserted\nupgrade\nfinish v-h2 first=v-h1\n', 'Inserted ran, Prepare did not run again, its registered value came back');
  t.is(taskLog(fleet, 'h3'), `inserted\n${clean('h3')}`);
  // ids are where tasks are written, not list positions
  const ids = journalOf(dir, runIds(dir)[1]!).filter((r) => r.kind === 'task-start').map((r) => (r.task as { id: string }).id);
  t.true(ids.every((id) => /^rollout\.yml:\d+$/.test(id)), ids.join(' '));
});
