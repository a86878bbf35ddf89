import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { runCli } from '../helpers/cli.js';
import { fixture, journalDir, journalOf, resetHosts, runIds, taskLog, until } from '../journal/helpers.js';

// A second Ctrl-C leaves at once, but not before the commands in flight are killed on their hosts
// (the guard teardown's too), and it says which teardown it skipped.
let fleet: Fleet;
test.before(async () => {
  fleet = await startFleet({ size: 2 });
});
test.after.always(async () => {
  await fleet?.stop();
});

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
