/**
 * Playbook loading at site scale: 2,000 tasks across 50 roles (40 tasks each, with defaults, vars,
 * handlers and templated arguments and conditions), written to a temp dir. Times loadPlaybook,
 * which includes validation (keywords, module arguments, template and `when:` parse checks).
 * The target is under 300 ms. Run: npx tsx bench/loader.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadPlaybook } from '../src/playbook/load.js';

const ROLES = 50;
const TASKS_PER_ROLE = 40;

/** One role's tasks: a mix of the modules and keywords a real site uses. */
function roleTasks(r: number): string {
  const out: string[] = [];
  for (let t = 0; t < TASKS_PER_ROLE; t++) {
    const name = `role${r} step ${t}`;
    switch (t % 5) {
      case 0:
        out.push(`- name: ${name}`, `  command: /usr/bin/true {{ r${r}_port }} {{ inventory_hostname }}`, `  register: out${t}`, `  changed_when: out${t}.rc != 0`);
        break;
      case 1:
        out.push(`- name: ${name}`, `  copy:`, `    content: "port={{ r${r}_port }}\\n"`, `    dest: /opt/r${r}/f${t}.conf`, `    mode: "0644"`, `  notify: restart r${r}`);
        break;
      case 2:
        out.push(`- name: ${name}`, `  debug:`, `    msg: "{{upper r${r}_name}} {{ item }}"`, `  loop: [a, b, c]`, `  when: r${r}_enabled and inventory_hostname in groups['all']`);
        break;
      case 3:
        out.push(`- name: ${name}`, `  lineinfile:`, `    path: /opt/r${r}/main.cfg`, `    regexp: '^key${t}='`, `    line: "key${t}={{ r${r}_name }}"`, `  tags: [r${r}, cfg]`);
        break;
      default:
        out.push(`- name: ${name}`, `  block:`, `    - shell: echo {{ r${r}_name }} | wc -c`, `      become: true`, `  rescue:`, `    - fail: msg="step ${t} failed"`, `  when: ansible_distribution is defined`);
    }
  }
  return out.join('\n') + '\n';
}

function generate(dir: string): string {
  const roles: string[] = [];
  for (let r = 0; r < ROLES; r++) {
    const base = join(dir, 'roles', `r${r}`);
    for (const sub of ['tasks', 'defaults', 'vars', 'handlers', 'meta']) mkdirSync(join(base, sub), { recursive: true });
    writeFileSync(join(base, 'tasks', 'main.yml'), roleTasks(r));
    writeFileSync(join(base, 'defaults', 'main.yml'), `r${r}_port: ${5000 + r}\nr${r}_enabled: yes\n`);
    writeFileSync(join(base, 'vars', 'main.yml'), `r${r}_name: role-${r}\n`);
    writeFileSync(join(base, 'handlers', 'main.yml'), `- name: restart r${r}\n  service: name=r${r} state=restarted\n`);
    writeFileSync(join(base, 'meta', 'main.yml'), r > 0 ? `dependencies: []\n` : `---\n`);
    roles.push(`    - role: r${r}`);
  }
  const playbook = join(dir, 'site.yml');
  writeFileSync(playbook, ['- name: Site', '  hosts: all', '  gather_facts: no', '  roles:', ...roles, ''].join('\n'));
  return playbook;
}

function countTasks(items: { kind: string; block?: unknown[]; rescue?: unknown[]; always?: unknown[] }[]): number {
  let n = 0;
  for (const i of items) {
    if (i.kind === 'task') n++;
    else n += countTasks([...(i.block ?? []), ...(i.rescue ?? []), ...(i.always ?? [])] as typeof items);
  }
  return n;
}

const dir = mkdtempSync(join(tmpdir(), 'tsplay-loader-bench-'));
try {
  const playbook = generate(dir);
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const pb = loadPlaybook(playbook);
    runs.push(performance.now() - t0);
    // 2,000 written tasks; each block task holds a shell and a fail task.
    const tasks = countTasks(pb.plays[0]!.tasks as never);
    const expected = ROLES * TASKS_PER_ROLE + ROLES * (TASKS_PER_ROLE / 5);
    if (tasks !== expected || pb.plays[0]!.handlers.length !== ROLES) throw new Error(`unexpected result: ${tasks} tasks (expected ${expected}), ${pb.plays[0]!.handlers.length} handlers`);
  }
  const best = Math.min(...runs);
  console.log(`loader: ${ROLES * TASKS_PER_ROLE} tasks in ${ROLES} roles: loadPlaybook (with validation) first ${runs[0]!.toFixed(0)} ms, best ${best.toFixed(0)} ms (target < 300 ms)`);
  process.exitCode = runs[0]! < 300 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
