/**
 * Bad input, as an adversarial user gives it: each case must exit with its code and print exactly one
 * clear line (naming file:line or the option), never a stack trace, and contact no host.
 * The files of each case are written into a fresh directory; `INV` in args is an inventory whose only
 * host is a TCP listener that counts connections.
 */
import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { repo, runCli, workDir } from '../helpers/cli.js';

interface Case {
  name: string;
  /** Files of the case (relative paths). `pb.yml` is the default playbook. */
  files?: Record<string, string>;
  /** Default: ['pb.yml', '-i', 'INV', '--syntax-check']. */
  args?: string[];
  code: number;
  /** What the one error line must say. */
  says: RegExp;
  /** Executable files (inventory scripts). */
  exec?: string[];
  env?: NodeJS.ProcessEnv;
}

/** A play on the listener host with these task lines (already indented as a task's keys). */
const task = (body: string) => `- hosts: all\n  gather_facts: false\n  tasks:\n    - name: t\n${body.replace(/^/gm, '      ')}\n`;
const play = (keys: string) => `- hosts: all\n  gather_facts: false\n${keys.replace(/^/gm, '  ')}\n  tasks:\n    - debug: { msg: hi }\n`;
const at = (line: number, text: string) => new RegExp(`pb\\.yml:${line}:\\d+: .*${text}`);

