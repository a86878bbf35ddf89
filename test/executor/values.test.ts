import test from 'ava';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectionPool } from '../../src/connection/pool.js';
import { targetFromVars } from '../../src/connection/target.js';
import { parseRecap, repo, runCli, workDir } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';

// Bad values met while running and faults of a write: each one a clear failed result of its task.
const fixture = (name: string) => join(repo, 'test/executor/fixtures/values', name);
const fleet = freshFleet({ size: 1 }, { remove: ['/opt/values-after', '/opt/values-loop'] });

const onHost = (p: string) => (existsSync(fleet.path('h1', p)) ? readFileSync(fleet.path('h1', p), 'utf8') : undefined);

test.serial('a templated keyword that does not parse once rendered is an error naming file:line and the key', async (t) => {
  const r = await runCli([fixture('keyword.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 2, r.stdout + r.stderr);
  t.regex(r.stdout, /fatal: \[h1\]: FAILED! => [^\n]*keyword\.yml:8:7: task 'Bad timeout': 'timeout' must be a number of seconds \(no unit\), got 'abc'/);
  t.is(onHost('/opt/values-after'), undefined);
});

test.serial('a NUL byte in a value is a clear failed result of that task, not UNREACHABLE', async (t) => {
  const r = await runCli([fixture('nul.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /fatal: \[h1\]: FAILED! => [^\n]*a value contains a NUL byte/);
  t.notRegex(r.stdout, /UNREACHABLE/);
  t.is(onHost('/opt/values-after'), 'after\n', 'the host went on');
  t.like(parseRecap(r.stdout).h1, { unreachable: 0, ignored: 1 });
});

test.serial('a loop item that does not render fails the task as in Ansible, naming the item; the items after it do not run', async (t) => {
  const r = await runCli([fixture('loop.yml'), '-i', fleet.inventoryPath]);
  t.is(r.code, 2, r.stdout + r.stderr);
  t.regex(r.stdout, /changed: \[h1\] => \(item=\{'name': 'a'\}\)/, 'the item labelled as Python prints it, as ansible-playbook does');
  t.regex(r.stdout, /FAILED! => \{"changed": false, "msg": "/, "the result as Python's json.dumps writes it, without the failed key");
  t.regex(r.stdout, /undefined variable 'item\.name' — in loop item 2 of 3 \(\{\\"other\\":\\"b\\"\}\); the task failed and the item after it did not run/);
  t.is(onHost('/opt/values-loop'), 'a\n');
});

test.serial('--forks 25 over 25 hosts: no MaxListenersExceededWarning', async (t) => {
  const inv = readFileSync(fleet.inventoryPath, 'utf8');
  const [first, ...rest] = inv.split('\n');
  const addr = /ansible_host=(\S+)/.exec(first!)![1];
  const many = join(fleet.dir, 'inventory-25.ini');
  writeFileSync(many, [...Array.from({ length: 25 }, (_, i) => `a${i + 1} ansible_host=${addr} ansible_port=2222`), ...rest].join('\n'));
  const r = await runCli([fixture('forks.yml'), '-i', many, '--forks', '25']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(Object.keys(parseRecap(r.stdout)).length, 25);
  t.notRegex(r.stderr, /MaxListenersExceededWarning|memory leak/);
});

test.serial('a write that fails on a full disk is failed, keeps the old file, leaves no temp file and reports no backup_file', async (t) => {
  // a 64 KiB tmpfs mounted inside h1's own mount namespace (private propagation: the machine's mounts stay as they are)
  const pool = new ConnectionPool();
  const conn = await pool.get(targetFromVars('h1', fleet.connectionVars('h1')));
  try {
    const mounted = await conn.exec('mkdir -p /opt/full && mount -t tmpfs -o size=64k tsplay-full /opt/full && echo old > /opt/full/app.conf');
    t.is(mounted.rc, 0, mounted.stderr);
    const r = await runCli([fixture('full-disk.yml'), '-i', fleet.inventoryPath, '--json']);
    t.is(r.code, 0, r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout) as { plays: { tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[] };
    const write = doc.plays[0]!.tasks.find((x) => x.task.name === 'Write a config bigger than the disk')!.hosts.h1!;
    t.true(write.failed, JSON.stringify(write));
    t.false(write.changed);
    t.false('backup_file' in write, `no backup was made: ${JSON.stringify(write.backup_file)}`);
    const registered = doc.plays[0]!.tasks.find((x) => x.task.name === 'Show what was registered')!.hosts.h1!.w as Record<string, unknown>;
    t.false('backup_file' in registered);
    const left = await conn.exec('cat /opt/full/app.conf; ls -A /opt/full');
    t.is(left.stdout, 'old\napp.conf\n', 'the old file kept; no temp file, no backup');
  } finally {
    await conn.exec('umount /opt/full');
    await pool.closeAll();
  }
});

test.serial('templated run_once, throttle, any_errors_fatal and gather_facts that do not parse are errors naming file:line and the key, never false', async (t) => {
  const dir = workDir('values-kw');
  const cases: [string, string, RegExp][] = [
    ['run_once', '  tasks:\n    - command: touch /opt/values-after\n      run_once: "{{ v }}"\n', /:5:7: .*'run_once' must be a boolean \(yes\/no, true\/false, on\/off, 1\/0\), got 'maybe'/],
    ['throttle', '  tasks:\n    - command: touch /opt/values-after\n      throttle: "{{ v }}"\n', /:5:7: .*'throttle' must be a whole number ≥ 0, got 'maybe'/],
    ['any_errors_fatal', '  tasks:\n    - command: touch /opt/values-after\n      any_errors_fatal: "{{ v }}"\n', /:5:7: .*'any_errors_fatal' must be a boolean/],
    ['gather_facts', '  tasks:\n    - command: touch /opt/values-after\n', /:1:3: .*'gather_facts' must be a boolean/],
  ];
  for (const [key, tasks, error] of cases) {
    rmSync(fleet.path('h1', '/opt/values-after'), { force: true });
    const pb = join(dir, `${key}.yml`);
    writeFileSync(pb, `- hosts: h1\n  gather_facts: ${key === 'gather_facts' ? '"{{ v }}"' : 'false'}\n  vars: { v: maybe }\n${tasks}`);
    const r = await runCli([pb, '-i', fleet.inventoryPath]);
    t.not(r.code, 0, `${key}: ${r.stdout}${r.stderr}`);
    t.regex(r.stdout + r.stderr, error, key);
    t.notRegex(r.stderr, /unexpected error|\n\s+at /, key);
    if (key !== 'any_errors_fatal') t.is(onHost('/opt/values-after'), undefined, `${key}: the task did not run`);
  }
});
