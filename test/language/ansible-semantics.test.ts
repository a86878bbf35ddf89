/**
 * Language details that ansible-core 2.14 has and playbooks rely on: set_fact's k=v booleans,
 * delegate_facts, rendered tags in --list-tasks, loop_control.extended_allitems, a failed_when that
 * cannot be evaluated, and `ansible_facts` before any gathering. Hosts are local connections: these
 * are controller-side semantics, observed through the CLI's output and exit code.
 */
import test from 'ava';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { msgs, resultsOf, runJson, tree } from './helpers.js';

const INVENTORY = 'testhost ansible_connection=local\nother ansible_connection=local\n';

test('set_fact k=v: true/false/yes/no become booleans (any case), numbers and other words stay strings, as Ansible converts them', async (t) => {
  const dir = tree({
    inv: INVENTORY,
    'site.yml': `- hosts: testhost
  gather_facts: false
  tasks:
    - set_fact: off_flag=false on_flag=Yes n=5 word=maybe
    - set_fact:
        quoted: "no"
        templated: "{{ 'TRUE' }}"
    - name: runs only if off_flag is a real false
      debug: msg="{{ off_flag }}|{{ on_flag }}|{{ n ~ 1 }}|{{ word }}|{{ quoted }}|{{ templated }}"
      when: not off_flag and on_flag and not quoted and templated
    - name: types
      debug: msg="{{ off_flag is sameas false }} {{ n is string }} {{ quoted is sameas false }}"
`,
  });
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', join(dir, 'inv')]);
  t.is(run.code, 0, run.stderr);
  t.is(msgs(doc, 'runs only if off_flag is a real false').testhost, 'False|True|51|maybe|False|True');
  t.is(msgs(doc, 'types').testhost, 'True True True');
});

test("set_fact's cacheable may be a template (setup_remote_tmp_dir's `{{ x | bool }}`): checked once rendered, when the task runs", async (t) => {
  const dir = tree({
    inv: INVENTORY,
    'site.yml': `- hosts: testhost
  gather_facts: false
  vars:
    cache_it: "no"
  tasks:
    - set_fact:
        kept: 1
        cacheable: "{{ cache_it | bool }}"
    - set_fact:
        other: 2
        cacheable: "{{ 'maybe' }}"
      register: bad
      ignore_errors: true
    - name: after
      debug: msg="{{ kept }}|{{ bad is failed }}|{{ bad.msg }}|{{ other | default('unset') }}"
`,
  });
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', join(dir, 'inv')]);
  t.is(run.code, 0, run.stderr);
  t.regex(String(msgs(doc, 'after').testhost), /^1\|True\|.*'cacheable' must be a boolean.*\|unset$/);
});

test('delegate_facts: set_fact with delegate_to stores the fact on the delegated host only; without it on the current host', async (t) => {
  const dir = tree({
    inv: INVENTORY,
    'site.yml': `- hosts: testhost
  gather_facts: false
  tasks:
    - set_fact: given=to_other
      delegate_to: other
      delegate_facts: true
    - set_fact: kept=here
      delegate_to: other
    - name: facts
      debug: msg="{{ hostvars['other'].given | default('none') }}|{{ given | default('none') }}|{{ kept }}|{{ hostvars['other'].kept | default('none') }}"
- hosts: other
  gather_facts: false
  tasks:
    - name: on other
      debug: msg="{{ given }}"
`,
  });
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', join(dir, 'inv')]);
  t.is(run.code, 0, run.stderr);
  t.is(msgs(doc, 'facts').testhost, 'to_other|none|here|none');
  t.is(msgs(doc, 'on other').other, 'to_other');
});

test('delegate_facts on a block is inherited by its tasks', async (t) => {
  const dir = tree({
    inv: INVENTORY,
    'site.yml': `- hosts: testhost
  gather_facts: false
  tasks:
    - block:
        - set_fact: from_block=1
      delegate_to: other
      delegate_facts: yes
    - name: where
      debug: msg="{{ hostvars['other'].from_block | default('none') }} {{ from_block | default('none') }}"
`,
  });
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', join(dir, 'inv')]);
  t.is(run.code, 0, run.stderr);
  t.is(msgs(doc, 'where').testhost, '1 none');
});

