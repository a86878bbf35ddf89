/** file, lineinfile, stat, fetch and script on a fleet host. */
import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { lstat, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fetchModule } from '../../src/modules/fetch.js';
import { fileModule } from '../../src/modules/file.js';
import { lineinfileModule } from '../../src/modules/lineinfile.js';
import { scriptModule } from '../../src/modules/script.js';
import { statModule } from '../../src/modules/stat.js';
import type { FileDiff } from '../../src/modules/types.js';
import { NASTY, startFilesLab, type FilesLab } from './helpers.js';

let lab: FilesLab;
const H = 'h1';

test.before(async () => {
  lab = await startFilesLab(1);
  mkdirSync(join(lab.local, 'files'), { recursive: true });
});
test.after.always(async () => lab?.stop());

const modeOf = async (p: string) => ((await stat(lab.fleet.path(H, p))).mode & 0o7777).toString(8);

test('file directory: creates parents with the mode, then ok; check mode creates nothing', async (t) => {
  const args = { path: '/opt/app/releases/4.0.2', state: 'directory', mode: '0750' };
  t.true((await lab.run(fileModule, H, args, { check: true })).changed);
  t.false(existsSync(lab.fleet.path(H, '/opt/app')));
  t.like(await lab.run(fileModule, H, args), { changed: true, failed: false });
  t.is(await modeOf('/opt/app/releases/4.0.2'), '750');
  t.is(await modeOf('/opt/app/releases'), '750', 'new parents get the attributes too');
  t.false((await lab.run(fileModule, H, args)).changed);
  const sym = await lab.run(fileModule, H, { ...args, mode: 'g-rx,o+x' });
  t.true(sym.changed);
  t.is(await modeOf('/opt/app/releases/4.0.2'), '701');
  t.false((await lab.run(fileModule, H, { ...args, mode: 'g-rx,o+x' })).changed);
});

test('file recurse: owner and mode of a whole tree, idempotent', async (t) => {
  await lab.sh(H, 'mkdir -p /srv/tree/a/b && echo x > /srv/tree/a/b/f && echo y > /srv/tree/g');
  const args = { path: '/srv/tree', state: 'directory', owner: 'labuser', recurse: true, mode: 'u=rwX,g=rX,o=' };
  t.true((await lab.run(fileModule, H, args)).changed);
  t.is((await lab.sh(H, 'find /srv/tree -printf "%u %m %p\\n" | sort -k3')).stdout,
    'labuser 750 /srv/tree\nlabuser 750 /srv/tree/a\nlabuser 750 /srv/tree/a/b\nlabuser 640 /srv/tree/a/b/f\nlabuser 640 /srv/tree/g\n');
  t.false((await lab.run(fileModule, H, args)).changed);
});