const cases: Case[] = [
  // ---- task keyword values (the schema) ----
  { name: 'check_mode: ture', files: { 'pb.yml': task('command: touch /tmp/x\ncheck_mode: ture') }, code: 4, says: at(6, "'check_mode' must be a boolean.*'ture'") },
  { name: 'no_log: maybe', files: { 'pb.yml': task('debug: { msg: x }\nno_log: maybe') }, code: 4, says: at(6, "'no_log' must be a boolean") },
  { name: 'become: maybe', files: { 'pb.yml': task('command: id\nbecome: maybe') }, code: 4, says: at(6, "'become' must be a boolean") },
  { name: 'timeout: 2s', files: { 'pb.yml': task('command: sleep 5\ntimeout: 2s') }, code: 4, says: at(6, "'timeout' must be a number of seconds.*'2s'") },
  { name: 'timeout: -5', files: { 'pb.yml': task('command: id\ntimeout: -5') }, code: 4, says: at(6, "'timeout' must be a number of seconds") },
  { name: 'ignore_errors: perhaps', files: { 'pb.yml': task('command: id\nignore_errors: perhaps') }, code: 4, says: at(6, "'ignore_errors' must be a boolean") },
  { name: 'ignore_unreachable: whatever', files: { 'pb.yml': task('command: id\nignore_unreachable: whatever') }, code: 4, says: at(6, "'ignore_unreachable' must be a boolean") },
  { name: 'run_once: sometimes', files: { 'pb.yml': task('command: id\nrun_once: sometimes') }, code: 4, says: at(6, "'run_once' must be a boolean") },
  { name: 'any_errors_fatal: nah', files: { 'pb.yml': task('command: id\nany_errors_fatal: nah') }, code: 4, says: at(6, "'any_errors_fatal' must be a boolean") },
  { name: 'diff: 3', files: { 'pb.yml': task('command: id\ndiff: 3') }, code: 4, says: at(6, "'diff' must be a boolean") },
  { name: 'become: empty string', files: { 'pb.yml': task("command: id\nbecome: ''") }, code: 4, says: at(6, "'become' must be a boolean") },
  { name: 'throttle: many', files: { 'pb.yml': task('command: id\nthrottle: many') }, code: 4, says: at(6, "'throttle' must be a whole number") },
  { name: 'throttle: -1', files: { 'pb.yml': task('command: id\nthrottle: -1') }, code: 4, says: at(6, "'throttle' must be a whole number") },
  { name: 'throttle: 1.5', files: { 'pb.yml': task('command: id\nthrottle: 1.5') }, code: 4, says: at(6, "'throttle' must be a whole number") },
  { name: 'retries: many', files: { 'pb.yml': task('command: id\nregister: r\nuntil: r is success\nretries: many') }, code: 4, says: at(8, "'retries' must be a whole number.*'many'") },
  { name: 'retries: -1', files: { 'pb.yml': task('command: id\nregister: r\nuntil: r is success\nretries: -1') }, code: 4, says: at(8, "'retries' must be a whole number") },
  { name: 'delay: soon', files: { 'pb.yml': task('command: id\nregister: r\nuntil: r is success\ndelay: soon') }, code: 4, says: at(8, "'delay' must be a number of seconds") },
  { name: 'delay: 2s', files: { 'pb.yml': task('command: id\nregister: r\nuntil: r is success\ndelay: 2s') }, code: 4, says: at(8, "'delay' must be a number of seconds") },
  { name: 'tags: a mapping', files: { 'pb.yml': task('command: id\ntags: { a: 1 }') }, code: 4, says: at(6, "'tags' must be a string or a list of strings, got a dictionary") },
  { name: 'tags: a list of mappings', files: { 'pb.yml': task('command: id\ntags: [{ a: 1 }]') }, code: 4, says: at(6, "'tags' must be a string or a list of strings") },
  { name: 'become_method: doas', files: { 'pb.yml': task('command: id\nbecome: true\nbecome_method: doas') }, code: 4, says: at(7, "'become_method' must be one of sudo, su") },
  { name: 'become_method: 5', files: { 'pb.yml': task('command: id\nbecome_method: 5') }, code: 4, says: at(6, "'become_method' must be one of sudo, su") },
  { name: 'connection: telnet', files: { 'pb.yml': task('command: id\nconnection: telnet') }, code: 4, says: at(6, "'connection' must be one of ssh, local") },
  { name: 'port: abc', files: { 'pb.yml': task('command: id\nport: abc') }, code: 4, says: at(6, "'port' must be a port number") },
  { name: 'port: 70000', files: { 'pb.yml': task('command: id\nport: 70000') }, code: 4, says: at(6, "'port' must be a port number") },
  { name: 'port: 0', files: { 'pb.yml': task('command: id\nport: 0') }, code: 4, says: at(6, "'port' must be a port number") },
  { name: 'remote_user: a list', files: { 'pb.yml': task('command: id\nremote_user: [a, b]') }, code: 4, says: at(6, "'remote_user' must be a string") },
  { name: 'become_user: a mapping', files: { 'pb.yml': task('command: id\nbecome_user: { x: 1 }') }, code: 4, says: at(6, "'become_user' must be a string") },
  { name: 'delegate_to: a list', files: { 'pb.yml': task('command: id\ndelegate_to: [a, b]') }, code: 4, says: at(6, "'delegate_to' must be a string") },
  { name: 'environment: 5', files: { 'pb.yml': task('command: id\nenvironment: 5') }, code: 4, says: at(6, "'environment' must be a dictionary") },
  { name: 'module_defaults: a list', files: { 'pb.yml': task('command: id\nmodule_defaults: [1]') }, code: 4, says: at(6, "'module_defaults' must be a dictionary") },
  { name: 'collections: 5', files: { 'pb.yml': task('command: id\ncollections: 5') }, code: 4, says: at(6, "'collections' must be a string or a list of strings") },
  { name: 'debugger: sometimes', files: { 'pb.yml': task('command: id\ndebugger: sometimes') }, code: 4, says: at(6, "'debugger' must be one of always") },
  { name: 'vars: a list', files: { 'pb.yml': task('command: id\nvars: [1, 2]') }, code: 4, says: at(6, "'vars' must be a dictionary") },
  { name: 'args: 5', files: { 'pb.yml': task('command: id\nargs: 5') }, code: 4, says: at(6, "'args' must be a dictionary") },
  { name: 'register: not a name', files: { 'pb.yml': task('command: id\nregister: 1bad') }, code: 4, says: at(6, "'register' must be a variable name") },
  { name: 'notify: a mapping', files: { 'pb.yml': task('command: id\nnotify: { a: 1 }') }, code: 4, says: /pb\.yml:\d+:\d+: .*'notify' must be a string or a list of strings/ },
  { name: 'loop: 5', files: { 'pb.yml': task('debug: { msg: x }\nloop: 5') }, code: 4, says: at(6, "'loop' must be a list.*5") },
  { name: 'loop: a plain string', files: { 'pb.yml': task('debug: { msg: x }\nloop: abc') }, code: 4, says: at(6, "'loop' must be a list") },
  { name: 'loop: a mapping', files: { 'pb.yml': task('debug: { msg: x }\nloop: { a: 1 }') }, code: 4, says: at(6, "'loop' must be a list") },
  { name: 'with_dict: a list', files: { 'pb.yml': task('debug: { msg: x }\nwith_dict: [1, 2]') }, code: 4, says: at(6, "'with_dict' must be a dictionary") },
  { name: 'two loop keywords', files: { 'pb.yml': task('debug: { msg: x }\nloop: [1]\nwith_items: [2]') }, code: 4, says: /pb\.yml:\d+:\d+: .*only one loop keyword/ },
  { name: 'loop_control: a list', files: { 'pb.yml': task('debug: { msg: x }\nloop: [1]\nloop_control: [1]') }, code: 4, says: /pb\.yml:\d+:\d+: .*'loop_control' must be a dictionary/ },
  { name: 'loop_control: unknown option', files: { 'pb.yml': task('debug: { msg: x }\nloop: [1]\nloop_control: { colour: red }') }, code: 4, says: at(7, "'loop_control' has no option 'colour'") },
  { name: 'loop_control: loop_var 5', files: { 'pb.yml': task('debug: { msg: x }\nloop: [1]\nloop_control: { loop_var: 5 }') }, code: 4, says: at(7, "'loop_var' must be a variable name") },
  { name: 'loop_control: pause soon', files: { 'pb.yml': task('debug: { msg: x }\nloop: [1]\nloop_control: { pause: soon }') }, code: 4, says: at(7, "'pause' must be a number of seconds") },
  { name: 'when: bad syntax', files: { 'pb.yml': task('command: id\nwhen: "x =="') }, code: 4, says: at(6, 'when') },
  { name: 'changed_when: bad syntax', files: { 'pb.yml': task('command: id\nchanged_when: "(("') }, code: 4, says: at(6, 'changed_when') },
  { name: 'failed_when: bad syntax', files: { 'pb.yml': task('command: id\nfailed_when: "a b c"') }, code: 4, says: at(6, 'failed_when') },
  { name: 'until: bad syntax', files: { 'pb.yml': task('command: id\nregister: r\nuntil: "r is"') }, code: 4, says: at(7, 'until') },
  { name: 'unknown task keyword', files: { 'pb.yml': task('command: id\ncolour: red') }, code: 4, says: at(6, "'colour' is not a known module or task keyword") },
  { name: 'two modules in a task', files: { 'pb.yml': task('command: id\nshell: id') }, code: 4, says: at(6, 'conflicting action statements') },
  { name: 'a task without a module', files: { 'pb.yml': task('when: true') }, code: 4, says: /pb\.yml:\d+:\d+: .*no module or action given/ },
  { name: 'rescue outside a block', files: { 'pb.yml': task('command: id\nrescue: []') }, code: 4, says: at(6, "'rescue' is only valid in a block") },
  { name: 'a task that is a string', files: { 'pb.yml': '- hosts: all\n  tasks:\n    - just a string\n' }, code: 4, says: /pb\.yml:3:\d+: .*each task must be a dictionary/ },
  { name: 'a null task', files: { 'pb.yml': '- hosts: all\n  tasks:\n    -\n' }, code: 4, says: /pb\.yml:3:\d+: .*each task must be a dictionary/ },
  { name: 'tasks: a mapping', files: { 'pb.yml': '- hosts: all\n  tasks:\n    a: 1\n' }, code: 4, says: /pb\.yml:3:\d+: .*a task list must be a YAML list/ },
  // ---- module arguments ----
  { name: 'copy without dest', files: { 'pb.yml': task('copy: { content: x }') }, code: 4, says: /pb\.yml:5:\d+: .*copy.*dest/ },
  { name: 'debug: unknown argument', files: { 'pb.yml': task('debug: { msg: a, colour: b }') }, code: 4, says: /pb\.yml:5:\d+: .*colour/ },
  { name: 'command: an unbalanced quote', files: { 'pb.yml': task('command: echo "abc') }, code: 4, says: /pb\.yml:5:\d+: .*(quot|unbalanced|closing)/i },
  { name: 'uri: url 5', files: { 'pb.yml': task('uri: { url: 5 }') }, code: 4, says: /pb\.yml:5:\d+: .*url/ },
  { name: 'a template syntax error in args', files: { 'pb.yml': task('debug: { msg: "{{ x " }') }, code: 4, says: /pb\.yml:5:\d+: / },
  { name: 'file: unknown state', files: { 'pb.yml': task('file: { path: /tmp/x, state: gone }') }, code: 4, says: /pb\.yml:5:\d+: .*state/ },
  { name: 'service: state restarted-ish', files: { 'pb.yml': task('service: { name: x, state: rebooted }') }, code: 4, says: /pb\.yml:5:\d+: .*state/ },
  { name: 'wait_for: port abc', files: { 'pb.yml': task('wait_for: { port: abc }') }, code: 4, says: /pb\.yml:5:\d+: .*port/ },
  // ---- blocks ----
  { name: 'block become: maybe', files: { 'pb.yml': task('block:\n  - command: id\nbecome: maybe') }, code: 4, says: at(7, "'become' must be a boolean") },
  { name: 'block: 5', files: { 'pb.yml': task('block: 5') }, code: 4, says: /pb\.yml:\d+:\d+: .*a task list must be a YAML list/ },
  { name: 'block with loop', files: { 'pb.yml': task('block:\n  - command: id\nloop: [1]') }, code: 4, says: at(7, "'loop' is not a valid keyword for a block") },
  { name: 'block rescue: a mapping', files: { 'pb.yml': task('block:\n  - command: id\nrescue: { a: 1 }') }, code: 4, says: /pb\.yml:\d+:\d+: .*a task list must be a YAML list/ },
  { name: 'block throttle: x', files: { 'pb.yml': task('block:\n  - command: id\nthrottle: x') }, code: 4, says: at(7, "'throttle' must be a whole number") },
  // ---- play keyword values ----
  { name: 'gather_facts: sometimes', files: { 'pb.yml': play('gather_facts: sometimes').replace('  gather_facts: false\n', '') }, code: 4, says: at(2, "'gather_facts' must be a boolean") },
  { name: 'serial: abc', files: { 'pb.yml': play('serial: abc') }, code: 4, says: at(3, "'serial' must be a number of hosts") },
  { name: 'serial: []', files: { 'pb.yml': play('serial: []') }, code: 4, says: at(3, "'serial' must be a non-empty list") },
  { name: 'serial: 30 percent', files: { 'pb.yml': play("serial: '30 percent'") }, code: 4, says: at(3, "'serial' must be") },
  { name: 'serial: [1, x]', files: { 'pb.yml': play('serial: [1, x]') }, code: 4, says: at(3, "'serial' must be") },
  { name: 'max_fail_percentage: 150', files: { 'pb.yml': play('max_fail_percentage: 150') }, code: 4, says: at(3, "'max_fail_percentage' must be a percentage") },
  { name: 'max_fail_percentage: lots', files: { 'pb.yml': play('max_fail_percentage: lots') }, code: 4, says: at(3, "'max_fail_percentage' must be a percentage") },
  { name: 'force_handlers: maybe', files: { 'pb.yml': play('force_handlers: maybe') }, code: 4, says: at(3, "'force_handlers' must be a boolean") },
  { name: 'any_errors_fatal (play): 2', files: { 'pb.yml': play('any_errors_fatal: 2') }, code: 4, says: at(3, "'any_errors_fatal' must be a boolean") },
  { name: 'play become: maybe', files: { 'pb.yml': play('become: maybe') }, code: 4, says: at(3, "'become' must be a boolean") },
  { name: 'play port: abc', files: { 'pb.yml': play('port: abc') }, code: 4, says: at(3, "'port' must be a port number") },
  { name: 'play connection: winrm', files: { 'pb.yml': play('connection: winrm') }, code: 4, says: at(3, "'connection' must be one of") },
  { name: 'gather_timeout: 1m', files: { 'pb.yml': play('gather_timeout: 1m') }, code: 4, says: at(3, "'gather_timeout' must be a number of seconds") },
  { name: 'gather_subset: 5', files: { 'pb.yml': play('gather_subset: 5') }, code: 4, says: at(3, "'gather_subset' must be a string or a list") },
  { name: 'order: random', files: { 'pb.yml': play('order: random') }, code: 4, says: at(3, "'order' must be") },
  { name: 'strategy: debug', files: { 'pb.yml': play('strategy: debug') }, code: 4, says: at(3, "'strategy' must be") },
  { name: 'unknown play keyword', files: { 'pb.yml': play('colour: red') }, code: 4, says: at(3, "'colour' is not a valid play keyword") },
  { name: 'play vars: a list', files: { 'pb.yml': play('vars: [1]') }, code: 4, says: at(3, "'vars' must be a dictionary") },
  { name: 'play without hosts', files: { 'pb.yml': '- name: p\n  tasks: []\n' }, code: 4, says: /pb\.yml:1:\d+: .*no 'hosts'/ },
  { name: 'hosts: 5', files: { 'pb.yml': '- hosts: 5\n  tasks: []\n' }, code: 4, says: /pb\.yml:1:\d+: .*'hosts' must be/ },
  { name: 'hosts: a mapping', files: { 'pb.yml': '- hosts: { a: 1 }\n  tasks: []\n' }, code: 4, says: /pb\.yml:1:\d+: .*'hosts' must be/ },
  { name: 'hosts: a bad regex', files: { 'pb.yml': "- hosts: '~web(1'\n  tasks: []\n" }, code: 4, says: /pb\.yml:1:\d+: invalid regular expression in host pattern '~web\(1'/ },
  { name: 'a play that is a string', files: { 'pb.yml': '- hosts: all\n  tasks: []\n- just a string\n' }, code: 4, says: /pb\.yml:3:\d+: .*each play must be a dictionary/ },
  { name: 'a play that is a list', files: { 'pb.yml': '- [1, 2]\n' }, code: 4, says: /pb\.yml:1:\d+: .*each play must be a dictionary/ },
  { name: 'a playbook that is a mapping', files: { 'pb.yml': 'hosts: all\n' }, code: 4, says: /pb\.yml:1:\d+: .*a playbook must be a list of plays/ },
  { name: 'a playbook that is a number', files: { 'pb.yml': '5\n' }, code: 4, says: /pb\.yml(:1:\d+)?: .*a playbook must be a list of plays/ },
  { name: 'roles: 5', files: { 'pb.yml': play('roles: 5') }, code: 4, says: at(3, "'roles' must be a list") },
  { name: 'a role entry without a name', files: { 'pb.yml': play('roles:\n  - { when: true }') }, code: 4, says: /pb\.yml:4:\d+: .*a role entry needs 'role: NAME'/ },
  { name: 'a role that does not exist', files: { 'pb.yml': play('roles: [nowhere]') }, code: 4, says: /pb\.yml:3:\d+: .*nowhere/ },
  { name: 'role dependency cycle', files: { 'pb.yml': play('roles: [ra]'), 'roles/ra/meta/main.yml': 'dependencies: [rb]\n', 'roles/rb/meta/main.yml': 'dependencies: [ra]\n', 'roles/ra/tasks/main.yml': '- debug: { msg: a }\n', 'roles/rb/tasks/main.yml': '- debug: { msg: b }\n' }, code: 4, says: /meta\/main\.yml:1:\d+: .*role dependency cycle: ra -> rb -> ra/ },
  { name: 'role become: maybe', files: { 'pb.yml': play('roles:\n  - { role: ra, become: maybe }'), 'roles/ra/tasks/main.yml': '- debug: { msg: a }\n' }, code: 4, says: /pb\.yml:4:\d+: .*'become' must be a boolean/ },
  { name: 'include_tasks of itself', files: { 'pb.yml': task('include_tasks: loop.yml'), 'loop.yml': '- include_tasks: loop.yml\n' }, code: 4, says: /loop\.yml:1:\d+: .*include cycle: .*loop\.yml -> .*loop\.yml/ },
  { name: 'import_tasks cycle a -> b -> a', files: { 'pb.yml': task('import_tasks: a.yml'), 'a.yml': '- import_tasks: b.yml\n', 'b.yml': '- import_tasks: a.yml\n' }, code: 4, says: /b\.yml:1:\d+: .*include cycle: .*a\.yml -> .*b\.yml -> .*a\.yml/ },
  { name: 'import_tasks of a missing file', files: { 'pb.yml': task('import_tasks: missing.yml') }, code: 4, says: /pb\.yml:5:\d+: .*file 'missing\.yml' not found/ },
  { name: 'include_role without a name', files: { 'pb.yml': task('include_role: { tasks_from: x }') }, code: 4, says: /pb\.yml:5:\d+: .*'name' of the role is required/ },
  { name: 'import_playbook of itself', files: { 'pb.yml': '- import_playbook: pb.yml\n' }, code: 4, says: /pb\.yml(:\d+:\d+)?: .*import_playbook loop/ },
  { name: 'import_playbook: 5', files: { 'pb.yml': '- import_playbook: 5\n' }, code: 4, says: /pb\.yml:1:\d+: .*'import_playbook' must be a file name/ },
  { name: 'import_playbook of a missing file', files: { 'pb.yml': '- import_playbook: gone.yml\n' }, code: 4, says: /gone\.yml: file not found/ },
  { name: 'a handler block with rescue', files: { 'pb.yml': play('handlers:\n  - block: [{ debug: { msg: x } }]\n    rescue: [{ debug: { msg: y } }]') }, code: 4, says: /pb\.yml:4:\d+: .*a handler block cannot have rescue or always/ },
  { name: 'notify of no handler', files: { 'pb.yml': task('command: id\nnotify: nobody') }, code: 4, says: /pb\.yml:\d+:\d+: .*nobody/ },
  { name: 'vars_files: a missing file', files: { 'pb.yml': play('vars_files: [gone.yml]') }, code: 4, says: /gone\.yml: file not found/ },
  { name: 'vars_files: a list document', files: { 'pb.yml': play('vars_files: [v.yml]'), 'v.yml': '- 1\n- 2\n' }, code: 4, says: /v\.yml(:\d+:\d+)?: .*a vars file must be a dictionary/ },
  { name: 'vars_files: a YAML error', files: { 'pb.yml': play('vars_files: [v.yml]'), 'v.yml': 'a: [1\n' }, code: 4, says: /v\.yml:\d+:\d+: YAML syntax error/ },
  { name: 'vars_files: 5', files: { 'pb.yml': play('vars_files: 5') }, code: 4, says: at(3, "'vars_files' must be a list of file names") },
  { name: 'guard: 5', files: { 'pb.yml': play('guard: 5') }, code: 4, says: at(3, "'guard' must be a dictionary") },
  { name: 'guard host_deadline: -1', files: { 'pb.yml': play('guard: { host_deadline: -1 }') }, code: 4, says: at(3, 'host_deadline') },
  { name: 'guard: unknown key', files: { 'pb.yml': play('guard:\n  colour: red') }, code: 4, says: at(4, "'colour' is not a guard keyword") },
  // ---- the playbook file itself ----
  { name: 'a YAML syntax error', files: { 'pb.yml': '- hosts: all\n  tasks:\n  - debug: { msg: x\n' }, code: 4, says: /pb\.yml:\d+:\d+: YAML syntax error/ },
  { name: 'a tab for indentation', files: { 'pb.yml': '- hosts: all\n\ttasks: []\n' }, code: 4, says: /pb\.yml:\d+:\d+: YAML syntax error/ },
  { name: 'a YAML alias bomb', files: { 'pb.yml': `- hosts: all\n  vars:\n    a: &a ["x","x","x","x","x","x","x","x","x","x"]\n${Array.from({ length: 8 }, (_, i) => `    ${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`).join('\n')}\n  tasks: []\n` }, code: 4, says: /pb\.yml(:\d+:\d+)?: .*alias/ },
  { name: 'a playbook that is a directory', files: { 'dir/x': '' }, args: ['dir', '-i', 'INV', '--syntax-check'], code: 1, says: /the playbook: dir is not a regular file \(a directory\)/ },
  { name: 'a playbook that does not exist', args: ['gone.yml', '-i', 'INV'], code: 1, says: /the playbook: gone\.yml could not be found/ },
  // ---- inventories ----
  { name: 'INI: an unterminated section', files: { 'inv.ini': '[web\nh1\n' }, args: ['pb.yml', '-i', 'inv.ini', '--syntax-check'], code: 1, says: /inv\.ini:1: / },
  { name: 'INI: an unknown section type', files: { 'inv.ini': '[web:colour]\nh1\n' }, args: ['pb.yml', '-i', 'inv.ini', '--syntax-check'], code: 1, says: /inv\.ini:1: .*unknown type/ },
  { name: 'INI: ansible_port=abc', files: { 'inv.ini': 'h1 ansible_port=abc\n' }, args: ['pb.yml', '-i', 'inv.ini', '--syntax-check'], code: 1, says: /inv\.ini:1: .*ansible_port.*'abc'/ },
  { name: 'INI: a huge host range', files: { 'inv.ini': 'h[1:99999999]\n' }, args: ['pb.yml', '-i', 'inv.ini', '--syntax-check'], code: 1, says: /inv\.ini:1: .*range/ },
  { name: 'INI: a bad range', files: { 'inv.ini': 'h[5:1]\n' }, args: ['pb.yml', '-i', 'inv.ini', '--syntax-check'], code: 1, says: /inv\.ini:1: .*range/ },
  { name: 'INI: vars without a value', files: { 'inv.ini': '[all:vars]\njust_a_word\n' }, args: ['pb.yml', '-i', 'inv.ini', '--syntax-check'], code: 1, says: /inv\.ini:2: .*key=value/ },
  { name: 'INI: children of an undefined group', files: { 'inv.ini': '[a:children]\nnope\n' }, args: ['pb.yml', '-i', 'inv.ini', '--syntax-check'], code: 1, says: /inv\.ini:\d+: .*undefined group: nope/ },
  { name: 'YAML inventory: a list', files: { 'inv.yml': '- h1\n' }, args: ['pb.yml', '-i', 'inv.yml', '--syntax-check'], code: 1, says: /inv\.yml(:\d+(:\d+)?)?: / },
  { name: 'YAML inventory: a syntax error', files: { 'inv.yml': 'all:\n  hosts: [\n' }, args: ['pb.yml', '-i', 'inv.yml', '--syntax-check'], code: 1, says: /inv\.yml:\d+:\d+: YAML syntax error/ },
  { name: 'YAML inventory: ansible_port abc', files: { 'inv.yml': 'all:\n  hosts:\n    h1:\n      ansible_port: abc\n' }, args: ['pb.yml', '-i', 'inv.yml', '--syntax-check'], code: 1, says: /inv\.yml:\d+(:\d+)?: .*ansible_port.*'abc'/ },
  { name: 'inventory script that fails', files: { 'inv.sh': '#!/bin/sh\necho oops >&2\nexit 3\n' }, exec: ['inv.sh'], args: ['pb.yml', '-i', 'inv.sh', '--syntax-check'], code: 1, says: /inv\.sh: .*(exit|status) .*3/ },
  { name: 'inventory script printing no JSON', files: { 'inv.sh': '#!/bin/sh\necho hello\n' }, exec: ['inv.sh'], args: ['pb.yml', '-i', 'inv.sh', '--syntax-check'], code: 1, says: /inv\.sh: .*JSON/ },
  { name: 'inventory script that never exits', files: { 'inv.sh': '#!/bin/sh\nexec sleep 600\n' }, exec: ['inv.sh'], args: ['pb.yml', '-i', 'inv.sh', '--syntax-check'], env: { TSPLAY_INVENTORY_TIMEOUT: '1' }, code: 1, says: /inv\.sh: .*did not finish within 1 s/ },
  { name: 'group_vars: a YAML error', files: { 'inv/hosts': 'h1\n', 'inv/group_vars/all.yml': 'a: [1\n' }, args: ['pb.yml', '-i', 'inv', '--syntax-check'], code: 1, says: /all\.yml:\d+:\d+: YAML syntax error/ },
  { name: 'host_vars: a list', files: { 'inv/hosts': 'h1\n', 'inv/host_vars/h1.yml': '- 1\n' }, args: ['pb.yml', '-i', 'inv', '--syntax-check'], code: 1, says: /h1\.yml(:\d+:\d+)?: .*(dictionary|mapping)/ },
  { name: 'a playbook given as a FIFO', files: {}, args: ['fifo.yml', '-i', 'INV', '--syntax-check'], code: 1, says: /the playbook: fifo\.yml is not a regular file \(a FIFO\)/ },
  // ---- options ----
  { name: '--forks 0', args: ['pb.yml', '-i', 'INV', '--forks', '0'], code: 5, says: /--forks must be a positive integer, got '0'/ },
  { name: '--forks abc', args: ['pb.yml', '-i', 'INV', '--forks', 'abc'], code: 5, says: /--forks must be a positive integer/ },
  { name: 'an unknown option', args: ['pb.yml', '-i', 'INV', '--frobnicate'], code: 5, says: /unknown option '--frobnicate'/ },
  { name: 'ANSIBLE_ERROR_ON_MISSING_HANDLER=maybe', files: { 'pb.yml': play('') }, args: ['pb.yml', '-i', 'INV'], env: { ANSIBLE_ERROR_ON_MISSING_HANDLER: 'maybe' }, code: 5, says: /ANSIBLE_ERROR_ON_MISSING_HANDLER: 'maybe' is not a boolean/ },
  { name: 'a notify naming no handler', files: { 'pb.yml': task('command: id\nnotify: restart nothing') }, code: 4, says: at(4, "notify: no handler named 'restart nothing'") },
  { name: 'no playbook', args: ['-i', 'INV'], code: 5, says: /no playbook given/ },
  { name: '-e @ a missing file', args: ['pb.yml', '-i', 'INV', '-e', '@gone.yml'], code: 1, says: /gone\.yml/ },
  { name: '-e bad JSON', args: ['pb.yml', '-i', 'INV', '-e', '{"a": '], code: 4, says: /--extra-vars:\d+:\d+: YAML syntax error/ },
  { name: '-e @ a list file', files: { 'ev.yml': '- 1\n' }, args: ['pb.yml', '-i', 'INV', '-e', '@ev.yml'], code: 5, says: /ev\.yml: extra vars must be a dictionary/ },
  { name: '-e @ a YAML error', files: { 'ev.yml': 'a: [1\n' }, args: ['pb.yml', '-i', 'INV', '-e', '@ev.yml'], code: 4, says: /ev\.yml:\d+:\d+: YAML syntax error/ },
  { name: '--start-at-task that matches nothing', args: ['pb.yml', '-i', 'INV', '--start-at-task', 'Nope'], code: 5, says: /--start-at-task: no task named 'Nope'/ },
  { name: '--limit a bad regex', args: ['pb.yml', '-i', 'INV', '-l', '~web(1'], code: 5, says: /--limit: invalid regular expression in host pattern/ },
  { name: '--limit @ a missing file', args: ['pb.yml', '-i', 'INV', '-l', '@gone.txt'], code: 5, says: /--limit.*gone\.txt/ },
  { name: '--resume an unknown run', args: ['pb.yml', '-i', 'INV', '--resume', 'nope', '--journal-dir', 'runs'], code: 1, says: /no run 'nope' in .*runs/ },
  { name: '--journal-dir that is a file', files: { 'afile': 'x' }, args: ['pb.yml', '-i', 'INV', '--journal-dir', 'afile'], code: 5, says: /--journal-dir.*afile/ },
  { name: '--journal-dir that cannot be written', args: ['pb.yml', '-i', 'INV', '--journal-dir', '/sys/tsplay-runs'], code: 1, says: /cannot write the run journal in \/sys\/tsplay-runs\/\S+ \(\w+\); choose a writable place/ },
  { name: '--events into a missing directory', args: ['pb.yml', '-i', 'INV', '--events', 'no/such/dir/ev.jsonl'], code: 5, says: /--events.*no\/such\/dir/ },
  { name: '--log-file into a missing directory', args: ['pb.yml', '-i', 'INV', '--log-file', 'no/such/dir/log'], code: 5, says: /--log-file.*no\/such\/dir/ },
  { name: 'runs show of an unknown run', args: ['runs', 'show', 'nope', '--journal-dir', 'runs'], code: 1, says: /nope/ },
  { name: 'runs prune without a rule', args: ['runs', 'prune', '--journal-dir', 'runs'], code: 5, says: /--keep.*--older-than/ },
  { name: 'runs prune --older-than 3x', args: ['runs', 'prune', '--older-than', '3x', '--journal-dir', 'runs'], code: 5, says: /--older-than/ },
  // ---- jobs files (tsplay schedule --check) ----
  { name: 'jobs: a bad cron', files: { 'jobs.yml': 'jobs:\n  - name: a\n    playbook: pb.yml\n    inventory: inv.ini\n    cron: "61 * * * *"\n', 'inv.ini': 'h1\n' }, args: ['schedule', 'jobs.yml', '--check'], code: 4, says: /jobs\.yml:\d+:\d+: .*cron/ },
  { name: 'jobs: an unknown key', files: { 'jobs.yml': 'jobs:\n  - name: a\n    playbook: pb.yml\n    inventory: inv.ini\n    every: 1h\n    colour: red\n', 'inv.ini': 'h1\n' }, args: ['schedule', 'jobs.yml', '--check'], code: 4, says: /jobs\.yml:\d+:\d+: .*colour/ },
  { name: 'jobs: a missing playbook', files: { 'jobs.yml': 'jobs:\n  - name: a\n    playbook: gone.yml\n    inventory: inv.ini\n    every: 1h\n', 'inv.ini': 'h1\n' }, args: ['schedule', 'jobs.yml', '--check'], code: 4, says: /jobs\.yml:\d+:\d+: .*gone\.yml/ },
  { name: 'jobs: every 5x', files: { 'jobs.yml': 'jobs:\n  - name: a\n    playbook: pb.yml\n    inventory: inv.ini\n    every: 5x\n', 'inv.ini': 'h1\n' }, args: ['schedule', 'jobs.yml', '--check'], code: 4, says: /jobs\.yml:\d+:\d+: .*5x/ },
  { name: 'jobs: a bad time zone', files: { 'jobs.yml': 'jobs:\n  - name: a\n    playbook: pb.yml\n    inventory: inv.ini\n    cron: "0 * * * *"\n    timezone: Mars/Olympus\n', 'inv.ini': 'h1\n' }, args: ['schedule', 'jobs.yml', '--check'], code: 4, says: /jobs\.yml:\d+:\d+: .*Mars\/Olympus/ },
  { name: 'jobs: a bad job name', files: { 'jobs.yml': 'jobs:\n  - name: "a b"\n    playbook: pb.yml\n    inventory: inv.ini\n    every: 1h\n', 'inv.ini': 'h1\n' }, args: ['schedule', 'jobs.yml', '--check'], code: 4, says: /jobs\.yml:\d+:\d+: .*name/ },
  { name: 'jobs: not a mapping', files: { 'jobs.yml': '- a\n' }, args: ['schedule', 'jobs.yml', '--check'], code: 4, says: /jobs\.yml(:\d+:\d+)?: / },
  { name: 'jobs: a playbook with a bad keyword', files: { 'jobs.yml': 'jobs:\n  - name: a\n    playbook: bad.yml\n    inventory: inv.ini\n    every: 1h\n', 'inv.ini': 'h1\n', 'bad.yml': task('command: id\nbecome: maybe') }, args: ['schedule', 'jobs.yml', '--check'], code: 4, says: /bad\.yml:6:\d+: .*'become' must be a boolean/ },
];

let server: Server;
let contacts = 0;
const results = new Map<string, { code: number; stdout: string; stderr: string }>();

/** Write every case's files, then run all cases through the CLI's main() in one child process. */
test.before(async () => {
  server = createServer((s) => {
    contacts++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const root = workDir('bad-');
  const inventory = join(root, 'listener.ini');
  writeFileSync(inventory, `target ansible_host=127.0.0.1 ansible_port=${port} ansible_user=root\n`);
  const runs = cases.map((c, i) => {
    const dir = join(root, `case${i}`);
    mkdirSync(dir);
    const files = { 'pb.yml': task('debug: { msg: hi }'), ...c.files };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    for (const e of c.exec ?? []) chmodSync(join(dir, e), 0o755);
    if (c.name.includes('FIFO')) execFileSync('mkfifo', [join(dir, 'fifo.yml')]);
    return { cwd: dir, args: (c.args ?? ['pb.yml', '-i', 'INV', '--syntax-check']).map((a) => (a === 'INV' ? inventory : a)), env: c.env };
  });
  writeFileSync(join(root, 'cases.json'), JSON.stringify(runs));
  const out = join(root, 'results.json');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, 'test/cli/bad-inputs-runner.mjs'), join(root, 'cases.json'), out, join(repo, 'dist/src/cli/main.js')], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NO_COLOR: '1', CI: '1' } });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  const list = JSON.parse(readFileSync(out, 'utf8')) as { code: number; stdout: string; stderr: string }[];
  cases.forEach((c, i) => results.set(c.name, list[i]!));
});
test.after.always(() => server?.close());

