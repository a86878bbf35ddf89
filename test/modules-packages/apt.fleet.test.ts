import test from 'ava';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { aptModule } from '../../src/modules/apt.js';
import { packageModule } from '../../src/modules/package-any.js';
import { buildDeb, indexDebRepo } from '../../src/fleet/debs.js';
import { runCli } from '../helpers/cli.js';
import { startPackagesLab, type PackagesLab } from './helper.js';

// h1's package state carries from test to test: they run in order. The repository is a flat one in the
// fleet dir (visible to every host); each host has its own copy of the apt/dpkg state.
let lab: PackagesLab;
let repo: string;
let debs: string;
const controllerStatus = () => execFileSync('dpkg-query', ['-W', '-f=${Package} ${Version}\\n']).toString();
let statusBefore: string;

test.before(async () => {
  statusBefore = controllerStatus();
  lab = await startPackagesLab(2);
  repo = join(lab.fleet.dir, 'aptrepo');
  debs = join(lab.fleet.dir, 'debs');
  await Promise.all([
    buildDeb({ name: 'tsplay-hello', version: '1.0-1' }, repo),
    buildDeb({ name: 'tsplay-lib', version: '1.0-1' }, repo),
    buildDeb({ name: 'tsplay-app', version: '1.0-1', depends: ['tsplay-lib (>= 1.0)'] }, repo),
    buildDeb({ name: 'tsplay-tool', version: '3.1-1' }, debs),
  ]);
  await indexDebRepo(repo);
  for (const h of ['h1', 'h2']) {
    const r = await lab.sh(h, `echo 'deb [trusted=yes] file:${repo} ./' > /etc/apt/sources.list.d/tsplay.list`);
    if (r.rc !== 0) throw new Error(r.stderr);
  }
});
test.after.always(async () => {
  await lab?.stop();
});

const run = (args: Record<string, unknown>, check = false) => lab.run(aptModule, 'h1', args, { check });
const installed = async (pkg: string, host = 'h1') =>
  (await lab.sh(host, `dpkg-query -W -f='\${db:Status-Abbrev}\${Version}' ${pkg} 2>/dev/null`)).stdout.replace(/^ii */, '').trim();

test.serial('update_cache: first run updates (changed), cache_valid_time then keeps it (ok); check mode changes nothing', async (t) => {
  t.like(await run({ update_cache: true }, true), { changed: true, cache_updated: true });
  t.is((await lab.sh('h1', 'ls /var/lib/apt/lists | grep -c Packages')).stdout.trim(), '0', 'check mode fetched nothing');
  const r = await run({ update_cache: true });
  t.like(r, { changed: true, failed: false, cache_updated: true });
  t.true(Number(r.cache_update_time) > 0);
  t.regex((await lab.sh('h1', 'ls /var/lib/apt/lists')).stdout, /aptrepo.*Packages/);
  t.like(await run({ update_cache: true, cache_valid_time: 3600 }), { changed: false, cache_updated: false });
});

test.serial('install a package with its dependency; second run ok; the other host and the controller untouched', async (t) => {
  t.like(await run({ name: 'tsplay-app' }, true), { changed: true });
  t.is(await installed('tsplay-app'), '');
  const r = await run({ name: 'tsplay-app', install_recommends: false });
  t.like(r, { changed: true, failed: false });
  t.is(await installed('tsplay-app'), '1.0-1');
  t.is(await installed('tsplay-lib'), '1.0-1', 'the dependency came along');
  t.is(await lab.read('h1', '/opt/tsplay-app/VERSION'), '1.0-1\n');
  t.is(await installed('tsplay-app', 'h2'), '');
  t.false(existsSync('/opt/tsplay-app'));
  t.is(controllerStatus(), statusBefore, "the controller's dpkg database is untouched");
  t.like(await run({ name: 'tsplay-app' }), { changed: false, failed: false });
});

test.serial('a package no repository has fails with Ansible\'s message', async (t) => {
  const r = await run({ name: 'tsplay-nowhere' });
  t.like(r, { failed: true, changed: false, msg: "No package matching 'tsplay-nowhere' is available" });
});

test.serial('state latest: after a new version lands in the repository, update_cache + latest upgrades once', async (t) => {
  await buildDeb({ name: 'tsplay-app', version: '1.1-1', depends: ['tsplay-lib (>= 1.0)'] }, repo);
  await indexDebRepo(repo);
  t.like(await run({ name: 'tsplay-app', state: 'latest' }), { changed: false }, 'the old cache knows no newer version');
  const r = await run({ name: 'tsplay-app', state: 'latest', update_cache: true });
  t.like(r, { changed: true, failed: false, cache_updated: true });
  t.is(await installed('tsplay-app'), '1.1-1');
  t.like(await run({ name: 'tsplay-app', state: 'latest' }, true), { changed: false });
  t.like(await run({ name: 'tsplay-app', state: 'latest', update_cache: true }), { changed: false, cache_updated: true });
});

test.serial('a pinned version downgrades with allow_downgrade', async (t) => {
  t.like(await run({ name: 'tsplay-app=1.0*', allow_downgrade: true }, true), { changed: true });
  t.is(await installed('tsplay-app'), '1.1-1');
  t.like(await run({ name: 'tsplay-app=1.0*', allow_downgrade: true }), { changed: true, failed: false });
  t.is(await installed('tsplay-app'), '1.0-1');
  t.like(await run({ name: 'tsplay-app=1.0*', allow_downgrade: true }), { changed: false });
});

