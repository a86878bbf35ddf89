/** The pure level: arguments + what the probe reports → planned steps, diff and result. */
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyModule } from '../../src/modules/copy.js';
import { fetchModule } from '../../src/modules/fetch.js';
import { fileModule } from '../../src/modules/file.js';
import { lineinfileModule } from '../../src/modules/lineinfile.js';
import { scriptModule } from '../../src/modules/script.js';
import { statModule } from '../../src/modules/stat.js';
import type { ModuleDef, Plan } from '../../src/modules/types.js';
import { fakeContext, statOutput } from './helpers.js';

const SEP = '--tsplay-stat--\n';
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const where = { file: 'test.yml', line: 3 };

async function plan<A>(mod: ModuleDef<A>, raw: unknown, answer: (cmd: string) => string, opts: Parameters<typeof fakeContext>[1] = {}): Promise<Plan> {
  return mod.plan(mod.parse(raw, where, false), fakeContext(answer, opts));
}

test('copy: a missing file is written atomically with its content on stdin', async (t) => {
  const seen: string[] = [];
  const p = await plan(copyModule, { content: 'hello\n', dest: '/etc/sre/a.conf', mode: '0640' }, () => statOutput(undefined) + SEP + statOutput({ dir: true }) + SEP, { seen });
  t.is(seen.length, 1, 'one probe: dest and its directory together');
  t.is(p.steps.length, 1);
  t.is(p.steps[0]!.stdin!.toString(), 'hello\n');
  t.regex(p.steps[0]!.cmd, /mktemp \/etc\/sre\/\.a\.conf\.tsplay\.XXXXXX/);
  t.regex(p.steps[0]!.cmd, /chmod 0640 "\$t"/);
  t.regex(p.steps[0]!.cmd, /mv -f "\$t" \/etc\/sre\/a\.conf$/);
  t.is(p.result?.checksum, sha1('hello\n'));
});

test('copy: same checksum and attributes → no steps; only the mode differs → chmod only', async (t) => {
  const same = await plan(copyModule, { content: 'hello\n', dest: '/a', mode: '644' }, () => statOutput({ sha1: sha1('hello\n') }) + SEP + statOutput({ dir: true }) + SEP);
  t.deepEqual(same.steps, []);
  const mode = await plan(copyModule, { content: 'hello\n', dest: '/a', mode: 0o600 }, () => statOutput({ sha1: sha1('hello\n') }) + SEP + statOutput({ dir: true }) + SEP);
  t.deepEqual(mode.steps.map((s) => s.cmd), ['chmod 0600 /a']);
  t.deepEqual(mode.diff?.[0]?.after, 'mode: 0600\n');
});

test('copy: force=false leaves an existing file alone; a missing directory fails', async (t) => {
  const kept = await plan(copyModule, { content: 'new', dest: '/a', force: false }, () => statOutput({ sha1: 'old' }) + SEP + statOutput({ dir: true }) + SEP);
  t.deepEqual([kept.steps, kept.result?.msg], [[], 'file already exists']);
  const nodir = await plan(copyModule, { content: 'x', dest: '/no/such/a' }, () => statOutput(undefined) + SEP + statOutput(undefined) + SEP);
  t.true(nodir.failed);
  t.is(nodir.msg, 'Destination directory /no/such does not exist');
});

test('copy: a dest value with quotes, $() and backticks is one quoted word', async (t) => {
  const dest = `/srv/it's $(id) \`id\`.txt`;
  const p = await plan(copyModule, { content: 'x', dest }, () => statOutput(undefined) + SEP + statOutput({ dir: true }) + SEP);
  t.true(p.steps[0]!.cmd.includes(`mv -f "$t" '/srv/it'\\''s $(id) \`id\`.txt'`));
});

test('copy src: the controller file; dest/ → dest/basename', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-plan-'));
  writeFileSync(join(dir, 'motd'), 'welcome\n');
  const seen: string[] = [];
  const p = await plan(copyModule, { src: 'motd', dest: '/etc/' }, () => statOutput({ dir: true }) + SEP + statOutput(undefined) + SEP + statOutput({ dir: true }) + SEP, {
    seen,
    files: { motd: join(dir, 'motd') },
  });
  t.is(p.result?.dest, '/etc/motd');
  t.is(p.steps[0]!.stdin!.toString(), 'welcome\n');
});

test('file: directory absent → one step creating each missing level with its mode', async (t) => {
  const p = await plan(fileModule, { path: '/srv/a/b', state: 'directory', mode: '0750' }, () => statOutput(undefined) + SEP);
  t.is(p.steps.length, 1);
  t.is(p.steps[0]!.cmd, `for d in /srv /srv/a /srv/a/b; do [ -d "$d" ] || { mkdir -- "$d" && chmod 0750 "$d"; } || exit 1; done`);
  const there = await plan(fileModule, { path: '/srv/a/b', state: 'directory', mode: '0750' }, () => statOutput({ dir: true, mode: '750' }) + SEP);
  t.deepEqual(there.steps, []);
});

