import test from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

/** A playbook dir with a role; each template task names one of the template files. */
function project(templates: Record<string, string>, tasks: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-tplcheck-'));
  mkdirSync(join(dir, 'templates'));
  mkdirSync(join(dir, 'roles', 'r', 'templates'), { recursive: true });
  mkdirSync(join(dir, 'roles', 'r', 'tasks'));
  for (const [name, text] of Object.entries(templates)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'roles', 'r', 'tasks', 'main.yml'), '- template: src=role.conf.j2 dest=/tmp/role.conf\n');
  writeFileSync(join(dir, 'site.yml'), `- hosts: all\n  gather_facts: false\n  roles: [r]\n  tasks:\n${tasks}`);
  writeFileSync(join(dir, 'hosts.ini'), 'h1 ansible_connection=local\n');
  return dir;
}

test('--syntax-check parses the template files of template: tasks (Jinja and Handlebars)', async (t) => {
  const good = project({
    'templates/a.conf.j2': '{% for p in ports %}\nport={{ p }}\n{% endfor %}\n',
    'templates/b.conf.hbs': '{{#each ports}}{{this}}{{/each}}\n',
    'roles/r/templates/role.conf.j2': '{{ x | default(1) }}\n',
  }, '    - template: {src: a.conf.j2, dest: /tmp/a}\n    - template: {src: b.conf.hbs, dest: /tmp/b}\n');
  t.teardown(() => rmSync(good, { recursive: true, force: true }));
  const ok = await runCli(['site.yml', '-i', 'hosts.ini', '--syntax-check'], { cwd: good });
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /playbook: .*site\.yml/);
});

test('--syntax-check names the template file and line of a syntax error; a templated src is left to the run', async (t) => {
  const bad = project({
    'templates/ok.j2': 'fine\n',
    'roles/r/templates/role.conf.j2': 'line 1\n{% if x %}\nunclosed\n',
  }, '    - template: {src: ok.j2, dest: /tmp/a}\n    - template: {src: "{{ which }}.j2", dest: /tmp/b}\n');
  t.teardown(() => rmSync(bad, { recursive: true, force: true }));
  const r = await runCli(['site.yml', '-i', 'hosts.ini', '--syntax-check'], { cwd: bad });
  t.is(r.code, 4, r.stdout + r.stderr);
  t.regex(r.stderr, /role\.conf\.j2:1: template error: missing \{% endif %\} \(template line 2\)/);
});
