/** copy and template on a fleet host: what lands on the host, idempotency, check mode, diff, atomicity. */
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { copyModule } from '../../src/modules/copy.js';
import { templateModule } from '../../src/modules/template.js';
import type { FileDiff } from '../../src/modules/types.js';
import { NASTY, startFilesLab, type FilesLab } from './helpers.js';

let lab: FilesLab;
const H = 'h1';

test.before(async () => {
  lab = await startFilesLab(1);
  mkdirSync(join(lab.local, 'files'), { recursive: true });
  mkdirSync(join(lab.local, 'templates'), { recursive: true });
});
test.after.always(async () => lab?.stop());

const modeOf = async (p: string) => ((await stat(lab.fleet.path(H, p))).mode & 0o7777).toString(8);

test('copy content: written, then ok on the second run; check mode and attributes', async (t) => {
  const dest = '/srv/copy1/app.conf';
  await lab.sh(H, 'mkdir -p /srv/copy1');
  const args = { content: 'port=5060\n', dest, mode: '0640' };
  const check = await lab.run(copyModule, H, args, { check: true });
  t.true(check.changed);
  t.is(await lab.read(H, dest), undefined, 'check mode wrote nothing');

  const first = await lab.run(copyModule, H, args);
  t.like(first, { changed: true, failed: false, dest, checksum: createHash('sha1').update('port=5060\n').digest('hex') });
  t.is(await lab.read(H, dest), 'port=5060\n');
  t.is(await modeOf(dest), '640');
  t.false((await lab.run(copyModule, H, args)).changed, 'second run: ok');

  // Only the owner differs: a change, the content stays.
  const owned = await lab.run(copyModule, H, { ...args, owner: 'labuser', group: 'labuser' });
  t.true(owned.changed);
  t.is((await lab.sh(H, `stat -c %U:%G ${dest}`)).stdout.trim(), 'labuser:labuser');
  t.false((await lab.run(copyModule, H, { ...args, owner: 'labuser', group: 'labuser' })).changed);
  // The temp files went away.
  t.deepEqual(await readdir(lab.fleet.path(H, '/srv/copy1')), ['app.conf']);
});

test('copy: a value with quotes, $(), backticks, spaces and newlines arrives as literal data', async (t) => {
  await lab.sh(H, 'mkdir -p /srv/nasty');
  const dest = `/srv/nasty/it's "$(touch pwned)" \`touch pwned2\` a  b\nc.txt`;
  const r = await lab.run(copyModule, H, { content: NASTY, dest });
  t.like(r, { changed: true, failed: false });
  t.is(await lab.read(H, dest), NASTY);
  t.is((await lab.sh(H, 'ls /tmp/pwned-by-tsplay /tmp/pwned2 pwned pwned2 ~/pwned ~/pwned2 2>/dev/null; true')).stdout, '', 'nothing was executed');
  t.deepEqual(await readdir(lab.fleet.path(H, '/srv/nasty')), [dest.slice('/srv/nasty/'.length)]);
  t.false((await lab.run(copyModule, H, { content: NASTY, dest })).changed);
});