test('file absent, touch, file, link and hard', async (t) => {
  await lab.sh(H, 'mkdir -p /srv/f && echo data > /srv/f/target');
  t.like(await lab.run(fileModule, H, { path: '/srv/f/missing', state: 'file' }), { failed: true, msg: 'file (/srv/f/missing) is absent, cannot continue' });
  t.true((await lab.run(fileModule, H, { path: '/srv/f/t', state: 'touch', mode: '0600' })).changed);
  t.is(await modeOf('/srv/f/t'), '600');
  t.true((await lab.run(fileModule, H, { path: '/srv/f/t', state: 'touch' })).changed, 'touch: always changed');

  const link = { path: '/srv/f/current', state: 'link', src: 'target' };
  const made = await lab.run(fileModule, H, link, { diff: true });
  t.like(made, { changed: true, failed: false });
  // Ansible's file diff, in the result whatever the diff mode
  t.deepEqual(made.diff, { before: { path: '/srv/f/current', state: 'absent' }, after: { path: '/srv/f/current', state: 'link' } });
  t.is(await readlink(lab.fleet.path(H, '/srv/f/current')), 'target');
  t.false((await lab.run(fileModule, H, link)).changed);
  t.like(await lab.run(fileModule, H, { ...link, src: 'nowhere' }), { failed: true });
  const relinked = await lab.run(fileModule, H, { ...link, src: 't' });
  t.true(relinked.changed, 'relink to another target');
  t.deepEqual(relinked.diff, { before: { path: '/srv/f/current', src: 'target' }, after: { path: '/srv/f/current', src: 't' } });
  t.is(await readlink(lab.fleet.path(H, '/srv/f/current')), 't');
  t.like(await lab.run(fileModule, H, { path: '/srv/f/target', state: 'link', src: 't' }), { failed: true, msg: 'refusing to convert from file to symlink for /srv/f/target' });

  t.true((await lab.run(fileModule, H, { path: '/srv/f/hard', state: 'hard', src: '/srv/f/target' })).changed);
  t.is((await lstat(lab.fleet.path(H, '/srv/f/hard'))).ino, (await lstat(lab.fleet.path(H, '/srv/f/target'))).ino);
  t.false((await lab.run(fileModule, H, { path: '/srv/f/hard', state: 'hard', src: '/srv/f/target' })).changed);

  const removed = await lab.run(fileModule, H, { path: '/srv/f', state: 'absent' });
  t.true(removed.changed);
  t.like(removed.diff, { before: { state: 'directory', path_content: { directories: [] } }, after: { state: 'absent' } });
  t.deepEqual(((removed.diff as { before: { path_content: { files: string[] } } }).before.path_content.files).sort(), ['/srv/f/current', '/srv/f/hard', '/srv/f/t', '/srv/f/target']);
  t.false(existsSync(lab.fleet.path(H, '/srv/f')));
  t.false((await lab.run(fileModule, H, { path: '/srv/f', state: 'absent' })).changed);
});

test('lineinfile on the host: replace, insert, idempotent, check mode, diff, backup, create', async (t) => {
  const path = '/etc/kamailio/kamailio.cfg';
  await lab.sh(H, `printf 'listen=udp:1.2.3.4:5060\\ndebug=2\\nfork=yes\\n' > ${path}`);
  const args = { path, regexp: '^debug=', line: 'debug=3', backup: true };
  const check = await lab.run(lineinfileModule, H, args, { check: true, diff: true });
  t.like(check, { changed: true, msg: 'line replaced' });
  t.like((check.diff as FileDiff[])[0], { before: 'listen=udp:1.2.3.4:5060\ndebug=2\nfork=yes\n', after: 'listen=udp:1.2.3.4:5060\ndebug=3\nfork=yes\n' });
  t.is(await lab.read(H, path), 'listen=udp:1.2.3.4:5060\ndebug=2\nfork=yes\n', 'check mode changed nothing');
  const r = await lab.run(lineinfileModule, H, args);
  t.true(r.changed);
  t.is(await lab.read(H, path), 'listen=udp:1.2.3.4:5060\ndebug=3\nfork=yes\n');
  t.is(await lab.read(H, String(r.backup)), 'listen=udp:1.2.3.4:5060\ndebug=2\nfork=yes\n');
  t.false((await lab.run(lineinfileModule, H, args)).changed);

  t.true((await lab.run(lineinfileModule, H, { path, line: 'alias=sip.example.com', insertafter: '^listen=' })).changed);
  t.is(await lab.read(H, path), 'listen=udp:1.2.3.4:5060\nalias=sip.example.com\ndebug=3\nfork=yes\n');
  t.false((await lab.run(lineinfileModule, H, { path, line: 'alias=sip.example.com', insertafter: '^listen=' })).changed);

  t.like(await lab.run(lineinfileModule, H, { path, regexp: '^alias=', state: 'absent' }), { changed: true, found: 1 });
  t.like(await lab.run(lineinfileModule, H, { path: '/etc/kamailio/none.cfg', line: 'x' }), { failed: true, msg: 'Destination /etc/kamailio/none.cfg does not exist !' });
  // One line (a line with a newline in it is two lines, and never "already there", as in Ansible).
  const line = NASTY.replace(/\n/g, ' ');
  t.true((await lab.run(lineinfileModule, H, { path: '/etc/kamailio/new/local.cfg', line, create: true, mode: '0600' })).changed);
  t.is(await lab.read(H, '/etc/kamailio/new/local.cfg'), line + '\n');
  t.is(await modeOf('/etc/kamailio/new/local.cfg'), '600');
  t.false((await lab.run(lineinfileModule, H, { path: '/etc/kamailio/new/local.cfg', line, create: true, mode: '0600' })).changed);
});

