import test from 'ava';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingPackages } from '../../src/fleet/requirements.js';
import { repo } from '../helpers/cli.js';

/** A PATH dir with every command of this machine's PATH except `drop` (symlinks, readable by anyone). */
function pathWithout(drop: string): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-path-'));
  chmodSync(dir, 0o755);
  const seen = new Set<string>();
  for (const src of (process.env.PATH ?? '').split(':')) {
    if (!src || !existsSync(src)) continue;
    for (const name of readdirSync(src)) {
      if (name === drop || seen.has(name)) continue;
      seen.add(name);
      symlinkSync(join(src, name), join(dir, name));
    }
  }
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('missingPackages names the package of a tool absent from PATH, once', (t) => {
  const p = pathWithout('rpmbuild');
  try {
    t.deepEqual(missingPackages(p.dir), ['rpm']);
    t.deepEqual(missingPackages(process.env.PATH), []);
  } finally {
    p.done();
  }
});

test('install-deps.sh as a non-root user with rpmbuild missing: one line naming the package and the command, exit 1', (t) => {
  const p = pathWithout('rpmbuild');
  try {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', join(repo, 'scripts/install-deps.sh')], {
      env: { PATH: p.dir },
      encoding: 'utf8',
    });
    t.is(r.status, 1, r.stderr);
    t.is(r.stdout, '');
    t.deepEqual(r.stderr.trimEnd().split('\n'), ['missing Debian packages: rpm (as root: apt-get install rpm, or run npm test / npm run demo as root)']);
  } finally {
    p.done();
  }
});

test('tsplay lab up with rpmbuild missing: one ERROR line naming the package and the fix, exit 1, nothing started', (t) => {
  const p = pathWithout('rpmbuild');
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-lab-'));
  try {
    const r = spawnSync(process.execPath, [join(repo, 'dist/src/cli.js'), 'lab', 'up', '--dir', join(dir, 'lab')], { env: { PATH: p.dir }, encoding: 'utf8', timeout: 60_000 });
    t.is(r.status, 1, r.stderr);
    t.deepEqual(r.stderr.trimEnd().split('\n'), [
      'ERROR! the lab needs Debian packages that are missing: rpm (as root: bash scripts/install-deps.sh, or apt-get install rpm)',
    ]);
    t.notRegex(r.stderr, /\n\s+at /);
    t.false(existsSync(join(dir, 'lab', 'lab.json')));
  } finally {
    p.done();
    rmSync(dir, { recursive: true, force: true });
  }
});
