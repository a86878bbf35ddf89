import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repo, runCli } from '../helpers/cli.js';

/** Every corpus item's playbook passes `tsplay --syntax-check` unchanged (one CLI at a time: dozens at once time out on a loaded machine). */
const corpus = join(repo, 'test/corpus');
const items = readdirSync(corpus, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(corpus, d.name, 'playbook.yml')))
  .map((d) => d.name);

test('the corpus is not empty', (t) => {
  t.true(items.length > 0);
});

for (const item of items) {
  test.serial(`${item}: --syntax-check passes`, async (t) => {
    const r = await runCli(['--syntax-check', join(corpus, item, 'playbook.yml'), '-i', 'localhost,']);
    t.is(r.code, 0, r.stdout + r.stderr);
    t.regex(r.stdout, /playbook: /);
  });
}
