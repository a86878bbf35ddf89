import test from 'ava';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshFleet } from '../helpers/fleet.js';
import { parseRecap, repo, runCli } from '../helpers/cli.js';

const smoke = join(repo, 'test/cli/fixtures/smoke.yml');
const fleet = freshFleet({ size: 5 });

test.serial('runs command, shell and debug on 5 hosts over one connection each', async (t) => {
  const before = Object.fromEntries(fleet.hosts.map((h) => [h.name, fleet.acceptedConnections(h.name)]));
  const r = await runCli([smoke, '-i', fleet.inventoryPath]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /PLAY \[Smoke test\] \*+/);
  t.regex(r.stdout, /TASK \[Gathering Facts\] \*+/);
  t.regex(r.stdout, /TASK \[Say who we are\] \*+/);
  // banners are 80 columns wide without a terminal, as ansible-playbook's (Display.columns is 79)
  for (const line of r.stdout.split('\n').filter((l) => /^(PLAY|TASK) .* \*+$/.test(l))) t.is(line.length, 80, line);
  for (const h of fleet.hosts) {
    // what happened on the host: each host wrote its own name (its own UTS namespace)
    t.is(readFileSync(fleet.path(h.name, '/opt/smoke/marker'), 'utf8'), `${h.name}\nsmoke ok\n`);
    t.regex(r.stdout, new RegExp(`changed: \\[${h.name}\\]`));
    t.true(r.stdout.includes(`"msg": "${h.name} is ${h.name}"`), `debug line for ${h.name}`);
    // one SSH connection for the whole run (facts + 5 tasks)
    t.is(fleet.acceptedConnections(h.name) - before[h.name]!, 1, `connections to ${h.name}`);
  }
  const recap = parseRecap(r.stdout);
  t.deepEqual(Object.keys(recap).sort(), fleet.hosts.map((h) => h.name).sort());
  for (const h of fleet.hosts) t.like(recap[h.name], { ok: 6, changed: 3, failures: 0, unreachable: 0, skipped: 0 });
});

test.serial('--json parses and its stats equal the recap', async (t) => {
  const human = await runCli([smoke, '-i', fleet.inventoryPath]);
  const r = await runCli([smoke, '-i', fleet.inventoryPath, '--json']);
  t.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  t.is(doc.plays[0].play.name, 'Smoke test');
  t.deepEqual(doc.plays[0].tasks.map((x: { task: { name: string } }) => x.task.name), ['Gathering Facts', 'Say who we are', 'Leave a marker (a shell pipeline)', 'Show it', 'Command stays literal (no shell)', 'Check the literal']);
  t.is(doc.plays[0].tasks[1].hosts.h1.stdout, 'h1');
  t.is(doc.plays[0].tasks[1].hosts.h1.rc, 0);
  const recap = parseRecap(human.stdout);
  for (const [host, s] of Object.entries(doc.stats as Record<string, Record<string, number>>)) t.deepEqual(s, recap[host]);
});

test.serial('a stopped host is unreachable, the others finish, exit code 4', async (t) => {
  await fleet.stopHost('h5');
  try {
    const r = await runCli([smoke, '-i', fleet.inventoryPath]);
    t.is(r.code, 4, r.stdout + r.stderr);
    t.regex(r.stdout, /fatal: \[h5\]: UNREACHABLE!/);
    const recap = parseRecap(r.stdout);
    t.is(recap.h5!.unreachable, 1);
    for (const h of ['h1', 'h2', 'h3', 'h4']) t.like(recap[h], { ok: 6, failures: 0, unreachable: 0 });
  } finally {
    await fleet.startHost('h5');
  }
});

test.serial('host keys: unknown refused unless checking is off; a changed key always refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-kh-'));
  const empty = join(dir, 'empty');
  writeFileSync(empty, '');
  const one = ['-l', 'h1', '-e', `tsplay_known_hosts_file=${empty}`];
  const refused = await runCli([smoke, '-i', fleet.inventoryPath, ...one]);
  t.is(refused.code, 4);
  t.regex(refused.stdout, /UNREACHABLE![^\n]*is not in [^\n]*empty; add it/);
  t.false(refused.stdout.includes('changed: [h1]'));

  const off = await runCli([smoke, '-i', fleet.inventoryPath, ...one], { env: { ANSIBLE_HOST_KEY_CHECKING: 'False' } });
  t.is(off.code, 0, off.stdout);

  // h1's address with h2's key: the key changed → refused even with checking off
  const lines = readFileSync(fleet.knownHostsPath, 'utf8').trim().split('\n');
  const h1 = fleet.host('h1');
  const h2key = lines.find((l) => l.startsWith(`[${fleet.host('h2').address}]`))!.split(' ').slice(1).join(' ');
  const changed = join(dir, 'changed');
  writeFileSync(changed, `[${h1.address}]:${h1.port} ${h2key}\n`);
  const bad = await runCli([smoke, '-i', fleet.inventoryPath, '-l', 'h1', '-e', `tsplay_known_hosts_file=${changed}`], { env: { ANSIBLE_HOST_KEY_CHECKING: 'False' } });
  t.is(bad.code, 4);
  t.regex(bad.stdout, /UNREACHABLE![^\n]*(CHANGED|changed)/);
});

test('bad options and files: one line, the right exit code, never a stack trace', async (t) => {
  const unknown = await runCli([smoke, '--no-such-flag']);
  t.is(unknown.code, 5);
  t.regex(unknown.stderr, /unknown option '--no-such-flag'/);
  t.notRegex(unknown.stderr, /\n\s+at /);

  const missing = await runCli(['does-not-exist.yml', '-i', 'localhost,']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /ERROR! the playbook: does-not-exist.yml could not be found/);

  const forks = await runCli([smoke, '-f', 'zero']);
  t.is(forks.code, 5);
});

test.serial('-vv shows the commands sent, -vvv the connection; no_log hides its commands', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-vv-'));
  const pb = join(dir, 'vv.yml');
  writeFileSync(pb, '- hosts: h1\n  gather_facts: false\n  tasks:\n    - shell: echo visible-marker\n    - shell: echo secret-marker\n      no_log: true\n');
  const vv = await runCli([pb, '-i', fleet.inventoryPath, '-vv']);
  t.is(vv.code, 0, vv.stderr);
  t.regex(vv.stdout, /<h1> EXEC echo visible-marker/);
  t.false(vv.stdout.includes('secret-marker'));
  t.notRegex(vv.stdout, /ESTABLISH/);
  const vvv = await runCli([pb, '-i', fleet.inventoryPath, '-vvv']);
  t.regex(vvv.stdout, new RegExp(`<h1> ESTABLISH SSH root@${fleet.host('h1').address.replace(/\./g, '\\.')}:2222`));
  const plain = await runCli([pb, '-i', fleet.inventoryPath]);
  t.false(plain.stdout.includes('visible-marker'));
});
