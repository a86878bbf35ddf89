/**
 * The result fields of stat, file, copy and command/shell as Ansible documents them, on a fleet host:
 * every value checked against what the host's filesystem says (node's lstat of the host's private dir).
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { lstatSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { commandModule, shellModule } from '../../src/modules/command.js';
import { copyModule } from '../../src/modules/copy.js';
import { fileModule } from '../../src/modules/file.js';
import { statModule } from '../../src/modules/stat.js';
import { startFilesLab, type FilesLab } from './helpers.js';

let lab: FilesLab;
const H = 'h1';

test.before(async () => {
  lab = await startFilesLab(1);
});
test.after.always(async () => lab?.stop());

/** Every key of Ansible 2.14's stat result for an existing path with get_mime/get_attributes (links add lnk_source/lnk_target, files checksum). */
const STAT_KEYS = [
  'atime', 'attr_flags', 'attributes', 'block_size', 'blocks', 'charset', 'ctime', 'dev', 'device_type', 'executable', 'exists', 'gid', 'gr_name',
  'inode', 'isblk', 'ischr', 'isdir', 'isfifo', 'isgid', 'islnk', 'isreg', 'issock', 'isuid', 'mimetype', 'mode', 'mtime', 'nlink',
  'path', 'pw_name', 'readable', 'rgrp', 'roth', 'rusr', 'size', 'uid', 'version', 'wgrp', 'woth', 'writeable', 'wusr', 'xgrp', 'xoth', 'xusr',
];

const stat = async (args: Record<string, unknown>) => (await lab.run(statModule, H, args)).stat as Record<string, unknown>;
const ns = (big: bigint) => Number(big) / 1e9;

test('stat: Ansible\'s full field set, each value as the filesystem has it', async (t) => {
  await lab.sh(H, "mkdir -p /srv/rf && printf 'hello\\n' > /srv/rf/f && chmod 0754 /srv/rf/f && chown labuser:root /srv/rf/f");
  // before the module: its stat comes first, then `file` and sha1sum read the file (and may move atime)
  const real = statSync(lab.fleet.path(H, '/srv/rf/f'), { bigint: true });
  const s = await stat({ path: '/srv/rf/f' });
  t.deepEqual(Object.keys(s).sort(), [...STAT_KEYS, 'checksum'].sort());
  const labuser = (await lab.sh(H, 'id -u labuser')).stdout.trim();
  t.like(s, {
    exists: true, path: '/srv/rf/f', mode: '0754', isreg: true, isdir: false, islnk: false, isfifo: false, issock: false, ischr: false, isblk: false,
    uid: Number(labuser), gid: 0, pw_name: 'labuser', gr_name: 'root', size: 6, nlink: 1, inode: Number(real.ino), dev: Number(real.dev),
    rusr: true, wusr: true, xusr: true, rgrp: true, wgrp: false, xgrp: true, roth: true, woth: false, xoth: false, isuid: false, isgid: false,
    readable: true, writeable: true, executable: true, mimetype: 'text/plain', charset: 'us-ascii',
    checksum: createHash('sha1').update('hello\n').digest('hex'),
  });
  t.true(Math.abs((s.mtime as number) - ns(real.mtimeNs)) < 1e-6, `mtime ${s.mtime} vs ${ns(real.mtimeNs)}`);
  t.true(Math.abs((s.atime as number) - ns(real.atimeNs)) < 1e-6, 'atime');
  t.true(Math.abs((s.ctime as number) - ns(real.ctimeNs)) < 1e-6, 'ctime');
  t.true(Array.isArray(s.attributes));

  const sha256 = await stat({ path: '/srv/rf/f', checksum_algorithm: 'sha256' });
  t.is(sha256.checksum, createHash('sha256').update('hello\n').digest('hex'));
  t.false('checksum' in (await stat({ path: '/srv/rf/f', get_checksum: false })));
  const bare = await stat({ path: '/srv/rf/f', get_mime: false, get_attributes: false });
  t.false('mimetype' in bare || 'charset' in bare || 'attributes' in bare);
  t.deepEqual(await stat({ path: '/srv/rf/none' }), { exists: false });
});

test('stat: links (lnk_source, lnk_target; follow), directories, FIFOs', async (t) => {
  await lab.sh(H, "mkdir -p /srv/rl/d && printf 'x' > /srv/rl/d/t && ln -sfn d/t /srv/rl/l && ln -sfn nowhere /srv/rl/dangling && mkfifo /srv/rl/p && chmod 0644 /srv/rl/d/t");
  const l = await stat({ path: '/srv/rl/l' });
  t.deepEqual(Object.keys(l).sort(), [...STAT_KEYS, 'lnk_source', 'lnk_target'].sort());
  t.like(l, { islnk: true, isreg: false, lnk_target: 'd/t', lnk_source: '/srv/rl/d/t', mimetype: 'inode/symlink' });
  t.false('checksum' in l, 'no checksum of a link not followed');
  const followed = await stat({ path: '/srv/rl/l', follow: true });
  t.like(followed, { islnk: false, isreg: true, size: 1, checksum: createHash('sha1').update('x').digest('hex') });
  t.false('lnk_target' in followed);
  t.deepEqual(await stat({ path: '/srv/rl/dangling', follow: true }), { exists: false }, 'a dangling link followed does not exist');
  t.like(await stat({ path: '/srv/rl/dangling' }), { exists: true, islnk: true, lnk_target: 'nowhere' });
  const d = await stat({ path: '/srv/rl/d' });
  t.like(d, { isdir: true, isreg: false, mimetype: 'inode/directory', nlink: lstatSync(lab.fleet.path(H, '/srv/rl/d')).nlink });
  t.false('checksum' in d);
  t.like(await stat({ path: '/srv/rl/p' }), { isfifo: true, isreg: false });
});

