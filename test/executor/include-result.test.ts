/**
 * A dynamic include reports a result of its own, as ansible-playbook 2.14 does (checked against it):
 * `included: FILE for HOST` on the console (per loop item; nothing for an include_role), `skipped` under a false `when` or an empty loop, and the recap counts one `ok`
 * per file an include_tasks brings in (per loop item), none for an include_role.
 */
import test from 'ava';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRecap, runCli } from '../helpers/cli.js';

const play = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/include-result/play.yml');

test('each include reports its own line and counts in the recap as Ansible counts it', async (t) => {
  const r = await runCli([play, '-i', 'localhost,']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[include_tasks\] \*+\nincluded: \/\S+\/include-result\/step\.yml for localhost\n/);
  t.regex(r.stdout, /TASK \[looped include\] \*+\nincluded: \S+\/step\.yml for localhost => \(item=a\)\nincluded: \S+\/step\.yml for localhost => \(item=b\)\n/);
  t.regex(r.stdout, /TASK \[never included\] \*+\nskipping: \[localhost\]\n/);
  t.regex(r.stdout, /TASK \[include_role : greet\] \*+\n\nTASK \[greet : debug\]/, 'an include_role prints no line of its own');
  t.regex(r.stdout, /TASK \[empty loop\] \*+\nskipping: \[localhost\]\n/);
  t.is((r.stdout.match(/"msg": "step /g) ?? []).length, 4, 'once, a, b, and the tagged include');
  // ok: 4 include_tasks files (once, a, b, tagged) + 4 step debugs + 1 greet debug; include_role: none
  t.like(parseRecap(r.stdout), { localhost: { ok: 9, skipped: 2 } });
});

test('--tags select the include itself: an untagged include is not run, its tasks are not reached', async (t) => {
  const r = await runCli([play, '-i', 'localhost,', '--tags', 'inc']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.notRegex(r.stdout, /TASK \[looped include\]/);
  t.regex(r.stdout, /TASK \[only under the include tag\] \*+\nincluded: \S+\/step\.yml for localhost\n/);
  // the included debug is untagged: not selected by --tags inc (an include's tags are its own)
  t.is((r.stdout.match(/"msg": "step /g) ?? []).length, 0);
  t.like(parseRecap(r.stdout), { localhost: { ok: 1, skipped: 0 } });
});