test('--list-tasks: tags rendered with play and extra vars, with the blocks\' and play\'s tags, unique and sorted as ansible-playbook prints them', async (t) => {
  const dir = tree({
    inv: INVENTORY,
    'site.yml': `- name: tagged
  hosts: testhost
  gather_facts: false
  tags: [play_tag]
  vars:
    the_tags: [tag3, alpha]
  tasks:
    - name: Task_with_templated_tags
      debug: msg=x
      tags: "{{ the_tags }}"
    - name: Task_with_csv_tags
      debug: msg=x
      tags: tag2,tag1
    - block:
        - name: Task_in_block
          debug: msg=x
          tags: [zz, "{{ extra_tag }}"]
      tags: blk
`,
  });
  const run = await runCli([join(dir, 'site.yml'), '-i', join(dir, 'inv'), '--list-tasks', '-e', 'extra_tag=from_cli']);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /Task_with_templated_tags\tTAGS: \[alpha, play_tag, tag3\]/);
  t.regex(run.stdout, /Task_with_csv_tags\tTAGS: \[play_tag, tag1, tag2\]/);
  t.regex(run.stdout, /Task_in_block\tTAGS: \[blk, from_cli, play_tag, zz\]/);
  t.false(run.stdout.includes('{{'), run.stdout);
  const only = await runCli([join(dir, 'site.yml'), '-i', join(dir, 'inv'), '--list-tasks', '-e', 'extra_tag=x', '--tags', 'tag3']);
  t.regex(only.stdout, /Task_with_templated_tags/);
  t.notRegex(only.stdout, /Task_with_csv_tags|Task_in_block/);
});

test('loop_control: extended_allitems: false leaves ansible_loop.allitems out; by default it is there', async (t) => {
  const dir = tree({
    inv: INVENTORY,
    'site.yml': `- hosts: testhost
  gather_facts: false
  tasks:
    - name: without allitems
      debug: msg="{{ ansible_loop.allitems is defined }} {{ ansible_loop.index }}/{{ ansible_loop.length }}"
      loop: [a, b]
      loop_control:
        extended: yes
        extended_allitems: no
    - name: with allitems
      debug: msg="{{ ansible_loop.allitems | join(',') }}"
      loop: [a, b]
      loop_control:
        extended: yes
`,
  });
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', join(dir, 'inv')]);
  t.is(run.code, 0, run.stderr);
  const items = (name: string) => ((resultsOf(doc, name).testhost!.results as Record<string, unknown>[]) ?? []).map((r) => r.msg);
  t.deepEqual(items('without allitems'), ['False 1/2', 'False 2/2']);
  t.deepEqual(items('with allitems'), ['a,b', 'a,b']);
});

test('failed_when that cannot be evaluated (a bare undefined name): the command runs, the task fails with failed_when_result naming the condition', async (t) => {
  const dir = tree({
    inv: INVENTORY,
    'site.yml': `- hosts: testhost
  gather_facts: false
  tasks:
    - name: invalid conditional
      command: echo foo
      failed_when: boomboomboom
      register: invalid_conditional
      ignore_errors: true
    - name: check
      assert:
        that:
          - invalid_conditional is failed
          - invalid_conditional.stdout == 'foo'
          - invalid_conditional.failed_when_result is contains('boomboomboom')
    - name: not ignored
      command: echo bar
      changed_when: nothing_here
`,
  });
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', join(dir, 'inv')]);
  t.is(run.code, 2, 'the unignored one fails the run');
  t.like(resultsOf(doc, 'invalid conditional').testhost, { failed: true, stdout: 'foo' });
  t.false(resultsOf(doc, 'check').testhost!.failed as boolean);
  t.like(resultsOf(doc, 'not ignored').testhost, { failed: true, stdout: 'bar' });
  t.regex(String(resultsOf(doc, 'not ignored').testhost!.changed_when_result), /^The conditional check 'nothing_here' failed\. The error was: .*nothing_here/);
});

test("ansible_facts is {} before facts are gathered; the when language has {} literals, | expanduser and .get()", async (t) => {
  const dir = tree({
    inv: INVENTORY,
    'site.yml': `- hosts: testhost
  gather_facts: false
  vars:
    perms: {mode: '0640'}
  tasks:
    - name: empty facts
      debug: msg="{{ ansible_facts }}"
      when: ansible_facts == {} and ('~/x' | expanduser) is not match('~') and perms.get('mode') == '0640' and perms.get('owner', 'root') == 'root'
`,
  });
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', join(dir, 'inv')]);
  t.is(run.code, 0, run.stderr);
  t.deepEqual(resultsOf(doc, 'empty facts').testhost!.msg, {});
});

test('a TASK banner shows the name rendered with the first host\'s variables, or as written when it does not render', async (t) => {
  const dir = tree({
    inv: 'testhost ansible_connection=local site=paris\nother ansible_connection=local site=lyon\n',
    'site.yml': `- hosts: all
  gather_facts: false
  vars:
    who: world
  tasks:
    - name: "hello {{ who }} from {{ site }}"
      debug: msg=x
    - name: "half {{ who }} {{ nowhere }}"
      debug: msg=x
    - name: "item {{ item }}"
      debug: msg=x
      loop: [1]
`,
  });
  const run = await runCli([join(dir, 'site.yml'), '-i', join(dir, 'inv')]);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /^TASK \[hello world from paris\] \*+$/m);
  t.regex(run.stdout, /^TASK \[half \{\{ who \}\} \{\{ nowhere \}\}\] \*+$/m);
  t.regex(run.stdout, /^TASK \[item \{\{ item \}\}\] \*+$/m);
});

