import test from 'ava';
import { join } from 'node:path';
import { loadPlaybook } from '../../src/playbook/load.js';
import { runCli } from '../helpers/cli.js';
import { loadError, tasksOf, tree, tripwire } from './helpers.js';

/**
 * Every validation error: one line naming file:line:column and the task, raised by loadPlaybook
 * (which --syntax-check and a real run both call before any host is contacted).
 */
interface Case {
  title: string;
  files: Record<string, string>;
  /** file (relative to the tree) and line:column the message must name */
  at: string;
  /** the task (or play/role) context and the message */
  message: RegExp;
}

const play = (tasks: string) => `- name: P\n  hosts: all\n  gather_facts: no\n  tasks:\n${tasks}`;

const cases: Case[] = [
  {
    title: 'unknown play keyword',
    files: { 'site.yml': '- hosts: all\n  become_mode: yes\n' },
    at: 'site.yml:2:3',
    message: /'become_mode' is not a valid play keyword/,
  },
  {
    title: 'a play without hosts',
    files: { 'site.yml': '- name: nowhere\n  tasks: []\n' },
    at: 'site.yml:1:3',
    message: /the play has no 'hosts'/,
  },
  {
    title: 'unknown module',
    files: { 'site.yml': play('    - name: Frob\n      frobnicate: x=1\n') },
    at: 'site.yml:6:7',
    message: /task 'Frob': 'frobnicate' is not a known module or task keyword/,
  },
  {
    title: 'unknown task keyword next to a module',
    files: { 'site.yml': play('    - name: Typo\n      command: /bin/true\n      registr: out\n') },
    at: 'site.yml:7:7',
    message: /task 'Typo': 'registr' is not a known module or task keyword/,
  },
  {
    title: 'a task without a module',
    files: { 'site.yml': play('    - name: Nothing\n      when: true\n') },
    at: 'site.yml:5:7',
    message: /task 'Nothing': no module or action given/,
  },
  {
    title: 'two modules in one task',
    files: { 'site.yml': play('    - name: Both\n      command: /bin/true\n      shell: /bin/true\n') },
    at: 'site.yml:7:7',
    message: /task 'Both': conflicting action statements: 'command' and 'shell'/,
  },
  {
    title: 'module argument of the wrong type (list for a path)',
    files: { 'site.yml': play('    - name: Bad dest\n      copy:\n        dest: [1, 2]\n        content: x\n') },
    at: 'site.yml:6:7',
    message: /task 'Bad dest': copy: argument 'dest' must be a string/,
  },
  {
    title: 'module argument of the wrong type (word for an int)',
    files: { 'site.yml': play('    - name: Loud\n      debug:\n        msg: hi\n        verbosity: lots\n') },
    at: 'site.yml:6:7',
    message: /task 'Loud': debug: .*verbosity.*int/,
  },
  {
    title: 'unknown module argument',
    files: { 'site.yml': play('    - name: Extra\n      copy:\n        dest: /tmp/x\n        content: x\n        colour: red\n') },
    at: 'site.yml:6:7',
    message: /task 'Extra': copy: .*colour/,
  },
  {
    title: 'an unclosed template in a module argument',
    files: { 'site.yml': play('    - name: Unclosed\n      debug:\n        msg: "{{#if x}}yes"\n') },
    at: 'site.yml:6:7',
    message: /task 'Unclosed': template error/,
  },
  {
    title: 'an unknown Jinja filter',
    files: { 'site.yml': play('    - name: Jinja\n      debug:\n        msg: "{{ port | defualt(5060) }}"\n') },
    at: 'site.yml:6:7',
    message: /task 'Jinja': template error: unknown filter 'defualt'/,
  },
  {
    title: 'a bad template in the task name',
    files: { 'site.yml': play('    - name: "Restart {{ svc"\n      command: /bin/true\n') },
    at: 'site.yml:5:7',
    message: /template error/,
  },
  {
    title: 'a bad template in task vars',
    files: { 'site.yml': play('    - name: Vars\n      command: /bin/true\n      vars:\n        a: "{{ b }"\n') },
    at: 'site.yml:5:7',
    message: /task 'Vars': template error/,
  },
  {
    title: 'a bad template in a keyword (become_user)',
    files: { 'site.yml': play('    - name: Become\n      command: /bin/true\n      become_user: "{{ u"\n') },
    at: 'site.yml:7:7',
    message: /task 'Become': template error/,
  },
  {
    title: 'a `when:` that does not parse',
    files: { 'site.yml': play('    - name: Bad when\n      debug: msg=hi\n      when: x ==\n') },
    at: 'site.yml:7:7',
    message: /task 'Bad when': when: cannot parse expression "x =="/,
  },
  {
    title: 'a `when:` written as a template is refused like Ansible warns',
    files: { 'site.yml': play('    - name: Templated when\n      debug: msg=hi\n      when: "{{ x }} == 1"\n') },
    at: 'site.yml:7:7',
    message: /task 'Templated when': when: do not put \{\{ \}\} inside an expression/,
  },
  {
    title: 'a `when:` that calls a function',
    files: { 'site.yml': play('    - name: Call\n      debug: msg=hi\n      when: x.constructor("return 1")()\n') },
    at: 'site.yml:7:7',
    message: /task 'Call': when: cannot parse .*access to 'constructor' is not allowed/,
  },
  {
    title: 'a bad changed_when in a list',
    files: { 'site.yml': play('    - name: CW\n      command: /bin/true\n      register: r\n      changed_when:\n        - r.rc == 0\n        - r.rc in (\n') },
    at: 'site.yml:8:7',
    message: /task 'CW': changed_when: cannot parse/,
  },
  {
    title: 'a bad failed_when',
    files: { 'site.yml': play('    - name: FW\n      command: /bin/true\n      failed_when: "r.rc >"\n') },
    at: 'site.yml:7:7',
    message: /task 'FW': failed_when: cannot parse/,
  },
  {
    title: 'a bad until',
    files: { 'site.yml': play('    - name: U\n      command: /bin/true\n      register: r\n      until: r is\n') },
    at: 'site.yml:8:7',
    message: /task 'U': until: cannot parse/,
  },
  {
    title: 'a bad when on a block',
    files: { 'site.yml': play('    - name: B\n      block:\n        - debug: msg=hi\n      when: "a and"\n') },
    at: 'site.yml:8:7',
    message: /task 'B': when: cannot parse/,
  },
  {
    title: 'unknown keyword in a block',
    files: { 'site.yml': play('    - name: B\n      block:\n        - debug: msg=hi\n      register: out\n') },
    at: 'site.yml:8:7',
    message: /task 'B': 'register' is not a valid keyword for a block/,
  },
  {
    title: 'rescue outside a block',
    files: { 'site.yml': play('    - name: R\n      command: /bin/true\n      rescue:\n        - debug: msg=x\n') },
    at: 'site.yml:7:7',
    message: /task 'R': 'rescue' is only valid in a block/,
  },
  {
    title: 'register that is not a variable name',
    files: { 'site.yml': play('    - name: Reg\n      command: /bin/true\n      register: my-result\n') },
    at: 'site.yml:7:7',
    message: /task 'Reg': 'register' must be a variable name/,
  },
  {
    title: 'unknown loop_control option',
    files: { 'site.yml': play('    - name: LC\n      debug: msg=hi\n      loop: [1]\n      loop_control:\n        loopvar: x\n') },
    at: 'site.yml:9:9',
    message: /task 'LC': 'loop_control' has no option 'loopvar'/,
  },
  {
    title: 'two loop keywords',
    files: { 'site.yml': play('    - name: Loops\n      debug: msg=hi\n      loop: [1]\n      with_items: [2]\n') },
    at: 'site.yml:5:7',
    message: /task 'Loops': only one loop keyword may be used/,
  },
  {
    title: 'task vars that are not a dictionary',
    files: { 'site.yml': play('    - name: V\n      command: /bin/true\n      vars: [a, b]\n') },
    at: 'site.yml:7:7',
    message: /task 'V': 'vars' must be a dictionary/,
  },
  {
    title: 'a task that is not a dictionary',
    files: { 'site.yml': play('    - just a string\n') },
    // The item's own position, not the list's.
    at: 'site.yml:5:7',
    message: /each task must be a dictionary/,
  },
  {
    title: 'a role that does not exist',
    files: { 'site.yml': '- hosts: all\n  roles:\n    - nosuchrole\n' },
    at: 'site.yml:3:7',
    message: /role 'nosuchrole' not found \(searched .*roles/,
  },
  {
    title: 'include_tasks of a missing file',
    files: { 'site.yml': play('    - name: Inc\n      include_tasks: missing.yml\n') },
    at: 'site.yml:6:7',
    message: /include_tasks: file 'missing.yml' not found/,
  },
  {
    title: 'include_role tasks_from a missing file',
    files: { 'site.yml': play('    - include_role:\n        name: r\n        tasks_from: nope\n'), 'roles/r/tasks/main.yml': '- debug: msg=x\n' },
    at: 'site.yml:5:7',
    message: /role 'r' has no tasks file 'nope'/,
  },
  {
    title: 'an error inside a role names the role file',
    files: { 'site.yml': '- hosts: all\n  roles: [r]\n', 'roles/r/tasks/main.yml': '- name: ok\n  debug: msg=x\n- name: In role\n  debug: msg=x\n  when: "a ==="\n' },
    at: 'roles/r/tasks/main.yml:5:3',
    message: /task 'In role': when: cannot parse/,
  },
  {
    title: 'an error in an imported task file names that file',
    files: { 'site.yml': play('    - import_tasks: more.yml\n'), 'more.yml': '\n- name: Imported\n  pause: {seconds: soon}\n' },
    at: 'more.yml:3:3',
    message: /task 'Imported': pause: .*seconds/,
  },
  {
    title: 'an error in an imported playbook names that playbook',
    files: { 'site.yml': '- import_playbook: other.yml\n', 'other.yml': '- hosts: all\n  tasks:\n    - name: Other\n      shel: ls\n' },
    at: 'other.yml:4:7',
    message: /task 'Other': 'shel' is not a known module/,
  },
  {
    title: 'a YAML syntax error',
    files: { 'site.yml': '- hosts: all\n  tasks:\n    - name: x\n      debug: {msg: "unterminated\n' },
    // Where the parser found the string unclosed: the end of the file.
    at: 'site.yml:5',
    message: /YAML syntax error: unexpected end of the stream within a double quoted scalar/,
  },
  {
    title: 'a playbook that is not a list',
    files: { 'site.yml': 'hosts: all\n' },
    at: 'site.yml:1:1',
    message: /a playbook must be a list of plays/,
  },
  {
    title: 'a bad template in role params',
    files: { 'site.yml': '- hosts: all\n  roles:\n    - role: r\n      port: "{{ p"\n', 'roles/r/tasks/main.yml': '- debug: msg=x\n' },
    at: 'site.yml:3:7',
    message: /role 'r': template error/,
  },
  {
    title: 'an unknown order',
    files: { 'site.yml': '- hosts: all\n  order: random\n' },
    at: 'site.yml:2:3',
    message: /'order' must be inventory, reverse_inventory, sorted, reverse_sorted or shuffle/,
  },
];

for (const c of cases) {
  test(`rejected before anything runs: ${c.title}`, (t) => {
    const dir = tree(c.files);
    const msg = loadError(join(dir, 'site.yml'));
    t.true(msg.startsWith(`${join(dir, c.at)}:`) || msg.startsWith(`${join(dir, c.at)} `), `names ${c.at}: ${msg}`);
    t.regex(msg, c.message);
    t.false(msg.includes('\n'), 'one line');
  });
}

test('every error case above goes through the CLI: exit 4, one ERROR line, no stack, the same location', async (t) => {
  // A handful through the real CLI (each start costs ~0.3 s); the rest share the loader.
  for (const c of cases.filter((_, i) => i % 6 === 0)) {
    const dir = tree(c.files);
    const r = await runCli([join(dir, 'site.yml'), '-i', 'localhost,', '--syntax-check']);
    t.is(r.code, 4, `${c.title}: ${r.stderr}`);
    t.true(r.stderr.startsWith(`ERROR! ${join(dir, c.at)}`), `${c.title}: ${r.stderr}`);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.notRegex(r.stderr, /\n\s+at /);
    t.is(r.stdout, '');
  }
});

test('notify of a handler that does not exist: exit 4 naming the task, checked before the run', async (t) => {
  const dir = tree({ 'site.yml': play('    - name: Change\n      command: /bin/true\n      notify: restart nothing\n') + '  handlers:\n    - name: restart something\n      command: /bin/true\n' });
  const r = await runCli([join(dir, 'site.yml'), '-i', 'localhost,', '--syntax-check']);
  t.is(r.code, 4);
  t.regex(r.stderr, new RegExp(`^ERROR! ${join(dir, 'site.yml')}:5:7: task 'Change': notify: no handler named 'restart nothing'`));
});

test('a real run of an invalid playbook contacts no host: the error comes first, exit 4', async (t) => {
  const wire = await tripwire();
  try {
    // The first task is fine; the bad one comes much later, in a later play.
    const dir = tree({
      'site.yml': '- hosts: all\n  tasks:\n    - command: /bin/true\n- hosts: all\n  gather_facts: no\n  tasks:\n    - debug: msg=ok\n    - name: Late\n      debug: msg=x\n      when: "1 +"\n',
    });
    const r = await runCli([join(dir, 'site.yml'), '-i', wire.inventory]);
    t.is(r.code, 4);
    t.regex(r.stderr, new RegExp(`^ERROR! ${join(dir, 'site.yml')}:10:7: task 'Late': when:`));
    t.notRegex(r.stdout, /PLAY|TASK/);
    t.is(wire.connections(), 0, 'no host contacted');
    // And the tripwire works: a valid playbook does try to reach the host.
    const ok = tree({ 'site.yml': '- hosts: all\n  tasks:\n    - command: /bin/true\n' });
    // Generous: under load the CLI may take long to start; the tripwire closes every connection at once.
    await runCli([join(ok, 'site.yml'), '-i', wire.inventory], { timeoutMs: 180_000 });
    t.true(wire.connections() > 0, 'the valid run connected');
  } finally {
    await wire.close();
  }
});

test('undefined variables are not a load error (vars come later), but bad syntax is', (t) => {
  const dir = tree({ 'site.yml': play('    - name: Later\n      debug:\n        msg: "{{ not_yet_defined }} {{#if (eq a b)}}x{{/if}}"\n      when: also_not_defined is defined\n') });
  const pb = loadPlaybook(join(dir, 'site.yml'));
  t.is(tasksOf(pb.plays[0]!.tasks).length, 1);
});

test('k=v arguments keep a {{ template }} with spaces together, as Ansible does (`debug: msg={{ item }}`)', (t) => {
  // Ansible's split_args keeps "{{ ... }}" whole; tsplay's parseKeyValue (src/playbook/task.ts:243)
  // stops the value at the first space: "cannot read arguments "msg={{ item }}": expected key=value".
  const dir = tree({ 'site.yml': play('    - name: Show\n      debug: msg={{ item }}\n      loop: [a]\n    - name: Copy\n      copy: content={{ body }} dest=/tmp/x mode=0644\n') });
  const tasks = tasksOf(loadPlaybook(join(dir, 'site.yml')).plays[0]!.tasks);
  t.deepEqual(tasks[0]!.args, { msg: '{{ item }}' });
  t.deepEqual(tasks[1]!.args, { content: '{{ body }}', dest: '/tmp/x', mode: '0644' });
});

test('an error about a plain-string list item (a role name, a task) names that item\'s line, not the list\'s', (t) => {
  // With 20 roles listed, the error must say which one is missing (util/yaml.ts sourceOfItem).
  const roles = tree({ 'site.yml': '- hosts: all\n  roles:\n    - common\n    - nosuchrole\n', 'roles/common/tasks/main.yml': '- debug: msg=x\n' });
  t.true(loadError(join(roles, 'site.yml')).startsWith(`${join(roles, 'site.yml')}:4:7:`));
  const tasks = tree({ 'site.yml': play('    - debug: msg=x\n    - just a string\n') });
  t.true(loadError(join(tasks, 'site.yml')).startsWith(`${join(tasks, 'site.yml')}:6:7:`));
});

test('handlers: a block at the top of handlers or of an imported handler file is an implicit block; a block inside it is refused, as Ansible', (t) => {
  const ok = tree({
    'site.yml': '- hosts: all\n  tasks: []\n  handlers:\n    - import_tasks: h.yml\n    - block:\n        - name: b\n          debug: msg=b\n',
    'h.yml': '- block:\n    - name: a\n      debug: msg=a\n',
  });
  t.deepEqual(loadPlaybook(join(ok, 'site.yml')).plays[0]!.handlers.map((h) => h.name), ['a', 'b']);
  const nested = tree({ 'site.yml': '- hosts: all\n  tasks: []\n  handlers:\n    - import_tasks: h.yml\n', 'h.yml': '- block:\n    - block:\n        - debug: msg=a\n' });
  t.regex(loadError(join(nested, 'site.yml')), /h\.yml:2:7: Using a block as a handler is not supported\.$/);
});