test("lineinfile: a validate without %s fails when it would write, with Ansible's message; an empty regexp warns as Ansible", async (t) => {
  const path = '/etc/kamailio/validate.cfg';
  await lab.sh(H, `printf 'a\\n' > ${path}`);
  t.like(await lab.run(lineinfileModule, H, { path, line: 'b', validate: '/some/path' }, { check: true }), { changed: true, failed: false });
  t.like(await lab.run(lineinfileModule, H, { path, line: 'b', validate: '/some/path' }), { failed: true, msg: 'validate must contain %s: /some/path' });
  t.like(await lab.run(lineinfileModule, H, { path, line: 'a', validate: '/some/path' }), { changed: false, failed: false }, 'nothing to write: nothing validated');
  t.is(await lab.read(H, path), 'a\n');
  const empty = await lab.run(lineinfileModule, H, { path, regexp: '', line: 'c' });
  t.is(await lab.read(H, path), 'c\n', 'the empty regexp matched the (last) line');
  t.deepEqual(empty.warnings, ["The regular expression is an empty string, which will match every line in the file. This may have unintended consequences, such as replacing the last line in the file rather than appending. If this is desired, use '^' to match every line in the file and avoid this warning."]);
});

test('file modification_time/access_time: a time in the format, now or preserve, as touch -m/-a; check mode and idempotency from the plan', async (t) => {
  await lab.sh(H, 'mkdir -p /srv/times && echo x > /srv/times/f');
  const f = lab.fleet.path(H, '/srv/times/f');
  const mtime = async () => (await stat(f)).mtimeMs / 1000;
  const args = { path: '/srv/times/f', modification_time: '202202081414.00', modification_time_format: '%Y%m%d%H%M.%S' };
  const before = await mtime();
  const check = await lab.run(fileModule, H, args, { check: true, diff: true });
  t.like(check, { changed: true, failed: false });
  const d = check.diff as { before: { mtime: number }; after: { mtime: number } };
  t.true(Math.abs(d.before.mtime - before) < 1e-3, 'the diff has the times before and after');
  t.is(d.after.mtime, Number((await lab.sh(H, "date -d '2022-02-08 14:14:00' +%s")).stdout));
  t.is(await mtime(), before, 'check mode touched nothing');
  t.true((await lab.run(fileModule, H, args)).changed);
  const want = Number((await lab.sh(H, "date -d '2022-02-08 14:14:00' +%s")).stdout);
  t.is(await mtime(), want, "the target's local time, as time.mktime reads it");
  const again = await lab.run(fileModule, H, args);
  t.false(again.changed, 'the same time again: ok');
  t.deepEqual(again.diff, { before: { path: '/srv/times/f' }, after: { path: '/srv/times/f' } });
  const atimeBefore = (await stat(f)).atimeMs;
  t.true((await lab.run(fileModule, H, { path: '/srv/times/f', access_time: 'now' })).changed);
  t.not((await stat(f)).atimeMs, atimeBefore);
  t.is(await mtime(), want, 'access_time alone keeps the modification time');
  t.false((await lab.run(fileModule, H, { path: '/srv/times/f', state: 'touch', modification_time: 'preserve', access_time: 'preserve' })).changed);
  t.is(await mtime(), want);
  t.true((await lab.run(fileModule, H, { path: '/srv/times/f', state: 'touch' })).changed, 'touch: both times now by default');
  t.like(await lab.run(fileModule, H, { path: '/srv/times/f', modification_time: '2022' }), {
    failed: true,
    msg: "Error while obtaining timestamp for time 2022 using format %Y%m%d%H%M.%S: time data '2022' does not match format '%Y%m%d%H%M.%S'",
  });
  t.throws(() => fileModule.parse({ path: '/x', access_time: 'yesterday' }, { file: 'site.yml', line: 2 }, true), { message: /file: argument 'access_time': time data 'yesterday' does not match format/ });
});