test('set_fact k=v with a templated name: split when the playbook loads, name and value rendered when the task runs, then checked', async (t) => {
  const dir = tree({
    inv: INVENTORY,
    'site.yml': `- hosts: testhost
  gather_facts: false
  vars:
    source: {flag: "no", count: 5}
  tasks:
    - set_fact: "{{ item.key }}_v={{ item.value }} fixed_{{ item.key }}=x"
      loop: "{{ source | dict2items }}"
    - name: set
      debug: msg="{{ flag_v is sameas false }}|{{ count_v }}|{{ fixed_flag }}{{ fixed_count }}"
    - set_fact: "{{ bad_name }}=1"
      vars:
        bad_name: "2nd"
      register: bad
      ignore_errors: true
    - name: after
      debug: msg="{{ bad is failed }}|{{ bad.msg }}"
`,
  });
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', join(dir, 'inv')]);
  t.is(run.code, 0, run.stderr);
  t.is(msgs(doc, 'set').testhost, 'True|5|xx');
  t.is(msgs(doc, 'after').testhost, "True|The variable name '2nd' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.");
});

test('set_fact: a literal name that is not a variable name is still rejected when the playbook loads', async (t) => {
  const dir = tree({
    inv: INVENTORY,
    'site.yml': `- hosts: testhost
  gather_facts: false
  tasks:
    - debug: msg=first
    - set_fact:
        2nd: 1
`,
  });
  const run = await runCli([join(dir, 'site.yml'), '-i', join(dir, 'inv')]);
  t.is(run.code, 4);
  t.regex(run.stderr, /site\.yml:5:\d+: .*set_fact: '2nd' is not a valid variable name/);
  t.notRegex(run.stdout, /first/, 'no host contacted');
});

test('a host add_host made is in hostvars for the rest of the same play, as in Ansible', async (t) => {
  const dir = tree({
    inv: INVENTORY,
    'site.yml': `- hosts: testhost
  gather_facts: false
  tasks:
    - debug: msg="{{ hostvars['other'].ansible_connection }}"
    - add_host: name=added1 ansible_connection=local role_label=edge
    - debug: msg="{{ hostvars['added1'].role_label }} {{ hostvars['added1'].inventory_hostname }}"
`,
  });
  const run = await runCli([join(dir, 'site.yml'), '-i', join(dir, 'inv')]);
  t.is(run.code, 0, run.stdout + run.stderr);
  t.regex(run.stdout, /"msg": "edge added1"/);
});

test('--start-at-task: a name as written (brackets and all) or an fnmatch pattern, checked and run by the same rule', async (t) => {
  const dir = tree({
    inv: INVENTORY,
    'site.yml': `- hosts: testhost
  gather_facts: false
  tasks:
    - name: step zero
      debug: msg=zero
    - name: step [one]
      debug: msg=one
    - name: step two
      debug: msg=two
`,
  });
  const ran = async (pattern: string) => {
    const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', join(dir, 'inv'), '--start-at-task', pattern]);
    t.is(run.code, 0, run.stderr);
    return doc.plays.flatMap((p) => p.tasks.map((x) => x.task.name));
  };
  t.deepEqual(await ran('step [one]'), ['step [one]', 'step two'], 'the name as written');
  t.deepEqual(await ran('step t*'), ['step two'], 'a glob');
  t.deepEqual(await ran('step [t]wo'), ['step two'], 'a character class');
  const none = await runCli([join(dir, 'site.yml'), '-i', join(dir, 'inv'), '--start-at-task', 'step [x]*']);
  t.is(none.code, 5, none.stdout + none.stderr);
  t.regex(none.stderr, /--start-at-task: no task named 'step \[x\]\*'/);
});

test('--syntax-check, --list-tasks and --list-hosts name each playbook as it was given, as ansible-playbook does', async (t) => {
  const dir = tree({ inv: INVENTORY, 'site.yml': '- hosts: testhost\n  gather_facts: false\n  tasks:\n    - debug: msg=x\n' });
  const syntax = await runCli(['--syntax-check', 'site.yml', './site.yml', '-i', 'inv'], { cwd: dir });
  t.is(syntax.code, 0, syntax.stderr);
  t.is(syntax.stdout, '\nplaybook: site.yml\n\nplaybook: ./site.yml\n');
  const tasks = await runCli(['--list-tasks', 'site.yml', '-i', 'inv'], { cwd: dir });
  t.regex(tasks.stdout, /^\nplaybook: site\.yml\n/);
  const hosts = await runCli(['--list-hosts', './site.yml', '-i', 'inv'], { cwd: dir });
  t.regex(hosts.stdout, /^\nplaybook: \.\/site\.yml\n/);
});
