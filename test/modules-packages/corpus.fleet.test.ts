/**
 * The runnable corpus items of the package and code modules (test/corpus/pkg-*), run by the CLI on a test
 * host as a user would: the first run changes the host, the second reports changed=0, --check changes
 * nothing. (pkg-pip-venv is run by code.fleet.test.ts's pip test in module form: a virtualenv takes minutes
 * here; pkg-apt-legacy-sources needs the network: both are syntax-checked only.)
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { repo as repoRoot, runCli } from '../helpers/cli.js';
import { buildDeb, indexDebRepo } from '../../src/fleet/debs.js';
import { buildSreRpms } from '../../src/fleet/rpms.js';
import { startPackagesLab, type PackagesLab } from './helper.js';

let lab: PackagesLab;
const corpus = (item: string) => join(repoRoot, 'test/corpus', item, 'playbook.yml');
const recap = (out: string) => /h1\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=0/.exec(out);

async function play(item: string, extra: string[] = [], check = false) {
  const r = await runCli([corpus(item), '-i', lab.fleet.inventoryPath, ...extra, ...(check ? ['--check'] : [])], { timeoutMs: 300_000 });
  const m = recap(r.stdout);
  return { ...r, changed: m ? Number(m[2]) : -1 };
}

/**
 * --check first (nothing changes), then a run that changes the host, then one that changes nothing, then
 * --check reports nothing to change. `checkFirst: false` where, as in Ansible, a check run on a fresh host
 * cannot pass (apt cannot find a package of a repository that check mode did not add).
 */
async function threeRuns(t: import('ava').ExecutionContext, item: string, extra: string[], changedOnHost: () => Promise<boolean>, checkFirst = true) {
  if (checkFirst) {
    const checked = await play(item, extra, true);
    t.is(checked.code, 0, checked.stdout + checked.stderr);
  }
  t.false(await changedOnHost(), `${item}: nothing changed before the first run`);
  const first = await play(item, extra);
  t.is(first.code, 0, first.stdout + first.stderr);
  t.true(first.changed > 0, first.stdout);
  t.true(await changedOnHost(), `${item}: the first run changed the host`);
  const second = await play(item, extra);
  t.is(second.code, 0, second.stdout + second.stderr);
  t.is(second.changed, 0, second.stdout);
  const after = await play(item, extra, true);
  t.is(after.changed, 0, after.stdout + after.stderr);
}

test.before(async () => {
  lab = await startPackagesLab(1);
});
test.after.always(async () => {
  await lab?.stop();
});

const has = async (cmd: string) => (await lab.sh('h1', cmd)).rc === 0;

test.serial('pkg-apt-local-repo: deb822 source + apt from it', async (t) => {
  t.timeout(600_000);
  const dir = join(lab.fleet.dir, 'site-repo');
  await buildDeb({ name: 'tsplay-lib', version: '1.0-1' }, dir);
  await buildDeb({ name: 'tsplay-app', version: '1.0-1', depends: ['tsplay-lib'] }, dir);
  await indexDebRepo(dir);
  await threeRuns(t, 'pkg-apt-local-repo', ['-e', `local_repo_uri=file:${dir}`], () => has("dpkg-query -W -f='${Status}' tsplay-app | grep -q 'install ok installed'"), false);
});

test.serial('pkg-apt-deb-install: a vendor .deb', async (t) => {
  t.timeout(600_000);
  mkdirSync(lab.fleet.path('h1', '/srv/vendor'), { recursive: true });
  const deb = await buildDeb({ name: 'tsplay-tool', version: '3.1-1' }, join(lab.fleet.dir, 'vendor'));
  copyFileSync(deb, lab.fleet.path('h1', `/srv/vendor/${basename(deb)}`));
  // The assert task reads the installed version: --check cannot pass before the first run, so it comes after.
  const first = await play('pkg-apt-deb-install');
  t.is(first.code, 0, first.stdout + first.stderr);
  t.true(first.changed > 0);
  t.is(await lab.read('h1', '/opt/tsplay-tool/VERSION'), '3.1-1\n');
  const second = await play('pkg-apt-deb-install');
  t.is(second.changed, 0, second.stdout);
  const checked = await play('pkg-apt-deb-install', [], true);
  t.is(checked.changed, 0, checked.stdout + checked.stderr);
});

