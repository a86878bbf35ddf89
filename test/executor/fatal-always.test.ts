import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecap, repo, runCli } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';

// any_errors_fatal and always sections on real hosts (Ansible 2.14's rules; test/compat's
// fatal_always scenario compares the task statuses with ansible-playbook).

const fleet = freshFleet({ size: 3 }, { remove: ['/opt/roll'] });
const log = (h: string) => (existsSync(fleet.path(h, '/opt/roll/tasks.log')) ? readFileSync(fleet.path(h, '/opt/roll/tasks.log'), 'utf8') : '');

test.serial('any_errors_fatal: a host whose rescue fails still runs its always (undrain); the others finish the run; the guard teardown runs; exit 2', async (t) => {
  const r = await runCli([join(repo, 'test/executor/fixtures/fatal-always/site.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 2, r.stdout + r.stderr);
  t.is(log('h1'), 'drain\nupgrade\nrollback\nundrain\n', 'h1: the always ran after the failed rollback, nothing after it');
  for (const h of ['h2', 'h3']) t.is(log(h), 'drain\nupgrade\nenable\nundrain\nafter\nnext\n', `${h} went on to the next play`);
  t.false(existsSync(fleet.path('h1', '/opt/roll/option')), 'the guard teardown ran');
  t.regex(r.stdout, /GUARD TEARDOWN \[keep-option\]/);
  t.notRegex(r.stdout, /STOPPED/);
  const recap = parseRecap(r.stdout);
  t.is(recap.h1!.failures, 1);
  t.is(recap.h1!.rescued, 1);
  t.is(recap.h2!.failures, 0);
});
