import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitModule } from '../../src/modules/git.js';
import { startPackagesLab, type PackagesLab } from './helper.js';

// A bare repository in the fleet dir (every host sees it), made with the real git; h1 clones it to /opt/app.
let lab: PackagesLab;
let bare: string;
let work: string;
const commits: Record<string, string> = {};
const g = (cwd: string, ...a: string[]) => execFileSync('git', a, { cwd, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } }).toString().trim();
function commit(file: string, text: string, msg: string): string {
  writeFileSync(join(work, file), text);
  g(work, 'add', file);
  g(work, 'commit', '-qm', msg);
  g(work, 'push', '-q', 'origin', 'HEAD:main');
  return g(work, 'rev-parse', 'HEAD');
}

test.before(async () => {
  lab = await startPackagesLab(1, { aptState: false });
  bare = join(lab.fleet.dir, 'app.git');
  work = join(lab.fleet.dir, 'app-work');
  mkdirSync(work);
  g(lab.fleet.dir, 'init', '-q', '--bare', '-b', 'main', bare);
  g(work, 'init', '-q', '-b', 'main');
  g(work, 'remote', 'add', 'origin', bare);
  commits.v1 = commit('VERSION', '1\n', 'v1');
  g(work, 'tag', '-a', 'v1.0', '-m', 'release 1.0');
  g(work, 'push', '-q', 'origin', 'v1.0');
  commits.v2 = commit('VERSION', '2\n', 'v2');
});
test.after.always(async () => {
  await lab?.stop();
});

const run = (args: Record<string, unknown>, check = false) => lab.run(gitModule, 'h1', { repo: bare, dest: '/opt/app', ...args }, { check });
const head = async () => (await lab.sh('h1', 'git -C /opt/app rev-parse HEAD')).stdout.trim();

test.serial('clone at a tag: check mode changes nothing, the run clones, a second run is ok', async (t) => {
  t.like(await run({ version: 'v1.0' }, true), { changed: true, before: null, after: commits.v1 });
  t.is((await lab.sh('h1', 'test -e /opt/app')).rc, 1);
  t.like(await run({ version: 'v1.0' }), { changed: true, failed: false, before: null, after: commits.v1 });
  t.is(await lab.read('h1', '/opt/app/VERSION'), '1\n');
  t.like(await run({ version: 'v1.0' }), { changed: false, failed: false, before: commits.v1, after: commits.v1 });
});

test.serial('update to the branch head; a new commit on the remote is picked up once', async (t) => {
  t.like(await run({ version: 'main' }, true), { changed: true, before: commits.v1, after: commits.v2 });
  t.is(await head(), commits.v1);
  t.like(await run({ version: 'main' }), { changed: true, failed: false, before: commits.v1, after: commits.v2 });
  t.is(await lab.read('h1', '/opt/app/VERSION'), '2\n');
  t.like(await run({ version: 'main' }), { changed: false });
  commits.v3 = commit('VERSION', '3\n', 'v3');
  t.like(await run({}), { changed: true, after: commits.v3 });
  t.is(await lab.read('h1', '/opt/app/VERSION'), '3\n');
  t.like(await run({}), { changed: false });
});

test.serial('local modifications: refused without force; force discards them', async (t) => {
  await lab.sh('h1', 'echo local > /opt/app/VERSION');
  const r = await run({ version: commits.v2! });
  t.like(r, { failed: true, msg: 'Local modifications exist in the destination: /opt/app (force=no).' });
  t.is(await lab.read('h1', '/opt/app/VERSION'), 'local\n');
  t.like(await run({ version: commits.v2!, force: true }), { changed: true, failed: false, after: commits.v2 });
  t.is(await lab.read('h1', '/opt/app/VERSION'), '2\n');
  t.like(await run({ version: commits.v2!.slice(0, 10) }), { changed: false });
});

test.serial('a version the remote does not have fails clearly; update: false leaves the checkout alone', async (t) => {
  t.like(await run({ version: 'no-such-branch' }), { failed: true, msg: `Failed to find version no-such-branch in ${bare} (not a branch, a tag or a commit id)` });
  t.like(await run({ version: 'main', update: false }), { changed: false, before: commits.v2, after: commits.v2 });
});