test('copy --diff: before/after of the file; backup keeps the old content', async (t) => {
  const dest = '/srv/diff.conf';
  await lab.run(copyModule, H, { content: 'a\nb\n', dest });
  const r = await lab.run(copyModule, H, { content: 'a\nc\n', dest, backup: true }, { diff: true });
  t.true(r.changed);
  const diff = r.diff as FileDiff[];
  t.like(diff[0], { path: dest, before: 'a\nb\n', after: 'a\nc\n' });
  t.regex(String(r.backup_file), /^\/srv\/diff\.conf\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
  t.is(await lab.read(H, String(r.backup_file)), 'a\nb\n');
  t.is(await lab.read(H, dest), 'a\nc\n');
});

test('copy validate: a failing validator leaves the old file untouched and fails with its output', async (t) => {
  const dest = '/srv/valid.conf';
  await lab.run(copyModule, H, { content: 'good\n', dest });
  const bad = await lab.run(copyModule, H, { content: 'bad\n', dest, validate: `sh -c 'grep -q good "$1" || { echo "syntax error in $1" >&2; exit 3; }' x %s` });
  t.true(bad.failed);
  t.is(bad.rc, 3);
  t.regex(String(bad.msg), /syntax error in \/srv\/\.valid\.conf\.tsplay\./);
  t.is(await lab.read(H, dest), 'good\n');
  t.deepEqual((await readdir(lab.fleet.path(H, '/srv'))).filter((f) => f.startsWith('.valid.conf.tsplay')), [], 'temp file removed');
  const ok = await lab.run(copyModule, H, { content: 'good too\n', dest, validate: 'grep -q good %s' });
  t.like(ok, { changed: true, failed: false });
  t.is(await lab.read(H, dest), 'good too\n');
});

test('copy force=false and a missing directory', async (t) => {
  const dest = '/srv/keep.conf';
  await lab.run(copyModule, H, { content: 'mine\n', dest });
  t.false((await lab.run(copyModule, H, { content: 'theirs\n', dest, force: false })).changed);
  t.is(await lab.read(H, dest), 'mine\n');
  const r = await lab.run(copyModule, H, { content: 'x', dest: '/srv/no/such/dir/f' });
  t.like(r, { failed: true, msg: 'Destination directory /srv/no/such/dir does not exist' });
});

test('copy src: binary file from files/, into a dir dest; a directory tree', async (t) => {
  const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0x80, 0xc3]);
  writeFileSync(join(lab.local, 'files', 'blob.bin'), bytes);
  await lab.sh(H, 'mkdir -p /opt/bin-dest');
  const r = await lab.run(copyModule, H, { src: 'blob.bin', dest: '/opt/bin-dest/' });
  t.like(r, { changed: true, dest: '/opt/bin-dest/blob.bin' });
  t.deepEqual(await readFile(lab.fleet.path(H, '/opt/bin-dest/blob.bin')), bytes);
  t.false((await lab.run(copyModule, H, { src: 'blob.bin', dest: '/opt/bin-dest' })).changed, 'existing dir dest: dest/basename');

  mkdirSync(join(lab.local, 'files', 'tree', 'sub'), { recursive: true });
  writeFileSync(join(lab.local, 'files', 'tree', 'a.txt'), 'A');
  writeFileSync(join(lab.local, 'files', 'tree', 'sub', 'b.txt'), 'B');
  const tree = await lab.run(copyModule, H, { src: 'tree', dest: '/opt/trees' });
  t.like(tree, { changed: true, failed: false });
  t.is(await lab.read(H, '/opt/trees/tree/sub/b.txt'), 'B');
  t.false((await lab.run(copyModule, H, { src: 'tree', dest: '/opt/trees' })).changed);
});

test('template: rendered with the task variables, then copy semantics', async (t) => {
  writeFileSync(join(lab.local, 'templates', 'kamailio-local.cfg.hbs'), 'listen=udp:{{ sip_ip }}:{{ sip_port }}\n#!define WITH_{{ feature }}\n');
  const vars = { sip_ip: '10.0.0.5', sip_port: 5060, feature: 'REGISTER_CLIENT' };
  const args = { src: 'kamailio-local.cfg.hbs', dest: '/etc/kamailio/kamailio-local.cfg', mode: '0644' };
  const first = await lab.run(templateModule, H, args, { vars, diff: true });
  t.like(first, { changed: true, failed: false });
  t.is(await lab.read(H, args.dest), 'listen=udp:10.0.0.5:5060\n#!define WITH_REGISTER_CLIENT\n');
  t.false((await lab.run(templateModule, H, args, { vars })).changed);
  const moved = await lab.run(templateModule, H, args, { vars: { ...vars, sip_ip: '10.0.0.6' }, diff: true });
  t.like((moved.diff as FileDiff[])[0], { before: 'listen=udp:10.0.0.5:5060\n#!define WITH_REGISTER_CLIENT\n', after: 'listen=udp:10.0.0.6:5060\n#!define WITH_REGISTER_CLIENT\n' });
  const undef = await lab.run(templateModule, H, args, { vars: { sip_ip: 'x' } });
  t.true(undef.failed);
  t.regex(String(undef.msg), /sip_port/);
  t.is(await lab.read(H, args.dest), 'listen=udp:10.0.0.6:5060\n#!define WITH_REGISTER_CLIENT\n', 'a failed render changes nothing');
});
