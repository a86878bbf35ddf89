import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecap, repo, runCli } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';

// Cancellation reaches controller-side waits: a guard's host_deadline, a task's `timeout:` and Ctrl-C
// end a pause, a retry delay or wait_for_connection. Durations here only detect a hang (< 30 s for
// waits of 40-60 s); statuses, messages and exit codes decide.
const fixture = (name: string) => join(repo, 'test/executor/fixtures/cancel', name);
const fleet = freshFleet({ size: 1 }, { remove: ['/opt/cancel-teardown', '/opt/cancel-after', '/opt/cancel-ready', '/opt/cancel-tries'] });

const onHost = (p: string) => (existsSync(fleet.path('h1', p)) ? readFileSync(fleet.path('h1', p), 'utf8') : undefined);

async function until(check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const mode of ['pause', 'retry'] as const) {
  test.serial(`a 3 s host_deadline ends a ${mode === 'pause' ? '40 s pause' : 'retry delay of 10 s'}, names the guard, and the teardown runs`, async (t) => {
    const started = Date.now();
    const r = await runCli([fixture('deadline.yml'), '-i', fleet.inventoryPath, '-e', `mode=${mode}`]);
    const took = Date.now() - started;
    t.is(r.code, 2, r.stdout + r.stderr);
    t.regex(r.stdout, /fatal: \[h1\]: FAILED! => [^\n]*guard 'wait-budget': host_deadline of 3 s exceeded on h1/);
    t.regex(r.stdout, /STOPPED \[guard 'wait-budget': host_deadline of 3 s exceeded on h1/);
    t.is(onHost('/opt/cancel-teardown'), 'teardown\n', 'the guard teardown ran');
    t.is(onHost('/opt/cancel-after'), undefined, 'no task after the wait');
    if (mode === 'retry') t.is(onHost('/opt/cancel-tries'), 'try\n', 'the second attempt never started');
    t.is(parseRecap(r.stdout).h1!.failures, 1);
    t.true(took < 30_000, `a hang: took ${took} ms`);
  });
}

test.serial('timeout: 2 on wait_for_connection for a host that went down ends the wait with Ansible\'s timeout message', async (t) => {
  const started = Date.now();
  const run = runCli([fixture('timeout.yml'), '-i', fleet.inventoryPath]);
  try {
    await until(() => onHost('/opt/cancel-ready') !== undefined);
    await fleet.stopHost('h1');
    const r = await run;
    const took = Date.now() - started;
    t.regex(r.stdout, /TASK \[Wait for a host that does not come back\][^]*fatal: \[h1\]: FAILED! => [^\n]*The wait_for_connection action failed to execute in the expected time frame \(2\) and was terminated/, r.stdout + r.stderr);
    t.notRegex(r.stdout, /TASK \[Not reached\]/);
    t.not(r.code, 0);
    t.true(took < 30_000, `a hang: took ${took} ms`);
  } finally {
    await fleet.startHost('h1');
  }
});

test.serial('SIGINT during a pause stops it: the task fails as interrupted, nothing after it runs, STOPPED says interrupted, exit 99', async (t) => {
  let sent = false;
  const started = Date.now();
  const r = await runCli([fixture('sigint.yml'), '-i', fleet.inventoryPath], {
    onStdout: (all, pid) => {
      if (!sent && /TASK \[Long pause\]/.test(all)) {
        sent = true;
        process.kill(pid, 'SIGINT');
      }
    },
  });
  const took = Date.now() - started;
  t.true(sent);
  t.is(r.code, 99, r.stdout + r.stderr);
  t.regex(r.stdout, /fatal: \[h1\]: FAILED! => [^\n]*interrupted \(SIGINT/);
  t.regex(r.stdout, /STOPPED \[interrupted/);
  t.notRegex(r.stdout, /all hosts of batch/);
  t.is(onHost('/opt/cancel-after'), undefined);
  t.true(took < 30_000, `a hang: took ${took} ms`);
});