test('file: state, path, mode, owner, group, uid, gid and size of the path as it is afterwards', async (t) => {
  const labuser = Number((await lab.sh(H, 'id -u labuser')).stdout.trim());
  const dir = await lab.run(fileModule, H, { path: '/srv/rfile/d', state: 'directory', mode: '0750', owner: 'labuser' });
  t.like(dir, { changed: true, path: '/srv/rfile/d', state: 'directory', mode: '0750', owner: 'labuser', group: 'root', uid: labuser, gid: 0 });
  t.is(dir.size, Number(statSync(lab.fleet.path(H, '/srv/rfile/d')).size));
  t.like(await lab.run(fileModule, H, { path: '/srv/rfile/d', state: 'directory' }), { changed: false, state: 'directory', uid: labuser, mode: '0750' });
  const touched = await lab.run(fileModule, H, { path: '/srv/rfile/d/f', state: 'touch', mode: '0600' });
  t.like(touched, { changed: true, state: 'file', mode: '0600', uid: 0, gid: 0, owner: 'root', size: 0 });
  await lab.sh(H, "printf 'abc' > /srv/rfile/d/f");
  t.like(await lab.run(fileModule, H, { path: '/srv/rfile/d/f' }), { changed: false, state: 'file', size: 3 });
  t.like(await lab.run(fileModule, H, { path: '/srv/rfile/h', src: '/srv/rfile/d/f', state: 'hard' }), { changed: true, state: 'hard', size: 3 });
  t.like(await lab.run(fileModule, H, { path: '/srv/rfile/l', src: '/srv/rfile/d/f', state: 'link' }), { changed: true, state: 'link', mode: '0777' });
  t.like(await lab.run(fileModule, H, { path: '/srv/rfile/h', state: 'absent' }), { changed: true, path: '/srv/rfile/h', state: 'absent' });
  t.like(await lab.run(fileModule, H, { path: '/srv/rfile/h', state: 'absent' }), { changed: false, state: 'absent' });
});

test('copy: dest, src, checksum, md5sum, size, state, mode, owner/group and uid/gid, backup_file', async (t) => {
  await lab.sh(H, 'mkdir -p /srv/rcopy');
  const labuser = Number((await lab.sh(H, 'id -u labuser')).stdout.trim());
  const content = 'first\n';
  const sums = { checksum: createHash('sha1').update(content).digest('hex'), md5sum: createHash('md5').update(content).digest('hex') };
  const args = { content, dest: '/srv/rcopy/c.conf', owner: 'labuser', mode: '0640' };
  const first = await lab.run(copyModule, H, args);
  t.like(first, { changed: true, dest: '/srv/rcopy/c.conf', ...sums, size: 6, state: 'file', mode: '0640', owner: 'labuser', group: 'root', uid: labuser, gid: 0 });
  t.like(await lab.run(copyModule, H, args), { changed: false, dest: '/srv/rcopy/c.conf', ...sums, size: 6, state: 'file', mode: '0640', owner: 'labuser', uid: labuser, gid: 0 });
  const fresh = await lab.run(copyModule, H, { content, dest: '/srv/rcopy/new.conf' });
  const real = statSync(lab.fleet.path(H, '/srv/rcopy/new.conf'));
  t.like(fresh, { changed: true, uid: real.uid, gid: real.gid, mode: (real.mode & 0o7777).toString(8).padStart(4, '0'), owner: userInfo({ encoding: 'utf8' }).uid === real.uid ? userInfo().username : 'root' });
  const backed = await lab.run(copyModule, H, { content: 'second\n', dest: '/srv/rcopy/c.conf', backup: true });
  t.true(typeof backed.backup_file === 'string' && (await lab.read(H, backed.backup_file as string)) === content, 'backup_file holds the old content');
  t.is(backed.size, 7);
});

test('command and shell: cmd (argv list / command line), rc, stdout(_lines), stderr(_lines), start, end, delta, msg', async (t) => {
  const c = await lab.run(commandModule, H, { _raw_params: "printf 'a\\nb'" });
  t.like(c, { changed: true, failed: false, cmd: ['printf', 'a\\nb'], rc: 0, stdout: 'a\nb', stderr: '', stdout_lines: ['a', 'b'], stderr_lines: [], msg: '' });
  const stamp = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/;
  t.regex(String(c.start), stamp);
  t.regex(String(c.end), stamp);
  t.regex(String(c.delta), /^0:00:\d\d\.\d{6}$/);
  t.true(String(c.start) <= String(c.end));
  const s = await lab.run(shellModule, H, { _raw_params: 'echo out; echo err >&2; exit 3' });
  t.like(s, { failed: true, cmd: 'echo out; echo err >&2; exit 3', rc: 3, stdout: 'out', stderr: 'err', stderr_lines: ['err'], msg: 'non-zero return code' });
  await lab.sh(H, 'touch /srv/made');
  t.like(await lab.run(commandModule, H, { _raw_params: 'false', creates: '/srv/made' }), {
    changed: false, cmd: ['false'], rc: 0, stdout: 'skipped, since /srv/made exists', stdout_lines: ['skipped, since /srv/made exists'], msg: "Did not run command since '/srv/made' exists", start: null, end: null, delta: null,
  });
});