test('the table has at least 100 bad inputs', (t) => {
  t.true(cases.length >= 100, `${cases.length} cases`);
  t.is(new Set(cases.map((c) => c.name)).size, cases.length, 'case names are unique');
});

for (const c of cases) {
  test(`bad input: ${c.name}`, (t) => {
    const r = results.get(c.name)!;
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('[WARNING]'));
    t.is(r.code, c.code, `exit code; stderr: ${r.stderr} stdout: ${r.stdout.slice(0, 500)}`);
    t.is(lines.length, 1, `exactly one line: ${r.stderr}`);
    t.regex(lines[0] ?? '', /^ERROR! /);
    t.regex(lines[0] ?? '', c.says);
    t.notRegex(r.stderr + r.stdout, /\n\s+at .*\(|unexpected error|TypeError|RangeError|THROWN/, 'no stack trace');
  });
}

test('no case contacted a host', (t) => {
  t.is(results.size, cases.length);
  t.is(contacts, 0);
});

test('the same through the real binary, for one case of each kind: exit code and one line', async (t) => {
  const dir = workDir('bad-bin-');
  writeFileSync(join(dir, 'pb.yml'), task('command: id\ncheck_mode: ture'));
  const r = await runCli(['pb.yml', '-i', 'localhost,'], { cwd: dir });
  t.is(r.code, 4);
  t.regex(r.stderr.trim(), /^ERROR! .*pb\.yml:6:\d+: .*'check_mode' must be a boolean[^\n]*$/);
  const o = await runCli(['pb.yml', '-i', 'localhost,', '--forks', 'x'], { cwd: dir });
  t.is(o.code, 5);
  t.regex(o.stderr.trim(), /^ERROR! --forks must be a positive integer[^\n]*$/);
});
