import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecap, runCli, workDir } from '../helpers/cli.js';

// raw as ansible-playbook 2.14 runs it (checked against it on a test host): the line as written, by a
// shell; always changed; a non-zero rc fails; skipped under --check unless the task says check_mode: false.
function site(dir: string): string {
  writeFileSync(join(dir, 'inv'), 'localhost ansible_connection=local\n');
  writeFileSync(
    join(dir, 'site.yml'),
    `- hosts: localhost
  gather_facts: false
  tasks:
    - raw: echo one > ${dir}/made; echo two; echo err >&2
      register: r
    - debug: msg="{{ r.stdout_lines }}|{{ r.stderr_lines }}|{{ r.rc }}"
    - raw: echo "$0" > ${dir}/shell executable=/bin/bash
      check_mode: false
    - raw: exit 3
      ignore_errors: true
      register: bad
    - debug: msg="{{ bad.rc }} {{ bad.msg }}"
`,
  );
  return join(dir, 'site.yml');
}

test('raw runs the line by a shell, registers rc/stdout/stderr lines, is changed, and fails on a non-zero rc', async (t) => {
  const dir = workDir('raw');
  const r = await runCli([site(dir), '-i', join(dir, 'inv')]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(readFileSync(join(dir, 'made'), 'utf8'), 'one\n');
  t.regex(r.stdout, /"msg": "\['two'\]\|\['err'\]\|0"/);
  t.is(readFileSync(join(dir, 'shell'), 'utf8'), '/bin/bash\n', 'executable= taken out of the line, the line run by it');
  t.regex(r.stdout, /"msg": "3 non-zero return code"/);
  t.like(parseRecap(r.stdout).localhost, { ok: 5, changed: 3, ignored: 1 });
});

test('raw under --check is skipped, unless check_mode: false', async (t) => {
  const dir = workDir('raw-check');
  const r = await runCli([site(dir), '-i', join(dir, 'inv'), '--check']);
  t.is(r.code, 2, 'r.stdout_lines is undefined after the skipped raw, as in Ansible');
  t.false(existsSync(join(dir, 'made')));
  t.regex(r.stdout, /TASK \[raw\] \*+\nskipping: \[localhost\]/);
});
