import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptRepositoryModule } from '../../src/modules/apt-repository.js';
import { deb822RepositoryModule } from '../../src/modules/deb822-repository.js';
import { aptKeyModule } from '../../src/modules/apt-key.js';
import { debconfModule } from '../../src/modules/debconf.js';
import { yumRepositoryModule } from '../../src/modules/yum-repository.js';
import { rpmKeyModule } from '../../src/modules/rpm-key.js';
import { aptModule } from '../../src/modules/apt.js';
import { buildDeb, indexDebRepo } from '../../src/fleet/debs.js';
import { startPackagesLab, type PackagesLab } from './helper.js';

// Repository and key modules on hosts with a private apt state, /etc/yum.repos.d and rpm database.
let lab: PackagesLab;
let repo: string;
let keyFile: string;
let fpr: string;

test.before(async () => {
  lab = await startPackagesLab(2);
  repo = join(lab.fleet.dir, 'aptrepo');
  await buildDeb({ name: 'tsplay-hello', version: '1.0-1' }, repo);
  await indexDebRepo(repo);
  // A real OpenPGP key, made for this run in a throw-away keyring.
  const home = mkdtempSync(join(tmpdir(), 'tsplay-gpg-'));
  try {
    const gpg = (...a: string[]) => execFileSync('gpg', ['--homedir', home, '--batch', ...a], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    gpg('--passphrase', '', '--quick-gen-key', 'tsplay test key <test@example.invalid>', 'rsa2048', 'sign', 'never');
    keyFile = join(lab.fleet.dir, 'test-key.asc');
    writeFileSync(keyFile, gpg('--armor', '--export'));
    fpr = /^fpr:+([0-9A-F]{40}):/m.exec(gpg('--with-colons', '--list-keys'))![1]!;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
test.after.always(async () => {
  await lab?.stop();
});

const line = () => `deb [trusted=yes] file:${repo} ./`;

test.serial('apt_repository adds the line in its own file and updates the cache; then apt installs from it', async (t) => {
  // Ansible's name: the first word after the type and options ("file:/…"), letters and digits joined by '_'.
  const file = `/etc/apt/sources.list.d/file${repo.replace(/[^a-zA-Z0-9]+/g, '_')}.list`;
  t.like(await lab.run(aptRepositoryModule, 'h1', { repo: line() }, { check: true }), { changed: true, sources_added: [line()] });
  t.is((await lab.sh('h1', `test -e ${file}`)).rc, 1);
  t.like(await lab.run(aptRepositoryModule, 'h1', { repo: line() }), { changed: true, failed: false });
  t.is((await lab.sh('h1', `cat ${file}`)).stdout, `${line()}\n`);
  t.regex((await lab.sh('h1', 'ls /var/lib/apt/lists')).stdout, /Packages/, 'update_cache (default yes) ran apt-get update');
  t.like(await lab.run(aptRepositoryModule, 'h1', { repo: `deb   [trusted=yes]  file:${repo}   ./` }), { changed: false }, 'spacing does not matter');
  t.like(await lab.run(aptModule, 'h1', { name: 'tsplay-hello' }), { changed: true, failed: false });
  t.like(await lab.run(aptRepositoryModule, 'h1', { repo: line(), state: 'absent', update_cache: false }), { changed: true, sources_removed: [line()] });
  t.is((await lab.sh('h1', `test -e ${file}`)).rc, 1, 'the emptied file is removed');
  t.like(await lab.run(aptRepositoryModule, 'h1', { repo: line(), state: 'absent' }), { changed: false });
});

test.serial('deb822_repository writes a .sources file apt reads; absent removes it', async (t) => {
  const args = { name: 'Tsplay Local', types: 'deb', uris: `file:${repo}`, suites: './', trusted: true };
  t.like(await lab.run(deb822RepositoryModule, 'h2', args, { check: true }), { changed: true, dest: '/etc/apt/sources.list.d/tsplay-local.sources' });
  t.is(await lab.read('h2', '/etc/apt/sources.list.d/tsplay-local.sources').catch(() => ''), '');
  const r = await lab.run(deb822RepositoryModule, 'h2', args);
  t.like(r, { changed: true, failed: false });
  t.is((await lab.sh('h2', 'cat /etc/apt/sources.list.d/tsplay-local.sources')).stdout, `X-Repolib-Name: Tsplay Local\nSuites: ./\nTrusted: yes\nTypes: deb\nURIs: file:${repo}\n`);
  t.is((await lab.sh('h2', 'stat -c %a /etc/apt/sources.list.d/tsplay-local.sources')).stdout.trim(), '644');
  t.like(await lab.run(deb822RepositoryModule, 'h2', args), { changed: false });
  t.like(await lab.run(aptModule, 'h2', { name: 'tsplay-hello', update_cache: true }), { changed: true, failed: false }, 'apt reads the deb822 source');
  t.like(await lab.run(deb822RepositoryModule, 'h2', { name: 'Tsplay Local', state: 'absent' }), { changed: true });
  t.like(await lab.run(deb822RepositoryModule, 'h2', { name: 'Tsplay Local', state: 'absent' }), { changed: false });
});

test.serial('apt_key imports a key file into a keyring once, by its fingerprint; absent deletes it', async (t) => {
  const keyring = '/etc/apt/trusted.gpg.d/tsplay-test.gpg';
  t.like(await lab.run(aptKeyModule, 'h1', { file: keyFile, keyring }, { check: true }), { changed: true });
  // by id under --check: changed without fetching the key, as Ansible's apt_key (the url does not resolve)
  t.like(await lab.run(aptKeyModule, 'h1', { id: fpr.slice(-16), url: 'http://nowhere.invalid/key.asc', keyring }, { check: true }), { changed: true, failed: false });
  t.like(await lab.run(aptKeyModule, 'h1', { id: fpr.slice(-16), url: 'http://nowhere.invalid/key.asc', keyring }), { failed: true });
  t.is((await lab.sh('h1', `test -e ${keyring}`)).rc, 1);
  t.like(await lab.run(aptKeyModule, 'h1', { file: keyFile, keyring }), { changed: true, failed: false });
  t.regex((await lab.sh('h1', `gpg --no-default-keyring --keyring ${keyring} --with-colons --list-keys`)).stdout, new RegExp(fpr));
  t.like(await lab.run(aptKeyModule, 'h1', { file: keyFile, keyring }), { changed: false });
  t.like(await lab.run(aptKeyModule, 'h1', { id: fpr.slice(-16), file: keyFile, keyring }), { changed: false });
  t.like(await lab.run(aptKeyModule, 'h1', { id: fpr.slice(-8), keyring, state: 'absent' }), { changed: true, failed: false });
  t.like(await lab.run(aptKeyModule, 'h1', { id: fpr.slice(-8), keyring, state: 'absent' }), { changed: false });
});

test.serial('debconf sets a selection once (value through stdin), booleans compare case-insensitively', async (t) => {
  const q = { name: 'tsplay-hello', question: 'tsplay-hello/enable', vtype: 'boolean', value: 'True' };
  t.like(await lab.run(debconfModule, 'h1', q, { check: true }), { changed: true });
  t.like(await lab.run(debconfModule, 'h1', q), { changed: true, failed: false });
  t.like(await lab.run(debconfModule, 'h1', q), { changed: false, current: { 'tsplay-hello/enable': 'true' } });
  const s = { name: 'tsplay-hello', question: 'tsplay-hello/mode', vtype: 'string', value: "it's $(ok)" };
  t.like(await lab.run(debconfModule, 'h1', s), { changed: true });
  t.like(await lab.run(debconfModule, 'h1', s), { changed: false, current: { 'tsplay-hello/mode': "it's $(ok)" } });
  t.is((await lab.sh('h2', 'debconf-show tsplay-hello')).stdout, '', 'the other host has its own debconf database');
});

test.serial('yum_repository writes the section Ansible writes; a second run is ok; absent removes the file', async (t) => {
  const args = { name: 'tsplay', description: 'tsplay test repo', baseurl: ['file:///srv/repo'], gpgcheck: false, enabled: true };
  t.like(await lab.run(yumRepositoryModule, 'h1', args, { check: true }), { changed: true });
  t.like(await lab.run(yumRepositoryModule, 'h1', args), { changed: true, failed: false, repo: 'tsplay' });
  t.is(await lab.read('h1', '/etc/yum.repos.d/tsplay.repo'), '[tsplay]\nbaseurl = file:///srv/repo\nenabled = 1\ngpgcheck = 0\nname = tsplay test repo\n\n');
  t.like(await lab.run(yumRepositoryModule, 'h1', args), { changed: false });
  t.like(await lab.run(yumRepositoryModule, 'h1', { ...args, gpgcheck: true }), { changed: true });
  t.like(await lab.run(yumRepositoryModule, 'h1', { name: 'tsplay', state: 'absent' }), { changed: true });
  t.is((await lab.sh('h1', 'test -e /etc/yum.repos.d/tsplay.repo')).rc, 1);
  t.like(await lab.run(yumRepositoryModule, 'h1', { name: 'tsplay', state: 'absent' }), { changed: false });
});

test.serial('rpm_key imports into the host\'s rpm database once; absent by id erases it', async (t) => {
  const name = `gpg-pubkey-${fpr.slice(-8).toLowerCase()}`;
  t.like(await lab.run(rpmKeyModule, 'h1', { key: keyFile }, { check: true }), { changed: true });
  t.is((await lab.sh('h1', `rpm -q ${name}`)).rc, 1);
  t.like(await lab.run(rpmKeyModule, 'h1', { key: keyFile, fingerprint: fpr }), { changed: true, failed: false });
  t.is((await lab.sh('h1', `rpm -q ${name}`)).rc, 0);
  t.is((await lab.sh('h2', `rpm -q ${name}`)).rc, 1, 'the other host is untouched');
  t.like(await lab.run(rpmKeyModule, 'h1', { key: keyFile }), { changed: false });
  const wrong = await lab.run(rpmKeyModule, 'h1', { key: keyFile, fingerprint: '0'.repeat(40) });
  t.like(wrong, { failed: true });
  t.like(await lab.run(rpmKeyModule, 'h1', { key: `0x${fpr.slice(-8)}`, state: 'absent' }), { changed: true, failed: false });
  t.is((await lab.sh('h1', `rpm -q ${name}`)).rc, 1);
  t.like(await lab.run(rpmKeyModule, 'h1', { key: keyFile, state: 'absent' }), { changed: false });
});
