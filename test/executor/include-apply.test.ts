/**
 * include_tasks/include_role `apply:` gives its keywords to the included tasks (not to the include), as
 * Ansible's parent block does: tags select them, a `when` skips them, vars reach them; also for a name
 * decided at run time. On an import it is an error.
 */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, workDir } from '../helpers/cli.js';

const play = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/apply/play.yml');

test('apply: tags, when and vars reach the included tasks', async (t) => {
  const r = await runCli([play, '-i', 'localhost,']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /"msg": "step applied"/);
  t.regex(r.stdout, /TASK \[run-time name\] \*+\nincluded: \S+steps\.yml for localhost\n\nTASK \[debug\] \*+\nskipping: \[localhost\]/);
  const foo = await runCli([play, '-i', 'localhost,', '--tags', 'foo']);
  t.regex(foo.stdout, /"msg": "step applied"/, 'the included task has the applied tag');
  const other = await runCli([play, '-i', 'localhost,', '--tags', 'bar']);
  t.notRegex(other.stdout, /"msg": "step/, 'the include runs (always) but its task is not selected');
});

test('apply on import_tasks is a load error naming the file and line', async (t) => {
  const dir = workDir('apply-');
  const bad = join(dir, 'bad.yml');
  writeFileSync(join(dir, 'steps.yml'), '- debug: {msg: x}\n');
  writeFileSync(bad, '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - import_tasks:\n        file: steps.yml\n        apply: {tags: [x]}\n');
  const r = await runCli([bad, '-i', 'localhost,']);
  t.is(r.code, 4);
  t.regex(r.stderr, /^ERROR! \S*bad\.yml:\d+:\d+: .*'apply' is not valid on import_tasks/m);
});
