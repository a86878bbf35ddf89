import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecap, repo, runCli } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';

const fleet = freshFleet({ size: 3 }, { remove: ['/opt/roll'] });
const fixture = (name: string) => join(repo, 'test/executor/fixtures', name);
const log = (h: string) => (existsSync(fleet.path(h, '/opt/roll/tasks.log')) ? readFileSync(fleet.path(h, '/opt/roll/tasks.log'), 'utf8') : '');

test.serial('an error thrown in one host\'s task fails that host only: the others finish, always and the guard teardown run, recap, exit 2', async (t) => {
  const r = await runCli([fixture('host-error/site.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 2, r.stdout + r.stderr);
  t.regex(r.stdout, /fatal: \[h1\]: FAILED! => [^\n]*'BAD-NAME' is not a valid environment variable name/);
  t.is(log('h1'), 'always\n', 'h1: its task failed, its always ran, nothing after');
  t.regex(r.stdout, /fatal: \[h2\]: FAILED! => [^\n]*internal error while running this task: cannot list \/opt\/roll\/tree/);
  t.is(log('h2'), 'ran y\nalways\n');
  t.is(log('h3'), 'ran y\nalways\nafter\n');
  t.false(existsSync(fleet.path('h1', '/opt/roll/option')), 'the guard teardown ran');
  t.regex(r.stdout, /GUARD TEARDOWN \[keep-option\]/);
  const recap = parseRecap(r.stdout);
  t.is(recap.h1!.failures, 1);
  t.is(recap.h2!.failures, 1);
  t.is(recap.h3!.failures, 0);
  t.is(recap.h3!.changed, 4);
});

test.serial('a literal bad environment name is refused at load time, naming file:line and the key; --syntax-check too', async (t) => {
  for (const extra of [[], ['--syntax-check']]) {
    const r = await runCli([fixture('bad-env.yml'), '-i', fleet.inventoryPath, ...extra]);
    t.is(r.code, 4, r.stdout + r.stderr);
    t.regex(r.stderr, /^ERROR! \S*bad-env\.yml:5:\d+: task 'Never runs': 'environment': 'BAD-NAME' is not a valid environment variable name$/m);
    t.false(/Traceback|\n\s+at /.test(r.stderr));
  }
});