test('file: state=file on a missing path fails as in Ansible; touch is always changed', async (t) => {
  const missing = await plan(fileModule, { path: '/x', state: 'file' }, () => statOutput(undefined) + SEP);
  t.deepEqual([missing.failed, missing.msg], [true, 'file (/x) is absent, cannot continue']);
  const touch = await plan(fileModule, { path: '/x', state: 'touch' }, () => statOutput({}) + SEP);
  // an existing path: both times set to now (one step, so changed), content and attributes kept
  t.deepEqual(touch.steps.map((s) => s.cmd), ['touch -c -- /x']);
  const made = await plan(fileModule, { path: '/x', state: 'touch' }, () => statOutput(undefined) + SEP);
  t.deepEqual(made.steps.map((s) => s.cmd), ['touch -- /x']);
});

test('file: link over a regular file needs force', async (t) => {
  const refused = await plan(fileModule, { path: '/x', state: 'link', src: '/y' }, () => statOutput({}) + SEP + statOutput({}) + SEP);
  t.is(refused.msg, 'refusing to convert from file to symlink for /x');
  const forced = await plan(fileModule, { path: '/x', state: 'link', src: '/y', force: true }, () => statOutput({}) + SEP + statOutput({}) + SEP);
  t.deepEqual(forced.steps.map((s) => s.cmd), ['ln -sfn -- /y /x']);
});

test('lineinfile: plans the new content from the current one; no write when it is already there', async (t) => {
  const b64 = (s: string) => Buffer.from(s).toString('base64') + '\n';
  const current = 'listen=udp:1.2.3.4:5060\nfork=yes\n';
  const answer = () => statOutput({}) + SEP + 'content\n' + b64(current);
  const p = await plan(lineinfileModule, { path: '/etc/k.cfg', regexp: '^fork=', line: 'fork=no' }, answer, { diff: true });
  t.is(p.steps.length, 1);
  t.is(p.steps[0]!.stdin, 'listen=udp:1.2.3.4:5060\nfork=no\n');
  t.deepEqual(p.diff?.[0], { path: '/etc/k.cfg', before: current, after: 'listen=udp:1.2.3.4:5060\nfork=no\n', beforeHeader: '/etc/k.cfg (content)', afterHeader: '/etc/k.cfg (content)' });
  t.is(p.msg, 'line replaced');
  const ok = await plan(lineinfileModule, { path: '/etc/k.cfg', regexp: '^fork=', line: 'fork=yes' }, answer);
  t.deepEqual(ok.steps, []);
  const missing = await plan(lineinfileModule, { path: '/nope', line: 'x' }, () => statOutput(undefined) + SEP);
  t.deepEqual([missing.failed, missing.msg], [true, 'Destination /nope does not exist !']);
});

test('stat: never any step; Ansible field names', async (t) => {
  const probe = 'exists=1\nmode=640\nftype=regular file\nuid=0\ngid=0\nowner=kamailio\ngroup=root\nsize=6\nmtime=1700000000.5\nreadable=1\nmime=/a: text/plain; charset=us-ascii\nchecksum=abc\nlsattr=5 --------------e------- /a\n';
  const p = await plan(statModule, { path: '/a' }, () => probe);
  t.deepEqual(p.steps, []);
  t.like(p.result?.stat as object, {
    exists: true, isreg: true, isdir: false, islnk: false, mode: '0640', pw_name: 'kamailio', checksum: 'abc', mtime: 1700000000.5,
    readable: true, writeable: false, rusr: true, wusr: true, xusr: false, rgrp: true, roth: false, mimetype: 'text/plain', charset: 'us-ascii',
    version: '5', attr_flags: 'e', attributes: ['extents'],
  });
});

test('fetch: remote missing fails unless fail_on_missing=false', async (t) => {
  const failed = await plan(fetchModule, { src: '/var/log/x', dest: '/tmp/f' }, () => statOutput(undefined));
  t.true(failed.failed);
  const ignored = await plan(fetchModule, { src: '/var/log/x', dest: '/tmp/f', fail_on_missing: false }, () => statOutput(undefined));
  t.falsy(ignored.failed);
  t.deepEqual(ignored.steps, []);
});

test('script: free-form words are quoted, k=v options taken out; unpredictable', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-plan-'));
  writeFileSync(join(dir, 'x.sh'), 'echo hi\n');
  const p = await plan(scriptModule, `x.sh --name "a b" '$(id)' chdir=/srv`, () => '', { files: { 'x.sh': join(dir, 'x.sh') } });
  t.true(p.unpredictable);
  t.regex(p.steps[0]!.cmd, /cd \/srv \|\| exit 1\n"\$t" --name 'a b' '\$\(id\)' < \/dev\/null$/);
  t.is(p.steps[0]!.stdin!.toString(), 'echo hi\n');
});
