/**
 * import_playbook as Ansible's PlaybookInclude: its `vars` go over the imported plays' own, its `tags`
 * are added to them, its file name is rendered with those vars and extra vars. Keys tsplay does not
 * carry (`when`) are refused, never ignored.
 */
import test from 'ava';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/import-playbook');

test("the import's vars win over the play's, its name is rendered, its tags select the imported plays", async (t) => {
  const r = await runCli([join(dir, 'site.yml'), '-i', 'localhost,']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /"msg": "from the import"/);
  const tagged = await runCli([join(dir, 'site.yml'), '-i', 'localhost,', '--tags', 'imported']);
  t.regex(tagged.stdout, /"msg": "from the import"/, 'the import tag reaches the tasks of the imported play');
  const other = await runCli([join(dir, 'site.yml'), '-i', 'localhost,', '--tags', 'other']);
  t.notRegex(other.stdout, /"msg"/);
});

test('when on import_playbook: a one-line load error naming file:line and the key', async (t) => {
  const r = await runCli([join(dir, 'when.yml'), '-i', 'localhost,']);
  t.is(r.code, 4);
  t.regex(r.stderr, /^ERROR! \S*when\.yml:2:3: 'when' is not supported on import_playbook/m);
});
