/**
 * The variables Ansible's template module and template lookup add (generate_ansible_template_vars):
 * `{{ ansible_managed }}` heads many real roles' templates (geerlingguy.redis, memcached…).
 * Run through the CLI on a local connection, writing into a temp dir only.
 */
import test from 'ava';
import { readFileSync, statSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { msgs, runJson, tree } from '../language/helpers.js';

test('template: ansible_managed and template_* render; they exist only for template, and override a variable of the same name', async (t) => {
  const dir = tree({
    'hosts.ini': 'h1 ansible_connection=local\n',
    'templates/app.conf.j2':
      '{{ ansible_managed | comment }}\n{{ template_path }}|{{ template_fullpath }}|{{ template_destpath }}|{{ template_host }}|{{ template_uid }}|{{ template_mtime.year }}|{{ template_run_date.year }}\n',
    'site.yml': `- hosts: h1
  gather_facts: false
  vars:
    ansible_managed: set by the play
  tasks:
    - name: render
      template: { src: app.conf.j2, dest: "{{ playbook_dir }}/app.conf" }
    - name: outside a template
      debug: { msg: "{{ ansible_managed }}" }
    - name: lookup
      debug: { msg: "{{ lookup('template', 'app.conf.j2') }}" }
`,
  });
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', join(dir, 'hosts.ini')]);
  t.is(run.code, 0, run.stderr);
  const src = join(dir, 'templates/app.conf.j2');
  const dest = join(dir, 'app.conf');
  const year = new Date(statSync(src).mtimeMs).getFullYear();
  const line2 = (d: string) => `app.conf.j2|${src}|${d}|${hostname()}|${userInfo().username}|${year}|${new Date().getFullYear()}`;
  t.is(readFileSync(dest, 'utf8'), `#\n# Ansible managed\n#\n${line2(dest)}\n`);
  // Ansible: the play's own ansible_managed is what a task sees; the template's variables win inside it.
  t.deepEqual(msgs(doc, 'outside a template'), { h1: 'set by the play' });
  t.deepEqual(msgs(doc, 'lookup'), { h1: `#\n# Ansible managed\n#\n${line2('')}\n` });
});
