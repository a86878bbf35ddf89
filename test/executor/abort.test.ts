import test from 'ava';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repo, runCli } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';
import { fixture, journalDir, journalOf, resetHosts, runIds, taskLog, until } from '../journal/helpers.js';

// A second Ctrl-C leaves at once, but not before the commands in flight are killed on their hosts
// (the guard teardown's too), and it says which teardown it skipped.
const fleet = freshFleet({ size: 2 });

/** Processes (the fleet shares the controller's PID space) whose command line is exactly `argv`. */
function processes(argv: string[]): number[] {
  const want = argv.join('\0');
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0$/, '') === want && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${p}/stat`, 'utf8'));
      } catch {
        return false;
      }
    })
    .map(Number);
}

test.serial('a second SIGINT kills the teardown command in flight on the host and names the skipped teardown', async (t) => {
  resetHosts(fleet);
  const dir = journalDir();
  const nap = '73.25'; // a duration no other test sleeps: its process is ours
  let pid = 0;
  const run = runCli([fixture('interrupt.yml'), '-i', fleet.inventoryPath, '--journal-dir', dir, '-e', `nap=60 teardown_nap=${nap}`], {
    onStdout: (_all, p) => (pid = p),
    env: { TSPLAY_GRACE_SECONDS: '1' },
  });
  await until(() => pid > 0 && taskLog(fleet, 'h1').includes('upgrade'));
  process.kill(pid, 'SIGINT');
  await until(() => runIds(dir).length > 0 && journalOf(dir, runIds(dir)[0]!).some((r) => r.kind === 'task-start' && (r.task as { name: string }).name === 'Take a while'));
  await until(() => processes(['sleep', nap]).length > 0);
  process.kill(pid, 'SIGINT');
  const r = await run;
  t.is(r.code, 99, r.stdout + r.stderr);
  t.regex(r.stderr, /SIGINT again: aborting at once \(journal [^)]+\); killing 1 command in flight on the hosts/);
  t.regex(r.stderr, /skipped: guard 'rollout-option' teardown cut short/);
  t.deepEqual(processes(['sleep', nap]), [], 'the teardown command is gone from the host');
});

test.serial('SIGKILL of the controller during a command, then --resume: the old command is killed before the resumed run goes on', async (t) => {
  const lk = (p: string) => fleet.path('h1', `/opt/lk/${p}`);
  mkdirSync(lk(''), { recursive: true });
  writeFileSync(lk('log'), '');
  const nap = '64.75'; // a duration no other test sleeps: its process is ours
  writeFileSync(lk('nap'), nap);
  const dir = journalDir();
  const playbook = join(repo, 'test/executor/fixtures/leftover.yml');
  let pid = 0;
  const run = runCli([playbook, '-i', fleet.inventoryPath, '--journal-dir', dir], { onStdout: (_all, p) => (pid = p) });
  await until(() => pid > 0 && processes(['sleep', nap]).length > 0);
  process.kill(pid, 'SIGKILL');
  await run;
  t.true(processes(['sleep', nap]).length > 0, 'the command outlived its controller');

  writeFileSync(lk('nap'), '0');
  const resumed = await runCli([playbook, '-i', fleet.inventoryPath, '--journal-dir', dir, '--resume', 'last']);
  t.is(resumed.code, 0, resumed.stdout + resumed.stderr);
  t.regex(resumed.stderr, /h1: killed 1 command the resumed run left running/);
  t.deepEqual(processes(['sleep', nap]), [], 'the old command is gone');
  t.is(readFileSync(lk('log'), 'utf8'), 'start\nstart\nend\n', 'the old command never finished; the resumed one did');
});