test.serial('pkg-debconf-preseed: debconf answers', async (t) => {
  t.timeout(600_000);
  await threeRuns(t, 'pkg-debconf-preseed', [], () => has('debconf-show tsplay-hello | grep -q "tsplay-hello/listen: 127.0.0.1"'));
});

test.serial('pkg-git-deploy: git at a tag, make, the handler builds with the release', async (t) => {
  t.timeout(600_000);
  const bare = join(lab.fleet.dir, 'app.git');
  const work = mkdtempSync(join(tmpdir(), 'tsplay-app-'));
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' };
  const g = (...a: string[]) => execFileSync('git', a, { cwd: work, env });
  try {
    g('init', '-q', '-b', 'main');
    writeFileSync(join(work, 'Makefile'), 'all: build/app\nbuild/app: app.sh\n\tmkdir -p build && cp app.sh build/app && echo "$(RELEASE)" > build/RELEASE\n');
    writeFileSync(join(work, 'app.sh'), 'echo app\n');
    g('add', '.');
    g('commit', '-qm', 'app');
    g('tag', 'v1.0');
    execFileSync('git', ['clone', '-q', '--bare', work, bare]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  await threeRuns(t, 'pkg-git-deploy', ['-e', `app_repo=${bare}`], () => has('test -f /opt/app/build/app'));
  t.is(await lab.read('h1', '/opt/app/build/RELEASE'), 'v1.0\n', 'the handler ran make with RELEASE');
});

test.serial('pkg-expect-installer: an interactive installer answered once', async (t) => {
  t.timeout(600_000);
  writeFileSync(
    lab.fleet.path('h1', '/opt/vendor-setup.sh'),
    '#!/bin/sh\nprintf "Install directory? "; read d\nprintf "Accept the licence (yes/no)? "; read a\n[ "$a" = yes ] || exit 1\nmkdir -p "$d" && echo ok > "$d/installed"\n',
    { mode: 0o755 },
  );
  const checked = await play('pkg-expect-installer', [], true);
  t.is(checked.code, 0, checked.stdout + checked.stderr);
  t.false(await has('test -e /opt/vendor/installed'));
  const first = await play('pkg-expect-installer');
  t.is(first.code, 0, first.stdout + first.stderr);
  t.is(first.changed, 1);
  t.is(await lab.read('h1', '/opt/vendor/installed'), 'ok\n');
  t.is((await play('pkg-expect-installer')).changed, 0);
});

test.serial('pkg-yum-repo-keys: rpm key, yum repository, update from it', async (t) => {
  t.timeout(600_000);
  const rpms = await buildSreRpms();
  mkdirSync(lab.fleet.path('h1', '/srv/repo'), { recursive: true });
  mkdirSync(lab.fleet.path('h1', '/srv/keys'), { recursive: true });
  for (const p of Object.values(rpms)) copyFileSync(p, lab.fleet.path('h1', `/srv/repo/${basename(p)}`));
  await lab.sh('h1', `rpm -i --nodeps /srv/repo/${basename(rpms['3.3.0'])}`);
  const home = mkdtempSync(join(tmpdir(), 'tsplay-gpg-'));
  try {
    const gpg = (...a: string[]) => execFileSync('gpg', ['--homedir', home, '--batch', ...a], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    gpg('--passphrase', '', '--quick-gen-key', 'vendor <v@example.invalid>', 'rsa2048', 'sign', 'never');
    writeFileSync(lab.fleet.path('h1', '/srv/keys/vendor.asc'), gpg('--armor', '--export'));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  await threeRuns(t, 'pkg-yum-repo-keys', [], async () => (await lab.sh('h1', "rpm -q --qf '%{VERSION}' sre")).stdout === '4.0.2');
  t.regex(await lab.read('h1', '/etc/yum.repos.d/vendor.repo'), /^\[vendor\]\nbaseurl = file:\/\/\/srv\/repo\nenabled = 0\ngpgcheck = 1\n/);
});
