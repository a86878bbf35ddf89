/** file state=link without src, as Ansible: an existing link keeps its target; a new link needs src. */
import test from 'ava';
import { readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, workDir } from '../helpers/cli.js';

test('state: link without src keeps an existing link (ok), fails naming src for a new one', async (t) => {
  const dir = workDir('file-link-');
  writeFileSync(join(dir, 'target'), 'x');
  symlinkSync('target', join(dir, 'link'));
  const play = join(dir, 'play.yml');
  writeFileSync(play, `- hosts: localhost
  gather_facts: false
  tasks:
    - file: {path: ${dir}/link, state: link}
    - file: {path: ${dir}/new-link, state: link}
`);
  const r = await runCli([play, '-i', 'localhost,']);
  t.is(r.code, 2, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[file\] \*+\nok: \[localhost\]\n/);
  t.regex(r.stdout, /fatal: \[localhost\]: FAILED! => .*src is required for state 'link'/);
  t.is(readlinkSync(join(dir, 'link')), 'target');
});