test.serial('absent then autoremove: the dependency goes in the second step; purge', async (t) => {
  t.like(await run({ name: 'tsplay-app', state: 'absent' }, true), { changed: true });
  t.like(await run({ name: 'tsplay-app', state: 'absent' }), { changed: true, failed: false });
  t.is(await installed('tsplay-app'), '');
  t.is(await installed('tsplay-lib'), '1.0-1');
  t.like(await run({ name: 'tsplay-app', state: 'absent' }), { changed: false });
  const sim = await lab.sh('h1', 'apt-get -s autoremove');
  t.deepEqual(sim.stdout.split('\n').filter((l) => l.startsWith('Remv ')).map((l) => l.split(' ')[1]), ['tsplay-lib'], 'only what the test installed');
  t.like(await run({ autoremove: true }, true), { changed: true });
  t.like(await run({ autoremove: true }), { changed: true, failed: false });
  t.is(await installed('tsplay-lib'), '');
  t.like(await run({ autoremove: true }), { changed: false });
});

test.serial('deb: a local .deb installs once; an older one needs allow_downgrade', async (t) => {
  const deb = join(debs, 'tsplay-tool_3.1-1_all.deb');
  t.like(await run({ deb }, true), { changed: true, after: { 'tsplay-tool': '3.1-1' } });
  t.is(await installed('tsplay-tool'), '');
  t.like(await run({ deb }), { changed: true, failed: false, before: { 'tsplay-tool': null } });
  t.is(await lab.read('h1', '/opt/tsplay-tool/VERSION'), '3.1-1\n');
  t.like(await run({ deb }), { changed: false, failed: false });
  const old = await buildDeb({ name: 'tsplay-tool', version: '2.0-1' }, debs);
  const refused = await run({ deb: old });
  t.true(refused.failed);
  t.regex(String(refused.msg), /allow_downgrade/);
  t.like(await run({ deb: old, allow_downgrade: true }), { changed: true, failed: false });
  t.is(await installed('tsplay-tool'), '2.0-1');
  t.like(await run({ deb: '/srv/none.deb' }), { failed: true, msg: 'Unable to install package: /srv/none.deb does not exist' });
});

test.serial('package chooses apt from the gathered fact or Ansible\'s pkg_mgr rule, and dnf where the inventory says so', async (t) => {
  const r = await lab.run(packageModule, 'h2', { name: 'tsplay-hello', state: 'present' }, { vars: { ansible_pkg_mgr: 'apt' } });
  t.like(r, { changed: false, failed: true }, 'h2 has not read the repository yet');
  t.regex(String(r.msg), /No package matching 'tsplay-hello'/);
  await lab.run(aptModule, 'h2', { update_cache: true });
  t.like(await lab.run(packageModule, 'h2', { name: 'tsplay-hello', state: 'installed' }, { vars: { ansible_pkg_mgr: 'apt' } }), { changed: true, failed: false });
  t.is(await installed('tsplay-hello', 'h2'), '1.0-1');
  t.like(await lab.run(packageModule, 'h2', { name: 'tsplay-hello' }, { vars: { ansible_pkg_mgr: 'apt' } }), { changed: false });
  // With no fact, Ansible's pkg_mgr rule: apt on a Debian host, although the fleet's stand-in dnf and yum are in PATH.
  const auto = await lab.run(packageModule, 'h2', { name: 'tsplay-hello', state: 'present' });
  t.like(auto, { changed: false, failed: false });
  t.false('pm' in auto, 'apt answered, not the yum/dnf module');
  // An inventory's ansible_pkg_mgr names the manager of a host whose family default is not the one in use.
  const rpm = await lab.run(packageModule, 'h2', { name: 'tsplay-hello', state: 'absent' }, { vars: { ansible_pkg_mgr: 'dnf' } });
  t.like(rpm, { changed: false, failed: false, pm: 'dnf' });
});

test.serial('--check: a package an earlier task would install is installed for the later tasks; nothing is installed', async (t) => {
  t.is(await installed('tsplay-app', 'h2'), '');
  const playbook = join(lab.fleet.dir, 'pkg-lookahead.yml');
  await writeFile(
    playbook,
    [
      '- hosts: h2',
      '  gather_facts: false',
      '  tasks:',
      '    - { name: Install, apt: { name: tsplay-app } }',
      '    - { name: Install again, package: { name: tsplay-app, use: apt } }',
      '    - { name: Remove, apt: { name: tsplay-app, state: absent } }',
      '    - { name: Remove again, apt: { name: tsplay-app, state: absent } }',
      '',
    ].join('\n'),
  );
  type Doc = { plays: { tasks: { task: { name: string }; hosts: Record<string, { changed?: boolean; failed?: boolean; msg?: string }> }[] }[] };
  const statuses = (out: string) =>
    (JSON.parse(out) as Doc).plays[0]!.tasks.map((x) => `${x.task.name}: ${x.hosts.h2!.failed ? `failed (${x.hosts.h2!.msg})` : x.hosts.h2!.changed ? 'changed' : 'ok'}`);
  const expected = ['Install: changed', 'Install again: ok', 'Remove: changed', 'Remove again: ok'];
  const check = await runCli([playbook, '-i', lab.fleet.inventoryPath, '--check', '--json']);
  t.is(check.code, 0, check.stdout + check.stderr);
  t.deepEqual(statuses(check.stdout), expected);
  t.is(await installed('tsplay-app', 'h2'), '', 'check mode installed nothing');
  t.is(await installed('tsplay-lib', 'h2'), '');
  const real = await runCli([playbook, '-i', lab.fleet.inventoryPath, '--json']);
  t.is(real.code, 0, real.stdout + real.stderr);
  t.deepEqual(statuses(real.stdout), expected, 'the check run predicted the real one');
});

test.after.always('the controller\'s package database is as it was', (t) => {
  t.is(controllerStatus(), statusBefore);
});
