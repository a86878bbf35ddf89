/**
 * `~`, `~user` and `$VAR` in module paths, through the CLI on a test host: expanded on the host as the
 * task's user (become included) with the task's environment, for every module that declares the path.
 * labuser's home is a private copy on the host (the controller's /home/labuser is not written).
 */
import test from 'ava';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { runCli, workDir } from '../helpers/cli.js';

let fleet: Fleet;
const H = 'h1';

test.before(async () => {
  fleet = await startFleet({ size: 1, privateDirs: ['/home/labuser'] });
  const uid = Number(execFileSync('id', ['-u', 'labuser']).toString());
  const gid = Number(execFileSync('id', ['-g', 'labuser']).toString());
  chownSync(fleet.path(H, '/home/labuser'), uid, gid);
});
test.after.always(async () => {
  await fleet?.stop();
});

const PLAYBOOK = `
- hosts: all
  gather_facts: false
  tasks:
    - name: copy to ~ as root
      copy: { content: "root\\n", dest: "~/root-copy.txt" }
    - name: lineinfile at $HOME
      lineinfile: { path: "$HOME/li.txt", line: "x", create: true }
    - name: template to ~labuser as labuser
      template: { src: t.j2, dest: "~labuser/t.txt" }
      become: true
      become_user: labuser
    - name: copy to ~ as labuser
      copy: { content: "lab\\n", dest: "~/lab.txt" }
      become: true
      become_user: labuser
    - name: file at \${HOME} as labuser
      file: { path: "\${HOME}/labdir", state: directory }
      become: true
      become_user: labuser
    - name: command with chdir and creates under ~
      command: touch made
      args: { chdir: "~", creates: "~/made" }
    - name: the same, creates at $HOME
      command: touch made
      args: { chdir: "~", creates: "$HOME/made" }
      register: again
    - name: stat ~labuser
      stat: { path: "~labuser/lab.txt" }
      register: st
    - name: a variable of the task's environment
      file: { path: "$TSP_DIR", state: directory }
      environment: { TSP_DIR: /srv/envdir }
    - name: the environment reaches copy's dest
      copy: { content: "e\\n", dest: "\${TSP_DIR}/e.txt" }
      environment: { TSP_DIR: /srv/envdir }
    - name: an unset variable stays as written
      file: { path: "/srv/$TSP_NOT_SET", state: directory }
    - name: find under ~
      find: { paths: ["~"], patterns: "*.txt" }
      register: found
    - name: replace and blockinfile at ~ (replace fails on a file that is not there)
      replace: { path: "~/li.txt", regexp: "^no match$", replace: "y" }
    - blockinfile: { path: "$HOME/li.txt", block: "b" }
    - name: remote_src copy from $HOME to ~labuser
      copy: { src: "$HOME/root-copy.txt", dest: "~labuser/from-root.txt", remote_src: true }
    - debug:
        msg: "{{ again.stdout }}|{{ st.stat.path }}|{{ found.files | map(attribute='path') | sort | join(',') }}"
`;

test('files land where Ansible puts them: root\'s and labuser\'s homes, the task environment', async (t) => {
  const dir = workDir('target-paths');
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'templates', 't.j2'), 'tpl {{ inventory_hostname }}\n');
  writeFileSync(join(dir, 'pb.yml'), PLAYBOOK);
  const r = await runCli([join(dir, 'pb.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  const read = (p: string) => readFileSync(fleet.path(H, p), 'utf8');
  t.is(read('/root/root-copy.txt'), 'root\n');
  t.is(read('/root/li.txt'), 'x\n# BEGIN ANSIBLE MANAGED BLOCK\nb\n# END ANSIBLE MANAGED BLOCK\n');
  t.is(read('/home/labuser/t.txt'), 'tpl h1\n');
  t.is(read('/home/labuser/lab.txt'), 'lab\n');
  t.is(read('/home/labuser/from-root.txt'), 'root\n');
  t.true(existsSync(fleet.path(H, '/home/labuser/labdir')));
  t.true(existsSync(fleet.path(H, '/root/made')));
  t.is(read('/srv/envdir/e.txt'), 'e\n');
  t.true(existsSync(fleet.path(H, '/srv/$TSP_NOT_SET')), 'an unknown variable is left as Python leaves it');
  // labuser's files are labuser's (the task ran as labuser), nothing named "~" anywhere
  t.is(execFileSync('stat', ['-c', '%U', fleet.path(H, '/home/labuser/lab.txt')]).toString().trim(), 'labuser');
  for (const d of ['/root', '/home/labuser', '/srv']) t.false(existsSync(fleet.path(H, `${d}/~`)));
  t.true(r.stdout.includes('"msg": "skipped, since /root/made exists|/home/labuser/lab.txt|/root/li.txt,/root/root-copy.txt"'), r.stdout);
  // a second run changes nothing
  const again = await runCli([join(dir, 'pb.yml'), '-i', fleet.inventoryPath]);
  t.regex(again.stdout, /h1\s+: ok=16\s+changed=0 /);
});
