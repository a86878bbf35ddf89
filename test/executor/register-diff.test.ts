/** In diff mode (the task's `diff: yes` or --diff) a registered result has Ansible's `diff` list; without it, none. */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, workDir } from '../helpers/cli.js';

test('register keeps the diff (before, after, headers) only in diff mode', async (t) => {
  const dir = workDir('register-diff-');
  const play = join(dir, 'play.yml');
  writeFileSync(play, `- hosts: localhost
  gather_facts: false
  tasks:
    - lineinfile: {dest: ${dir}/a.txt, create: yes, line: hello}
      diff: yes
      register: with
    - lineinfile: {dest: ${dir}/b.txt, create: yes, line: hello}
      register: without
    - assert:
        that:
          - with.diff | length > 0
          - with.diff[0].after == 'hello\\n'
          - with.diff[0].before == ''
          - with.diff[0].after_header is search('a.txt')
          - without.diff is not defined
`);
  const r = await runCli([play, '-i', 'localhost,']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[assert\] \*+\nok: \[localhost\]/);
});