test('stat: Ansible fields, checksum of the real content, never changed', async (t) => {
  await lab.sh(H, "mkdir -p /srv/st && printf 'abc' > /srv/st/f && chown labuser /srv/st/f && ln -sfn f /srv/st/l");
  const r = await lab.run(statModule, H, { path: '/srv/st/f' });
  t.false(r.changed);
  t.like(r.stat as object, { exists: true, isreg: true, isdir: false, islnk: false, pw_name: 'labuser', size: 3, checksum: createHash('sha1').update('abc').digest('hex') });
  t.like((await lab.run(statModule, H, { path: '/srv/st/l' })).stat as object, { exists: true, islnk: true, isreg: false, lnk_target: 'f' });
  t.deepEqual((await lab.run(statModule, H, { path: '/srv/st/nothing' })).stat, { exists: false });
});

test('fetch: DEST/HOST/path, binary-safe, idempotent by checksum, flat', async (t) => {
  const bytes = Buffer.from([0, 10, 13, 255, 128, 0x1b, 0x27, 0x24]);
  mkdirSync(lab.fleet.path(H, '/var/log/sre'), { recursive: true });
  writeFileSync(lab.fleet.path(H, '/var/log/sre/core.bin'), bytes);
  const dest = join(lab.local, 'fetched');
  const args = { src: '/var/log/sre/core.bin', dest };
  t.true((await lab.run(fetchModule, H, args, { check: true })).changed);
  t.false(existsSync(join(dest, H)), 'check mode wrote nothing on the controller');
  t.like(await lab.run(fetchModule, H, args), { changed: true, failed: false, dest: join(dest, H, 'var/log/sre/core.bin') });
  t.deepEqual(readFileSync(join(dest, H, 'var/log/sre/core.bin')), bytes);
  t.false((await lab.run(fetchModule, H, args)).changed);
  t.true((await lab.run(fetchModule, H, { ...args, dest: dest + '/flat/', flat: true })).changed);
  t.deepEqual(readFileSync(join(dest, 'flat', 'core.bin')), bytes);
  t.like(await lab.run(fetchModule, H, { src: '/var/log/none', dest }), { failed: true });
});

test('script: uploaded, run with literal args in chdir, removed; creates guard; skipped in check mode', async (t) => {
  writeFileSync(join(lab.local, 'files', 'probe.sh'), '#!/bin/sh\nprintf "%s|" "$@" > out.txt\npwd >> out.txt\necho done\n');
  await lab.sh(H, 'mkdir -p /srv/work');
  const raw = `probe.sh "it's" '$(touch /tmp/pwned-by-tsplay)' 'a  b' chdir=/srv/work`;
  const check = await lab.run(scriptModule, H, raw, { check: true });
  t.true(check.skipped);
  t.is(await lab.read(H, '/srv/work/out.txt'), undefined);
  const r = await lab.run(scriptModule, H, raw);
  t.like(r, { changed: true, failed: false, rc: 0, stdout: 'done\n' });
  t.is(await lab.read(H, '/srv/work/out.txt'), "it's|$(touch /tmp/pwned-by-tsplay)|a  b|/srv/work\n");
  t.is((await lab.sh(H, 'ls /tmp | grep -c tsplay-script; ls /tmp/pwned-by-tsplay 2>/dev/null; true')).stdout.trim(), '0');
  const guarded = await lab.run(scriptModule, H, { cmd: 'probe.sh', creates: '/srv/work/out.txt' });
  t.like(guarded, { changed: false, skipped: true, msg: '/srv/work/out.txt exists, matching creates option' });
  const failing = await lab.run(scriptModule, H, { cmd: 'probe.sh x', executable: 'false' });
  t.like(failing, { failed: true, rc: 1 });
});
