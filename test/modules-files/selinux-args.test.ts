/**
 * Ansible's SELinux file arguments (seuser, serole, setype, selevel) and unsafe_writes, accepted by the
 * modules that take Ansible's common file arguments. With SELinux off (this machine) they change nothing,
 * as in Ansible; with SELinux on, tsplay refuses rather than leave a context the task did not ask for.
 */
import test from 'ava';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { selinuxPlan, selinuxRequested } from '../../src/modules/selinux-args.js';
import { findModule } from '../../src/modules/registry.js';
import { runCli, workDir } from '../helpers/cli.js';

const where = { file: 'mysql.yml', line: 46 };

test('file, copy, template, lineinfile, blockinfile, replace, ini_file, assemble, get_url and unarchive accept them', (t) => {
  for (const name of ['file', 'copy', 'template', 'lineinfile', 'blockinfile', 'replace', 'ini_file', 'assemble', 'get_url', 'unarchive']) {
    const mod = findModule(name)!;
    t.true(mod.selinuxArgs, name);
  }
  const args = findModule('file')!.parse({ path: '/var/lib/mysql', state: 'directory', setype: 'mysqld_db_t', seuser: 'system_u', unsafe_writes: true }, where, false);
  t.deepEqual(selinuxRequested(args), ['seuser', 'setype']);
  t.throws(() => findModule('file')!.parse({ path: '/x', unsafe_writes: 'maybe' }, where, false), { message: /unsafe_writes/ });
});

test('SELinux on: the task fails naming the arguments; off: they are ignored', (t) => {
  const on = selinuxPlan(['setype'], { rc: 0, stdout: '', stderr: '' } as never);
  t.like(on, { failed: true, msg: 'setype: tsplay does not set SELinux contexts, and SELinux is enabled on this host' });
  t.is(selinuxPlan(['setype'], { rc: 1, stdout: '', stderr: '' } as never), undefined);
});

test('a run on a host without SELinux: the directory and file are made, the contexts ignored', async (t) => {
  const dir = workDir('selinux-');
  const target = join(dir, 'datadir');
  const play = join(dir, 'play.yml');
  writeFileSync(play, `- hosts: localhost
  gather_facts: false
  tasks:
    - file: { path: ${target}, state: directory, mode: '0750', setype: mysqld_db_t, seuser: system_u }
    - copy: { content: "x\\n", dest: ${target}/my.cnf, setype: mysqld_etc_t, unsafe_writes: true }
`);
  const r = await runCli([play, '-i', 'localhost,']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(statSync(target).mode & 0o777, 0o750);
  t.is(readFileSync(join(target, 'my.cnf'), 'utf8'), 'x\n');
  t.regex(r.stdout, /localhost\s+: ok=2\s+changed=2/);
});
