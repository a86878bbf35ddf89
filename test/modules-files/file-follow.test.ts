/**
 * The file module as Ansible 2.14's: `follow` (a link's target gets mode/owner/group), `attributes`
 * (chattr), a directory given as a hard link's path, unknown owners, and its run-time messages — on a
 * fleet host.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { lstat, readlink, stat } from 'node:fs/promises';
import { fileModule } from '../../src/modules/file.js';
import { startFilesLab, type FilesLab } from './helpers.js';

let lab: FilesLab;
const H = 'h1';

test.before(async () => {
  lab = await startFilesLab(1);
});
test.after.always(async () => lab?.stop());

const modeOf = async (p: string) => ((await stat(lab.fleet.path(H, p))).mode & 0o7777).toString(8);
const lsattr = async (p: string) => (await lab.sh(H, `lsattr -d ${p}`)).stdout.split(' ')[0]!.replace(/-/g, '');

test('state=link with mode, following (the default): the target gets the mode; the result describes the link', async (t) => {
  await lab.sh(H, 'mkdir -p /srv/lf && touch /srv/lf/t && chmod 0644 /srv/lf/t');
  const args = { src: '/srv/lf/t', dest: '/srv/lf/l', state: 'link', mode: '0700' };
  const made = await lab.run(fileModule, H, args);
  t.like(made, { changed: true, failed: false, dest: '/srv/lf/l', src: '/srv/lf/t', state: 'link', mode: '0777' });
  t.false('path' in made, "Ansible's link result names the path dest");
  t.deepEqual(made.diff, { before: { path: '/srv/lf/l', state: 'absent', mode: '0644' }, after: { path: '/srv/lf/l', state: 'link', mode: '0700' } });
  t.is(await modeOf('/srv/lf/t'), '700');
  t.is(await readlink(lab.fleet.path(H, '/srv/lf/l')), '/srv/lf/t');
  t.false((await lab.run(fileModule, H, args)).changed, 'link and target mode as asked: ok');
  // the link exists: only the target's mode differs, and that alone is a change
  await lab.sh(H, 'chmod 0600 /srv/lf/t');
  t.like(await lab.run(fileModule, H, args), { changed: true, diff: { before: { path: '/srv/lf/l', mode: '0600' }, after: { path: '/srv/lf/l', mode: '0700' } } });
  t.is(await modeOf('/srv/lf/t'), '700');
  // a relative src is the target as seen from the link's directory
  t.like(await lab.run(fileModule, H, { src: 't', dest: '/srv/lf/rel', state: 'link', mode: 'u=rw' }), { changed: true });
  t.is(await modeOf('/srv/lf/t'), '600');
});

test('state=link, not following: owner on the link itself, the target untouched; a link to nothing warns', async (t) => {
  await lab.sh(H, 'mkdir -p /srv/ln && touch /srv/ln/t && chmod 0644 /srv/ln/t');
  const made = await lab.run(fileModule, H, { src: '/srv/ln/t', dest: '/srv/ln/l', state: 'link', mode: '0700', owner: 'labuser', follow: false });
  t.true(made.changed);
  t.is(await modeOf('/srv/ln/t'), '644');
  t.is((await lab.sh(H, 'stat -c %U /srv/ln/l; stat -c %U /srv/ln/t')).stdout, 'labuser\nroot\n');
  t.false((await lab.run(fileModule, H, { src: '/srv/ln/t', dest: '/srv/ln/l', state: 'link', mode: '0700', follow: false })).changed, "a link's own mode is not a change");

  const dangling = await lab.run(fileModule, H, { src: '/srv/ln/none', dest: '/srv/ln/d', state: 'link', force: true, mode: '0700' });
  t.like(dangling, { changed: true, failed: false, warnings: ['Cannot set fs attributes on a non-existent symlink target. follow should be set to False to avoid this.'] });
  t.is(await readlink(lab.fleet.path(H, '/srv/ln/d')), '/srv/ln/none');
});

test('recurse with follow: what links in the tree point to gets the mode too; without, it does not', async (t) => {
  await lab.sh(H, 'mkdir -p /srv/rf/top /srv/rf/dir && touch /srv/rf/file /srv/rf/dir/in && chmod 0700 /srv/rf/file /srv/rf/dir /srv/rf/dir/in ' +
    '&& ln -s ../file /srv/rf/top/lf && ln -s ../dir /srv/rf/top/ld && ln -s nowhere /srv/rf/top/dangling');
  const args = { path: '/srv/rf/top', state: 'directory', mode: 'a-x', recurse: true };
  t.true((await lab.run(fileModule, H, { ...args, follow: false })).changed);
  t.deepEqual([await modeOf('/srv/rf/file'), await modeOf('/srv/rf/dir'), await modeOf('/srv/rf/dir/in')], ['700', '700', '700']);
  t.true((await lab.run(fileModule, H, args)).changed);
  t.deepEqual([await modeOf('/srv/rf/file'), await modeOf('/srv/rf/dir'), await modeOf('/srv/rf/dir/in')], ['600', '600', '600']);
  t.false((await lab.run(fileModule, H, args)).changed);
});

test('attributes: chattr flags as Ansible compares them (+ adds, - always runs, exact otherwise)', async (t) => {
  await lab.sh(H, 'mkdir -p /srv/fa && touch /srv/fa/f');
  const before = await lsattr('/srv/fa/f');
  const added = await lab.run(fileModule, H, { path: '/srv/fa/f', attributes: '+A' });
  t.like(added, { changed: true, diff: { before: { attributes: before }, after: { attributes: '+A' } } });
  const now = await lsattr('/srv/fa/f');
  t.true(now.includes('A'));
  t.false((await lab.run(fileModule, H, { path: '/srv/fa/f', attr: now })).changed, 'the same flags: ok');
  t.true((await lab.run(fileModule, H, { path: '/srv/fa/f', attributes: '-A' })).changed);
  t.false((await lsattr('/srv/fa/f')).includes('A'));
  t.true((await lab.run(fileModule, H, { path: '/srv/fa/f', attributes: '-A' })).changed, "'-' is always a change, as in Ansible");
  t.true((await lab.run(fileModule, H, { path: '/srv/fa/new', state: 'touch', attributes: '+A' })).changed);
  t.true((await lsattr('/srv/fa/new')).includes('A'), 'a file touched into being gets them too');
});

test("a hard link's path that is a directory means the file of src's name in it; Ansible's messages", async (t) => {
  await lab.sh(H, 'mkdir -p /srv/fh/sub && echo x > /srv/fh/src');
  t.like(await lab.run(fileModule, H, { src: '/srv/fh/src', dest: '/srv/fh/sub', state: 'hard' }), { changed: true, dest: '/srv/fh/sub/src', state: 'hard' });
  t.is((await lstat(lab.fleet.path(H, '/srv/fh/sub/src'))).ino, (await lstat(lab.fleet.path(H, '/srv/fh/src'))).ino);
  t.like(await lab.run(fileModule, H, { src: 'no-such-file', dest: '/srv/fh/h', state: 'hard' }), { failed: true, msg: 'src does not exist', dest: '/srv/fh/h', src: 'no-such-file' });
  t.like(await lab.run(fileModule, H, { dest: '/srv/fh/h', state: 'hard' }), { failed: true, msg: 'src is required for creating new hardlinks' });
  t.like(await lab.run(fileModule, H, { state: 'hard' }), { failed: true, msg: 'missing required arguments: path' });
  t.like(await lab.run(fileModule, H, { src: '/srv/fh/src', dest: '/srv/fh/new' }), { failed: true, msg: "src option requires state to be 'link' or 'hard'" });
  t.like(await lab.run(fileModule, H, { path: '/srv/fh/ghost' }), { failed: true, state: 'absent', msg: 'file (/srv/fh/ghost) is absent, cannot continue' });
  t.false(existsSync(lab.fleet.path(H, '/srv/fh/new')));
});

test('an owner or group the host does not know: a warning, and a failure once given to an existing path (check mode too)', async (t) => {
  await lab.sh(H, 'mkdir -p /srv/fo && touch /srv/fo/f');
  t.like(await lab.run(fileModule, H, { path: '/srv/fo/f', owner: 'no-such-user' }, { check: true }), {
    failed: true,
    msg: 'chown failed: failed to look up user no-such-user',
    warnings: ['failed to look up user no-such-user. Create user up to this point in real play'],
  });
  t.like(await lab.run(fileModule, H, { path: '/srv/fo/f', group: '98765' }, { check: true }), {
    changed: true,
    warnings: ['failed to look up group with gid 98765. Create group up to this point in real play'],
  });
  t.like(await lab.run(fileModule, H, { path: '/srv/fo/absent', state: 'touch', owner: 'no-such-user' }, { check: true }), { changed: true, warnings: ['failed to look up user no-such-user. Create user up to this point in real play'] });
  t.like(await lab.run(fileModule, H, { path: '/srv/fo/f', state: 'touch', mode: 'o+t' }), { changed: true, mode: '01644' });
});
