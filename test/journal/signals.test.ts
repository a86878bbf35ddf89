import test from 'ava';
import { existsSync } from 'node:fs';
import { parseRecap, runCli } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';
import { fixture, journalDir, journalOf, runIds, taskLog, until, type Rec } from './helpers.js';

const fleet = freshFleet({ size: 3 }, { remove: ['/opt/roll'] });

const optionSet = () => existsSync(fleet.path('h1', '/opt/roll/option'));

/** Run interrupt.yml slowly and send SIGINT once h1 sleeps in its upgrade (and again, when `twice`, during the teardown). */
async function interrupted(dir: string, twice = false, nap = 60) {
  let pid = 0;
  const run = runCli([fixture('interrupt.yml'), '-i', fleet.inventoryPath, '--journal-dir', dir, '-e', `nap=${nap} teardown_nap=${twice ? 60 : 0}`], {
    onStdout: (_all, p) => (pid = p),
    env: { TSPLAY_GRACE_SECONDS: nap < 60 ? '30' : '1' },
  });
  await until(() => pid > 0 && taskLog(fleet, 'h1').includes('upgrade'));
  process.kill(pid, 'SIGINT');
  if (twice) {
    await until(() => journalOf(dir, runIds(dir)[0]!).some((r) => r.kind === 'task-start' && (r.task as { name: string }).name === 'Take a while'));
    process.kill(pid, 'SIGINT');
  }
  return run;
}

test.serial('SIGINT: exit 99 with the recap, guard teardown ran, the journal names the interrupted task and host', async (t) => {
  const dir = journalDir();
  const r = await interrupted(dir);
  t.is(r.code, 99, r.stdout + r.stderr);
  t.regex(r.stdout, /PLAY RECAP/);
  t.truthy(parseRecap(r.stdout).h1);
  t.false(optionSet(), 'the guard teardown removed the option');
  t.is(taskLog(fleet, 'h2'), '', 'no further host started');
  const journal = journalOf(dir, runIds(dir)[0]!);
  const signal = journal.find((x) => x.kind === 'interrupted') as Rec & { inFlight: { host: string; task: { name: string } }[] };
  t.like(signal, { signal: 'SIGINT', mode: 'stop' });
  t.deepEqual(signal.inFlight.map((f) => `${f.host}:${f.task.name}`), ['h1:Slow upgrade']);
  t.like(journal.at(-1), { kind: 'journal-end', outcome: 'interrupted' });
  t.true(journal.some((x) => x.kind === 'recap'));

  const shown = await runCli(['runs', 'show', 'last', '--journal-dir', dir]);
  t.regex(shown.stdout, /signal: +SIGINT during 'Slow upgrade' on h1/);
  t.regex(shown.stdout, /h1: play 1 'Interrupted rollout', task 'Slow upgrade' \(interrupted\)/);

  // resumed: h1 restarts at the start of the block its teardown undid; h2 and h3 run from scratch
  const resumed = await runCli([fixture('interrupt.yml'), '-i', fleet.inventoryPath, '--journal-dir', dir, '--resume', 'last']);
  t.is(resumed.code, 0, resumed.stdout + resumed.stderr);
  t.regex(taskLog(fleet, 'h1'), /drain\nupgrade\nundrain\n$/);
  t.is(taskLog(fleet, 'h2'), 'drain\nupgrade\nundrain\n');
  t.false(optionSet());
});

// Needs the executor to run `always` sections after the first signal (see the journal report):
// today walkItems() stops at once on an aborted run signal, always sections included.
test.serial('SIGINT runs the block\'s always teardown on the interrupted host', async (t) => {
  const dir = journalDir();
  const r = await interrupted(dir);
  t.is(r.code, 99);
  t.is(taskLog(fleet, 'h1'), 'drain\nupgrade\nundrain\n');
});

// Needs the executor to run commands under the kill signal (see the journal report).
test.serial('after the first SIGINT a command in flight may finish within the grace period', async (t) => {
  const dir = journalDir();
  const r = await interrupted(dir, false, 2);
  t.is(r.code, 99, r.stdout + r.stderr);
  const journal = journalOf(dir, runIds(dir)[0]!);
  const upgrade = journal.find((x) => x.kind === 'host-result' && (x.task as { name: string }).name === 'Slow upgrade');
  t.like(upgrade, { host: 'h1', status: 'changed' });
  t.is(taskLog(fleet, 'h1'), 'drain\nupgrade\nundrain\n');
  t.is(taskLog(fleet, 'h2'), '', 'no new task started');
});

test.serial('a second SIGINT aborts at once and the journal still records it', async (t) => {
  const dir = journalDir();
  const r = await interrupted(dir, true);
  t.is(r.code, 99, r.stdout + r.stderr);
  t.true(optionSet(), 'the teardown was cut short');
  const journal = journalOf(dir, runIds(dir)[0]!);
  const modes = journal.filter((x) => x.kind === 'interrupted').map((x) => x.mode);
  t.deepEqual(modes, ['stop', 'abort']);
  t.like(journal.at(-1), { kind: 'journal-end', outcome: 'aborted' });
});
