/**
 * Small behaviours matched to ansible-playbook 2.14 (each checked against it on the same playbook):
 * the CLI on a test host, its exit code, printed statuses and recap, and what changed on the host.
 */
import test from 'ava';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshFleet } from '../helpers/fleet.js';
import { parseRecap, repo, runCli } from '../helpers/cli.js';

const fixtures = join(repo, 'test/executor/fixtures/semantics');
const fleet = freshFleet({ size: 1 }, { empty: ['/opt/sem'] });

test.serial('script with creates/removes that holds is skipped, with the script action\'s message', async (t) => {
  writeFileSync(fleet.path('h1', '/opt/sem/log'), 'before\n');
  const r = await runCli([join(fixtures, 'script-guards.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[creates exists\] \*+\nskipping: \[h1\]\n/);
  t.regex(r.stdout, /TASK \[removes missing\] \*+\nskipping: \[h1\]\n/);
  t.regex(r.stdout, /TASK \[a missing script is not looked for when the guard skips\] \*+\nskipping: \[h1\]\n/);
  t.regex(r.stdout, /TASK \[creates missing\] \*+\nchanged: \[h1\]\n/);
  // registered as Ansible's AnsibleActionSkip result
  const block = (key: string) => JSON.parse(`{${new RegExp(`"${key}": \\{[^}]*\\}`).exec(r.stdout)![0]}}`) as Record<string, unknown>;
  t.deepEqual(block('creates'), { creates: { changed: false, failed: false, skipped: true, msg: '/opt/sem/log exists, matching creates option' } });
  t.deepEqual(block('removes'), { removes: { changed: false, failed: false, skipped: true, msg: '/opt/sem/absent does not exist, matching removes option' } });
  t.is(readFileSync(fleet.path('h1', '/opt/sem/log'), 'utf8'), 'before\nran runs\n', 'only the unguarded script ran');
  t.like(parseRecap(r.stdout), { h1: { ok: 2, changed: 1, skipped: 3 } });
});

test.serial('script in check mode: skipped by a guard that holds, changed when creates/removes say it would run', async (t) => {
  writeFileSync(fleet.path('h1', '/opt/sem/log'), 'before\n');
  const r = await runCli([join(fixtures, 'script-guards.yml'), '-i', fleet.inventoryPath, '--check']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[creates exists\] \*+\nskipping: \[h1\]\n/);
  t.regex(r.stdout, /TASK \[creates missing\] \*+\nchanged: \[h1\]\n/);
  t.is(readFileSync(fleet.path('h1', '/opt/sem/log'), 'utf8'), 'before\n', 'nothing ran');
  t.like(parseRecap(r.stdout), { h1: { ok: 2, changed: 1, skipped: 3 } });
});
