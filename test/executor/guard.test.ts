import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecap, repo, runCli } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';

const playbook = join(repo, 'test/executor/fixtures/guarded.yml');

const fleet = freshFleet({ size: 3 }, { remove: ['/etc/sre/rollout.log', '/etc/sre/guard-option', '/etc/sre/slow.pid'] });

const log = (h: string) => (existsSync(fleet.path(h, '/etc/sre/rollout.log')) ? readFileSync(fleet.path(h, '/etc/sre/rollout.log'), 'utf8') : '');
const optionSet = () => existsSync(fleet.path('h1', '/etc/sre/guard-option'));

/** Is the process alive (zombies count as gone: nobody here reaps them)? */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test.serial('a host past its deadline fails naming the guard, its command is killed, no further host starts, teardown ran', async (t) => {
  const r = await runCli([playbook, '-i', fleet.inventoryPath, '-e', 'slow_host=h2 nap=60']);
  t.is(r.code, 2, r.stdout + r.stderr);
  t.is(log('h1'), 'started\ndone\n');
  t.is(log('h2'), 'started\n'); // killed in the slow step, never finished
  t.is(log('h3'), ''); // never started
  t.regex(r.stdout, /fatal: \[h2\]: FAILED! => [^\n]*guard 'switchover-timeout': host_deadline of 2 s exceeded on h2/);
  t.regex(r.stdout, /STOPPED \[guard 'switchover-timeout': host_deadline of 2 s exceeded on h2/);
  const pid = Number(readFileSync(fleet.path('h2', '/etc/sre/slow.pid'), 'utf8'));
  t.false(alive(pid), `sleep ${pid} on h2 should have been killed`);
  t.false(optionSet(), 'teardown removed the option');
  t.regex(r.stdout, /GUARD TEARDOWN \[switchover-timeout\]/);
  const recap = parseRecap(r.stdout);
  t.is(recap.h2!.failures, 1);
  t.falsy(recap.h3);
});

test.serial('a failing precheck stops the rollout before that host changes', async (t) => {
  const r = await runCli([playbook, '-i', fleet.inventoryPath, '-e', 'bad_host=h2']);
  t.is(r.code, 2, r.stdout);
  t.is(log('h1'), 'started\ndone\n');
  t.is(log('h2'), '');
  t.is(log('h3'), '');
  t.regex(r.stdout, /STOPPED \[guard 'switchover-timeout': precheck failed on h2/);
  t.false(optionSet());
});

test.serial('SIGINT in the middle of the rollout still runs the teardown, exit 99', async (t) => {
  let sent = false;
  const r = await runCli([playbook, '-i', fleet.inventoryPath, '-e', 'slow_host=h1 nap=1.5'], {
    onStdout: (all, pid) => {
      if (!sent && /TASK \[Slow step\]/.test(all) && optionSet()) {
        sent = true;
        process.kill(pid, 'SIGINT');
      }
    },
  });
  t.true(sent);
  t.is(r.code, 99, r.stdout + r.stderr);
  t.is(log('h2'), '');
  t.false(optionSet(), 'teardown removed the option after the interrupt');
  t.regex(r.stdout, /GUARD TEARDOWN/);
});

