import test from 'ava';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repo, runCli, parseRecap, workDir } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';

// The control corpus item on two SSH test hosts: include_vars, group_by and add_host feeding later
// plays, an async job polled and one fired and found again with async_status, custom stats.
const fleet = freshFleet({ size: 2 });

const playbook = join(repo, 'test/corpus/control-tiers-async/playbook.yml');
const play = (extra: string[] = [], env: NodeJS.ProcessEnv = {}) => runCli([playbook, '-i', fleet.inventoryPath, ...extra], { timeoutMs: 240_000, env });
const onHost = (h: string, p: string) => (existsSync(fleet.path(h, p)) ? readFileSync(fleet.path(h, p), 'utf8') : undefined);
const jobs = (h: string) => (existsSync(fleet.path(h, '/root/.ansible_async')) ? readdirSync(fleet.path(h, '/root/.ansible_async')) : []);

test.serial('control-tiers-async: --check changes nothing, a run does it all, a second run rebuilds nothing', async (t) => {
  const check = await play(['--check']);
  t.is(check.code, 0, check.stdout + check.stderr);
  for (const h of ['h1', 'h2']) t.is(onHost(h, '/opt/ctl/rebuild'), undefined);
  t.deepEqual(jobs('h1'), [], 'check mode starts no job');

  const first = await play([], { ANSIBLE_SHOW_CUSTOM_STATS: 'true' });
  t.is(first.code, 0, first.stdout + first.stderr);
  for (const h of ['h1', 'h2']) {
    t.is(onHost(h, '/opt/ctl/rebuild'), 'rebuilt\n', h);
    t.is(onHost(h, '/opt/ctl/scrub'), 'scrubbed\n', `${h}: the background job finished before async_status reported it`);
    // reached again through the alias add_host made, in the group it gave
    t.is(onHost(h, '/opt/maint-alias'), `${h} in maintenance\n`);
    // the polled job cleaned up after itself; the fired one was cleaned by async_status mode=cleanup
    t.deepEqual(jobs(h), []);
  }
  t.is(onHost('h1', '/opt/rtp-ports'), '30000-39999\n', 'group_by put h1 in tier_edge');
  t.is(onHost('h2', '/opt/rtp-ports'), undefined);
  t.regex(first.stdout, /PLAY \[Edge hosts only\][\s\S]*changed: \[h1\]/);
  t.regex(first.stdout, /CUSTOM STATS: \*+\n\n\tRUN: \{ "rebuilt_hosts": 2\}/);
  const recap = parseRecap(first.stdout);
  t.deepEqual(Object.keys(recap).sort(), ['h1', 'h1-maint', 'h2', 'h2-maint']);
  t.is(recap['h1-maint']!.changed, 1);

  const second = await play(['--json'], { ANSIBLE_SHOW_CUSTOM_STATS: 'true' });
  t.is(second.code, 0, second.stderr);
  const doc = JSON.parse(second.stdout) as { plays: { tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[]; global_custom_stats: Record<string, unknown> };
  const task = (name: string) => doc.plays.flatMap((p) => p.tasks).find((x) => x.task.name === name)!;
  t.false(task('Rebuild the routing tables (long, polled)').hosts.h1!.changed, 'creates= holds: nothing to rebuild');
  t.is(task('Rebuild the routing tables (long, polled)').hosts.h1!.finished, 1);
  t.is(task('Check the host answers').hosts.h2!.ping, 'pong');
  t.deepEqual(task('Wait for the CDR scrub').hosts.h1!.finished, 1);
  t.deepEqual(doc.global_custom_stats, { rebuilt_hosts: 0 });
  t.false(task('Mark the host as reached through its alias').hosts['h2-maint']!.changed);
});

test.serial('async on the hosts: a job over its time limit fails the task; poll 0 jobs are found by async_status', async (t) => {
  const dir = join(fleet.dir, 'pb');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'async.yml'),
    `- hosts: h1
  gather_facts: false
  tasks:
    - command: sleep 30
      async: 2
      poll: 1
      register: slow
      ignore_errors: true
    - assert:
        that: [slow is failed]
    - async_status: jid=j000.missing
      register: missing
      ignore_errors: true
    - assert:
        that: [missing is failed, "missing.msg == 'could not find job'"]
    - shell: echo "as $(id -un)"; exit 3
      async: 30
      poll: 2
      register: failing
      ignore_errors: true
    - assert:
        that: [failing is failed, failing.rc == 3, "failing.stdout == 'as root'", failing.finished == 1]
`,
  );
  const r = await runCli([join(dir, 'async.yml'), '-i', fleet.inventoryPath], { timeoutMs: 120_000 });
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /Timeout exceeded|did not complete within the requested time - 2s/);
});

test.serial('add_host runs once per task, for the first host, as Ansible (BYPASS_HOST_LOOP): one host added, not one per host', async (t) => {
  const pb = join(workDir('add-host-once'), 'pb.yml');
  writeFileSync(
    pb,
    `- hosts: h1,h2\n  gather_facts: false\n  tasks:\n    - add_host: name="new-{{ inventory_hostname }}" groups=added\n` +
      `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: msg="{{ groups['added'] | join(',') }}"\n`,
  );
  const r = await runCli([pb, '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /"msg": "new-h1"\n/);
  t.notRegex(r.stdout, /new-h2/);
});

test.serial('meta: refresh_inventory reads the sources again: a host written into the inventory file is in the next play', async (t) => {
  const dir = workDir('refresh-inv');
  const inv = join(dir, 'hosts.ini');
  const full = readFileSync(fleet.inventoryPath, 'utf8');
  // Only h1 (and the connection vars every host shares) at first; the first play writes the whole fleet.
  writeFileSync(inv, full.split('\n').filter((l) => !/^h2\b/.test(l)).join('\n'));
  writeFileSync(join(dir, 'full.ini'), full);
  const pb = join(dir, 'pb.yml');
  const play = (refresh: boolean) =>
    `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - command: cp ${join(dir, 'full.ini')} ${inv}\n` +
    (refresh ? '    - meta: refresh_inventory\n' : '') +
    `- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: msg=here\n`;
  writeFileSync(pb, play(false));
  const without = await runCli([pb, '-i', inv]);
  t.is(without.code, 0, without.stdout + without.stderr);
  t.false('h2' in parseRecap(without.stdout), 'the inventory was read once');
  writeFileSync(inv, full.split('\n').filter((l) => !/^h2\b/.test(l)).join('\n'));
  writeFileSync(pb, play(true));
  const r = await runCli([pb, '-i', inv]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.like(parseRecap(r.stdout), { h1: { ok: 1 }, h2: { ok: 1 } });
});
