/**
 * import_playbook as Ansible's PlaybookInclude: its `vars` go over the imported plays' own, its `tags`
 * are added to them, its `when` is carried onto the imported plays' tasks and fact gathering, its file
 * name is rendered with those vars and extra vars.
 */
import test from 'ava';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import { loadError, msgs, runJson, tree } from './helpers.js';

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

test("when on import_playbook: before every task's and block's own condition and on fact gathering, evaluated per host with the play's vars", async (t) => {
  const { doc, run } = await runJson([join(dir, 'when.yml'), '-i', 'localhost,']);
  t.is(run.code, 0, run.stdout + run.stderr);
  const statuses = doc.plays.map((p) => p.tasks.map((x) => `${x.task.name}: ${Object.values(x.hosts).map((r) => (r.skipped ? 'skipped' : 'ran')).join()}`));
  t.deepEqual(statuses, [
    ['Gathering Facts: skipped', 'pre: skipped', 'in the block: skipped'],
    ['Gathering Facts: ran', 'pre: ran', 'in the block: ran'],
    // nested imports: the outer condition comes first (false here), the inner's after it
    ['debug: skipped'],
  ]);
  t.deepEqual(msgs(doc, 'pre'), { localhost: 'from the second import' });
  const [first, , nested] = loadPlaybook(join(dir, 'when.yml')).plays;
  t.deepEqual(first!.gatherWhen, [false]);
  t.deepEqual(nested!.tasks[0]!.when, ['outer', true]);
});

test("a play has no 'when' (as Ansible): a one-line load error naming file:line", (t) => {
  const dir2 = tree({ 'site.yml': '- hosts: localhost\n  when: false\n  tasks: []\n' });
  t.regex(loadError(join(dir2, 'site.yml')), /site\.yml:2:3: 'when' is not a valid play keyword/);
});
