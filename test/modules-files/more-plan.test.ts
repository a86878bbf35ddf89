/** The pure level for replace, blockinfile, ini_file, unarchive, get_url, find, tempfile, assemble: arguments + what the host reports → steps. */
import test from 'ava';
import { createHash } from 'node:crypto';
import { blockEdit, blockinfileModule } from '../../src/modules/blockinfile.js';
import { assembleFragments, assembleModule } from '../../src/modules/assemble.js';
import { findModule, nameMatches, parseAge, parseSize, selectEntries, type Entry, type FindArgs } from '../../src/modules/find.js';
import { checksumFromFile, curlConfig, downloadScript, getUrlModule, urlFilename, type GetUrlArgs } from '../../src/modules/get-url.js';
import { iniEdit, type IniEdit } from '../../src/modules/ini-file-edit.js';
import { iniFileModule } from '../../src/modules/ini-file.js';
import { findModule as registered } from '../../src/modules/registry.js';
import { replaceModule, section, substitute } from '../../src/modules/replace.js';
import { mktempCommand, tempfileModule } from '../../src/modules/tempfile.js';
import { differences, extractCommand, filesInArchive, handlerFor, managedPaths, unarchiveModule, type UnarchiveArgs } from '../../src/modules/unarchive.js';
import type { ModuleDef, Plan } from '../../src/modules/types.js';
import { fakeContext, statOutput } from './helpers.js';

const where = { file: 'test.yml', line: 3 };
const SEP = '--tsplay-stat--\n';
const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const readAnswer = (content: string | undefined, f: Parameters<typeof statOutput>[0] = {}) => () =>
  content === undefined ? statOutput(undefined) + SEP : statOutput(f) + SEP + 'content\n' + Buffer.from(content).toString('base64') + '\n';

async function plan<A>(mod: ModuleDef<A>, raw: unknown, answer: (cmd: string) => string, opts: Parameters<typeof fakeContext>[1] = {}): Promise<Plan> {
  return mod.plan(mod.parse(raw, where, false), fakeContext(answer, opts));
}

test('every module and its qualified names are in the registry', (t) => {
  for (const name of ['replace', 'blockinfile', 'ini_file', 'unarchive', 'get_url', 'find', 'tempfile', 'assemble']) {
    t.truthy(registered(name), name);
    t.is(registered(`ansible.builtin.${name}`), registered(name));
  }
  t.is(registered('community.general.ini_file'), iniFileModule);
});

// --- replace -------------------------------------------------------------------------------

test('replace: Python templates (\\1, \\g<name>), multiline anchors, every match', (t) => {
  const text = 'ListenAddress 1.2.3.4\n#x\nListenAddress 5.6.7.8\n';
  t.deepEqual(substitute(text, '^(ListenAddress[ ]+)[^\\n]+$', '\\g<1>0.0.0.0'), { text: 'ListenAddress 0.0.0.0\n#x\nListenAddress 0.0.0.0\n', count: 2 });
  t.is(substitute('a localhost b', '\\b(?P<h>localhost)(\\d*)\\b', '\\g<h>\\2.localdomain').text, 'a localhost.localdomain b');
  t.is(substitute('x=1\n', '(?i)X=(\\d)', 'x=\\1\\1').text, 'x=11\n');
  t.deepEqual(section('a\n<V>\nb\n</V>\nb\n', '<V>', '</V>'), { start: 5, end: 8 });
  t.is(section('abc', 'zzz'), undefined);
});

test('replace: a change is one atomic write; no match → ok; missing file fails (rc 257)', async (t) => {
  const p = await plan(replaceModule, { path: '/etc/hosts', regexp: '^old', replace: 'new', backup: true }, readAnswer('old line\nkeep\n'), { diff: true });
  t.is(p.steps.length, 1);
  t.is(p.steps[0]!.stdin, 'new line\nkeep\n');
  t.regex(p.steps[0]!.cmd, /mv -f "\$t" \/etc\/hosts$/);
  t.regex(String(p.result?.backup_file), /^\/etc\/hosts\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~$/);
  t.is(p.msg, '1 replacements made');
  t.like(p.diff?.[0], { before: 'old line\nkeep\n', after: 'new line\nkeep\n', beforeHeader: '/etc/hosts' });
  const same = await plan(replaceModule, { path: '/etc/hosts', regexp: '^nothing' }, readAnswer('old\n'));
  t.deepEqual([same.steps, same.msg], [[], '']);
  const missing = await plan(replaceModule, { path: '/nope', regexp: 'x' }, readAnswer(undefined));
  t.like(missing, { failed: true, msg: 'Path /nope does not exist !', result: { rc: 257 } });
  const between = await plan(replaceModule, { path: '/f', regexp: '^', replace: '# ', after: 'BEGIN\\n', before: 'END' }, readAnswer('a\nBEGIN\nb\nc\nEND\nd\n'));
  // As Python's re.subn: a multiline ^ also matches right after the section's last newline.
  t.is(between.steps[0]!.stdin, 'a\nBEGIN\n# b\n# c\n# END\nd\n');
});

test('replace: only the mode differs → chmod, and the message says so', async (t) => {
  const p = await plan(replaceModule, { path: '/f', regexp: 'zzz', mode: '0600' }, readAnswer('a\n', { mode: '644' }));
  t.deepEqual(p.steps.map((s) => s.cmd), ['chmod 0600 /f']);
  t.is(p.msg, 'ownership, perms or SE linux context changed');
});

test('replace: a bad regexp is a parse error naming the argument', (t) => {
  t.throws(() => replaceModule.parse({ path: '/f', regexp: '(' }, where, false), { message: /replace: argument 'regexp' is not a valid regular expression/ });
  t.throws(() => replaceModule.parse({ path: '/f' }, where, false), { message: /missing required argument 'regexp'/ });
});

// --- blockinfile ---------------------------------------------------------------------------

const block = (over: Partial<Parameters<typeof blockEdit>[1]>) => ({
  state: 'present' as const, marker: '# {mark} ANSIBLE MANAGED BLOCK', block: 'a\nb', marker_begin: 'BEGIN', marker_end: 'END', append_newline: false, prepend_newline: false, ...over,
});

test('blockinfile: inserted at EOF, updated in place, removed; idempotent', (t) => {
  const once = blockEdit('x\ny', block({}));
  t.is(once, 'x\ny\n# BEGIN ANSIBLE MANAGED BLOCK\na\nb\n# END ANSIBLE MANAGED BLOCK\n');
  t.is(blockEdit(once, block({})), once);
  t.is(blockEdit(once + 'z\n', block({ block: 'c' })), 'x\ny\n# BEGIN ANSIBLE MANAGED BLOCK\nc\n# END ANSIBLE MANAGED BLOCK\nz\n');
  t.is(blockEdit(once, block({ state: 'absent' })), 'x\ny\n');
  t.is(blockEdit(once, block({ block: '' })), 'x\ny\n', 'an empty block removes it');
});

test('blockinfile: insertbefore BOF, insertafter a regexp (last match), custom markers, blank lines around', (t) => {
  t.is(blockEdit('x\n', block({ insertbefore: 'BOF' })), '# BEGIN ANSIBLE MANAGED BLOCK\na\nb\n# END ANSIBLE MANAGED BLOCK\nx\n');
  t.is(blockEdit('[a]\nk=1\n[a]\nk=2\n[b]\n', block({ insertafter: '^\\[a\\]$', block: 'n=1' })), '[a]\nk=1\n[a]\n# BEGIN ANSIBLE MANAGED BLOCK\nn=1\n# END ANSIBLE MANAGED BLOCK\nk=2\n[b]\n');
  t.is(blockEdit('x\n', block({ insertafter: 'nomatch' })), 'x\n# BEGIN ANSIBLE MANAGED BLOCK\na\nb\n# END ANSIBLE MANAGED BLOCK\n');
  t.is(blockEdit('x\n', block({ marker: '<!-- {mark} -->', marker_begin: 'start', marker_end: 'stop', block: 'y' })), 'x\n<!-- start -->\ny\n<!-- stop -->\n');
  t.is(blockEdit('x\nz\n', block({ insertafter: '^x', block: 'y', prepend_newline: true, append_newline: true })), 'x\n\n# BEGIN ANSIBLE MANAGED BLOCK\ny\n# END ANSIBLE MANAGED BLOCK\n\nz\n');
});

test('blockinfile plan: create, a missing file without create fails, absent on a missing file is ok', async (t) => {
  const created = await plan(blockinfileModule, { path: '/etc/sre/x.cfg', block: 'k=v', create: true, mode: '0640' }, readAnswer(undefined));
  t.deepEqual(created.steps.map((s) => s.cmd.split('\n')[0]), ['mkdir -p -- /etc/sre', "t=$(mktemp /etc/sre/.x.cfg.tsplay.XXXXXX) || exit 1"]);
  t.is(created.msg, 'File created');
  t.like(await plan(blockinfileModule, { path: '/nope', block: 'k' }, readAnswer(undefined)), { failed: true, msg: 'Path /nope does not exist !' });
  t.like(await plan(blockinfileModule, { path: '/nope', state: 'absent', create: true }, readAnswer(undefined)), { steps: [], msg: 'File /nope not present' });
  t.is((await plan(blockinfileModule, { path: '/f', block: 'k' }, readAnswer('# BEGIN ANSIBLE MANAGED BLOCK\nk\n# END ANSIBLE MANAGED BLOCK\n'))).steps.length, 0);
  t.throws(() => blockinfileModule.parse({ path: '/f', insertafter: 'a', insertbefore: 'b' }, where, false), { message: /mutually exclusive/ });
});

// --- ini_file ------------------------------------------------------------------------------

const ini = (over: Partial<IniEdit>): IniEdit => ({ values: [], state: 'present', exclusive: true, no_extra_spaces: false, ignore_spaces: false, allow_no_value: false, ...over });

test('ini_file: set, change, add a section, comment replaced, no_extra_spaces, idempotent', (t) => {
  const base = '[db]\nhost = a\n\n[web]\nport = 80\n';
  t.deepEqual(iniEdit(base, ini({ section: 'db', option: 'host', values: ['a'] })), { text: base, changed: false, msg: 'OK' });
  t.deepEqual(iniEdit(base, ini({ section: 'db', option: 'host', values: ['b'] })), { text: base.replace('host = a', 'host = b'), changed: true, msg: 'option changed' });
  t.deepEqual(iniEdit(base, ini({ section: 'db', option: 'port', values: ['5432'] })), { text: '[db]\nhost = a\nport = 5432\n\n[web]\nport = 80\n', changed: true, msg: 'option added' });
  t.deepEqual(iniEdit(base, ini({ section: 'new', option: 'k', values: ['v'] })), { text: base + '[new]\nk = v\n', changed: true, msg: 'section and option added' });
  t.is(iniEdit('[a]\n#k = old\n', ini({ section: 'a', option: 'k', values: ['v'] })).text, '[a]\nk = v\n');
  t.is(iniEdit(undefined, ini({ section: 'a', option: 'k', values: ['v'], no_extra_spaces: true })).text, '\n[a]\nk=v\n');
  t.is(iniEdit('k = 1\n[a]\n', ini({ option: 'k', values: ['2'] })).text, 'k = 2\n[a]\n', 'no section: before the first one');
});

test('ini_file: absent option or section, multiple values, exclusive false, allow_no_value, section_has', (t) => {
  const base = '[a]\nk = 1\nk = 2\nj = 3\n[b]\nx = y\n';
  t.is(iniEdit(base, ini({ section: 'a', option: 'k', state: 'absent' })).text, '[a]\nj = 3\n[b]\nx = y\n');
  t.is(iniEdit(base, ini({ section: 'a', option: 'k', state: 'absent', exclusive: false, values: ['2'] })).text, '[a]\nk = 1\nj = 3\n[b]\nx = y\n');
  t.is(iniEdit(base, ini({ section: 'b', state: 'absent' })).text, '[a]\nk = 1\nk = 2\nj = 3\n');
  t.is(iniEdit(base, ini({ section: 'a', option: 'k', values: ['2', '4'] })).text, '[a]\nk = 4\nk = 2\nj = 3\n[b]\nx = y\n');
  t.is(iniEdit(base, ini({ section: 'a', option: 'k', values: ['5'], exclusive: false })).text, '[a]\nk = 1\nk = 2\nj = 3\nk = 5\n[b]\nx = y\n');
  t.is(iniEdit('[mysqld]\n', ini({ section: 'mysqld', option: 'skip-name-resolve', allow_no_value: true })).text, '[mysqld]\nskip-name-resolve\n');
  const peers = '[Peer]\nAllowedIps = 10.0.0.1\nKey = a\n[Peer]\nAllowedIps = 10.0.0.2\nKey = b\n';
  t.is(iniEdit(peers, ini({ section: 'Peer', section_has: [{ option: 'AllowedIps', value: '10.0.0.2' }], option: 'Key', values: ['c'] })).text, peers.replace('Key = b', 'Key = c'));
});

test('ini_file plan: value required with state=present; a new file is created with its directory', async (t) => {
  t.throws(() => iniFileModule.parse({ path: '/f', section: 's', option: 'o' }, where, false), { message: /Parameter 'value\(s\)' must be defined/ });
  t.throws(() => iniFileModule.parse({ path: '/f', option: 'o', value: 'a', values: ['b'] }, where, false), { message: /mutually exclusive/ });
  const p = await plan(iniFileModule, { path: '/etc/sre/a.ini', section: 's', option: 'o', value: 'v' }, readAnswer(undefined));
  t.is(p.steps[0]!.cmd, 'mkdir -p -- /etc/sre');
  t.is(p.steps[1]!.stdin, '\n[s]\no = v\n');
  t.like(p.result, { path: '/etc/sre/a.ini', msg: 'section and option added' });
  const missing = await plan(iniFileModule, { path: '/f', section: 's', option: 'o', value: 'v', create: false }, readAnswer(undefined));
  t.like(missing, { failed: true, msg: 'Destination /f does not exist!' });
  const ok = await plan(iniFileModule, { path: '/f', section: 's', option: 'o', value: 'v' }, readAnswer('[s]\no = v\n'));
  t.deepEqual([ok.steps, ok.msg], [[], 'OK']);
});

// --- tempfile, assemble --------------------------------------------------------------------

test('tempfile: mktemp with prefix/suffix/dir; skipped in check mode (as Ansible, no check mode)', async (t) => {
  t.is(mktempCommand({ state: 'file', prefix: 'ansible.', suffix: '' }), "mktemp --tmpdir -- ansible.XXXXXXXX");
  t.is(mktempCommand({ state: 'directory', path: '/srv/t', prefix: 'build', suffix: '.d' }), "mktemp -d --tmpdir=/srv/t --suffix=.d -- buildXXXXXXXX");
  const p = await plan(tempfileModule, {}, () => '');
  t.true(p.unpredictable);
  t.throws(() => tempfileModule.parse({ prefix: 'a/b' }, where, false), { message: /prefix/ });
});

test('assemble: sorted fragments, newline glue, delimiter, regexp, hidden', (t) => {
  const frags = [
    { name: '10-b', data: Buffer.from('b') },
    { name: '00-a', data: Buffer.from('a\n') },
    { name: '.hidden', data: Buffer.from('h\n') },
    { name: '20-c.bak', data: Buffer.from('c\n') },
  ];
  t.is(assembleFragments(frags, { ignore_hidden: true }).toString(), 'a\nb\nc\n');
  t.is(assembleFragments(frags, { ignore_hidden: false, delimiter: '### \\t' }).toString(), 'h\n### \t\na\n### \t\nb\n### \t\nc\n');
  t.is(assembleFragments(frags, { ignore_hidden: true, regexp: '^\\d+-[a-z]$' }).toString(), 'a\nb');
});

test('assemble plan: fragments read on the target; same checksum → ok; a missing src fails', async (t) => {
  const frag = (name: string, data: string) => `@@tsplay-fragment@@${Buffer.from(name).toString('base64')}\n${Buffer.from(data).toString('base64')}\n`;
  const listing = 'ok\n' + frag('a', 'one\n') + frag('b', 'two\n');
  const answer = (destSha?: string) => (cmd: string) => (cmd.includes("@@tsplay-fragment@@") ? listing : statOutput(destSha ? { sha1: destSha } : undefined) + SEP + statOutput({ dir: true }) + SEP);
  const p = await plan(assembleModule, { src: '/etc/sre/conf.d', dest: '/etc/sre/all.conf' }, answer());
  t.is(p.steps[0]!.stdin!.toString(), 'one\ntwo\n');
  t.like(p.result, { checksum: sha1('one\ntwo\n'), src: '/etc/sre/conf.d', msg: 'OK' });
  t.deepEqual((await plan(assembleModule, { src: '/d', dest: '/f' }, answer(sha1('one\ntwo\n')))).steps, []);
  t.like(await plan(assembleModule, { src: '/d', dest: '/f' }, () => 'missing\n'), { failed: true, msg: 'Source (/d) does not exist' });
});

// --- find ----------------------------------------------------------------------------------

const entry = (path: string, over: Partial<Entry> = {}): Entry => ({
  type: 'f', mode: 0o644, uid: 0, gid: 0, owner: 'root', group: 'root', size: 100, inode: 1, dev: 1, nlink: 1, atime: 1000, mtime: 1000, ctime: 1000, path, ...over,
});
const findArgs = (over: Partial<FindArgs>): FindArgs => findModule.parse({ paths: ['/var/log'], ...over }, where, false) as FindArgs;

test('find: patterns (glob or regex), excludes, hidden, type, age, size', (t) => {
  t.is(parseAge('2d'), 172800);
  t.is(parseAge('-1w'), -604800);
  t.is(parseSize('10m'), 10485760);
  t.is(parseSize('-1k'), -1024);
  t.true(nameMatches('app.log', { patterns: ['*.log'], use_regex: false }));
  t.false(nameMatches('app.log', { patterns: ['*.log'], excludes: ['app*'], use_regex: false }));
  t.true(nameMatches('app.log.1', { patterns: ['.*\\.log\\.\\d'], use_regex: true }));
  t.false(nameMatches('xapp.log', { patterns: ['app'], use_regex: true }), 're.match anchors at the start');
  const entries = [
    entry('/var/log/a.log', { mtime: 0 }),
    entry('/var/log/new.log', { mtime: 99_000 }),
    entry('/var/log/.hidden.log', { mtime: 0 }),
    entry('/var/log/sub', { type: 'd', mtime: 0 }),
    entry('/var/log/big.log', { mtime: 0, size: 5 * 1024 * 1024 }),
  ];
  const now = 100_000;
  t.deepEqual(selectEntries(entries, findArgs({ patterns: ['*.log'], age: '1d' }), now).map((e) => e.path), ['/var/log/a.log', '/var/log/big.log']);
  t.deepEqual(selectEntries(entries, findArgs({ hidden: true, age: '1d', size: '-1m' }), now).map((e) => e.path), ['/var/log/a.log', '/var/log/.hidden.log']);
  t.deepEqual(selectEntries(entries, findArgs({ file_type: 'directory' }), now).map((e) => e.path), ['/var/log/sub']);
  t.throws(() => findModule.parse({ paths: '/x', age: '3 days' }, where, false), { message: /find: failed to process age/ });
});

test('find plan: one listing probe, a directory that is missing is skipped with a warning; never changed', async (t) => {
  const rec = (p: string, type = 'f') => `${type}\t644\t0\t0\troot\troot\t10\t5\t2049\t1\t1000.5\t1000.5\t1000.5\t${p}\0`;
  const out = 'now=5000\npath\0' + rec('/a/x.log') + rec('/a/y.txt') + 'end\0notdir\0';
  const seen: string[] = [];
  const p = await plan(findModule, { paths: ['/a', '/missing'], patterns: '*.log' }, () => out, { seen });
  t.is(seen.length, 1);
  t.regex(seen[0]!, /find \/a -mindepth 1 -maxdepth 1 -printf/);
  t.deepEqual(p.steps, []);
  t.like(p.result, { matched: 1, examined: 2, msg: 'Not all paths examined, check warnings for details', skipped_paths: { '/missing': "'/missing' is not a directory" } });
  t.like((p.result!.files as Record<string, unknown>[])[0], { path: '/a/x.log', mode: '0644', isreg: true, pw_name: 'root', mtime: 1000.5, roth: true, woth: false });
});

// --- get_url -------------------------------------------------------------------------------

test('get_url: file name from the URL, checksum files, curl config carries secrets (not argv)', (t) => {
  t.is(urlFilename('http://h/dl/sre-4.0.2.tar.gz?x=1'), 'sre-4.0.2.tar.gz');
  t.is(urlFilename('http://h/'), 'index.html');
  t.is(checksumFromFile('abc123  ./a.tgz\ndef456 *b.tgz\n', 'b.tgz'), 'def456');
  t.is(checksumFromFile('abc123\n', 'whatever'), 'abc123');
  t.is(checksumFromFile('abc123  a.tgz\n', 'c.tgz'), undefined);
  const a = getUrlModule.parse({ url: 'https://h/f', dest: '/d', url_username: 'u', url_password: 'p"w', headers: { 'X-Token': 't' } }, where, false) as GetUrlArgs;
  const cfg = curlConfig(a);
  t.regex(cfg, /^user = "u:p\\"w"$/m);
  t.regex(cfg, /^header = "X-Token: t"$/m);
  t.regex(cfg, /^location$/m);
  const script = downloadScript({ tool: 'curl', url: a.url, dest: '/d', checksum: { algo: 'sha256', value: 'ab' }, place: {} });
  t.false(script.includes('p"w'));
  t.regex(script, /curl -K "\$cfg"/);
  t.regex(script, /sha256sum < "\$d"/);
});

test('get_url: argument errors name the argument', (t) => {
  t.throws(() => getUrlModule.parse({ url: 'h/f', dest: '/d' }, where, false), { message: /get_url: argument 'url' must start with http/ });
  t.throws(() => getUrlModule.parse({ url: 'http://h/f', dest: '/d', checksum: 'abc' }, where, false), { message: /<algorithm>:<checksum>/ });
  t.throws(() => getUrlModule.parse({ url: 'http://h/f', dest: '/d', checksum: 'crc:12' }, where, false), { message: /checksum algorithm/ });
});

test('get_url plan: a dest with the right checksum is not downloaded; otherwise one download step', async (t) => {
  const good = 'a'.repeat(64);
  const answer = (digest: string) => (cmd: string) =>
    cmd.startsWith('if command -v curl') ? `tool=curl\n${digest}\n-\n` : statOutput({ sha1: 'x' }) + SEP + statOutput(undefined) + SEP + statOutput({ dir: true }) + SEP;
  const same = await plan(getUrlModule, { url: 'http://h/sre.tgz', dest: '/opt/sre.tgz', checksum: `sha256:${good}` }, answer(good));
  t.deepEqual([same.steps, same.msg], [[], 'file already exists']);
  const other = await plan(getUrlModule, { url: 'http://h/sre.tgz', dest: '/opt/sre.tgz', checksum: `sha256:${good}` }, answer('b'.repeat(64)));
  t.is(other.steps.length, 1);
  t.regex(other.steps[0]!.cmd, /mktemp \/opt\/.tsplay-get_url.XXXXXX[\s\S]*mv -f "\$d" \/opt\/sre\.tgz/);
  t.notRegex(other.steps[0]!.cmd, / -z /, 'a checksum mismatch forces the download');
  const seen: string[] = [];
  const missing = (cmd: string) =>
    cmd.startsWith('if command -v curl') ? 'tool=curl\n' : cmd.includes('/opt/sre.tgz') ? statOutput(undefined) + SEP + statOutput(undefined) + SEP + statOutput({ dir: true }) + SEP : statOutput({ dir: true }) + SEP;
  const check = await getUrlModule.plan(getUrlModule.parse({ url: 'http://h/sre.tgz', dest: '/opt/sre.tgz' }, where, false), { ...fakeContext(missing, { seen }), check: true });
  t.is(check.steps.length, 1, 'check mode, dest missing: it would change');
  // as Ansible's check mode: the URL is asked with a HEAD request (a probe), nothing is downloaded
  t.deepEqual(seen.filter((c) => c.includes('curl -K')).map((c) => / -I -o \/dev\/null /.test(c)), [true], 'one HEAD request');
  t.false(seen.some((c) => c.includes('-o "$d"')), 'nothing downloaded');
  const noCurl = await plan(getUrlModule, { url: 'http://h/sre.tgz', dest: '/opt/sre.tgz' }, (cmd) => (cmd.startsWith('if command -v curl') ? 'tool=\n' : ''));
  t.like(noCurl, { failed: true, msg: 'get_url needs curl or wget on the target: neither was found in PATH' });
});

// --- unarchive -----------------------------------------------------------------------------

const ua = (over: Record<string, unknown> = {}) => unarchiveModule.parse({ src: 'a.tgz', dest: '/opt/app', ...over }, where, false) as UnarchiveArgs;

test('unarchive: handler from the magic bytes; extraction commands as Ansible builds them', (t) => {
  t.is(handlerFor('1f8b0800'), 'TgzArchive');
  t.is(handlerFor('504b0304'), 'ZipArchive');
  t.is(handlerFor('fd377a585a00'), 'TarXzArchive');
  t.is(handlerFor('6170702f'), 'TarArchive');
  t.is(extractCommand(ua({ exclude: ['*.bak'], keep_newer: true }), 'TgzArchive'), `tar --extract -C /opt/app -z --keep-newer-files --exclude='*.bak' -f "$a"`);
  t.is(extractCommand(ua({ extra_opts: ['--strip-components=1'] }), 'TarArchive'), `tar --extract -C /opt/app --show-transformed-names --strip-components=1 -f "$a"`);
  t.is(extractCommand(ua({ include: ['bin/app'] }), 'ZipArchive'), `unzip -o "$a" bin/app -d /opt/app`);
  t.true(ua({ copy: false }).remote_src, 'copy: no is the old remote_src: yes');
  t.throws(() => unarchiveModule.parse({ src: 'a', dest: '/d', include: ['a'], exclude: ['b'] }, where, false), { message: /mutually exclusive/ });
});

test('unarchive: which tar --diff lines mean "not unpacked yet" (Ansible filter)', (t) => {
  const out = ['app/bin: Mod time differs', 'app/x: Uid differs', 'app/y: Mode differs', 'app/z: Size differs', 'app/n: Warning: Cannot stat: No such file or directory'].join('\n');
  t.deepEqual(differences(out, {}), ['app/bin: Mod time differs', 'app/x: Uid differs', 'app/y: Mode differs', 'app/n: Warning: Cannot stat: No such file or directory']);
  t.deepEqual(differences(out, { owner: 'sre', mode: '0755' }), ['app/bin: Mod time differs', 'app/n: Warning: Cannot stat: No such file or directory']);
  t.deepEqual(differences('', {}), []);
  t.deepEqual(filesInArchive('/abs/f\napp/\napp/bin\n'), ['abs/f', 'app/', 'app/bin']);
  t.deepEqual(managedPaths(['app/', 'app/bin', 'top.txt']), ['app', 'app/bin', 'top.txt']);
});

test('unarchive plan: unpacked already → ok; differences → one extraction step with the archive on stdin', async (t) => {
  const probe = (diff: string) => () => `magic=1f8b08000000\n@@tsplay-unarchive@@list\napp/\napp/bin\n@@tsplay-unarchive@@diff\n${diff}`;
  const files = { 'a.tgz': new URL(import.meta.url).pathname };
  const done = await plan(unarchiveModule, { src: 'a.tgz', dest: '/opt', list_files: true }, probe(''), { files });
  t.deepEqual(done.steps, []);
  t.false(done.changed);
  t.like(done.result, { handler: 'TgzArchive', files: ['app/', 'app/bin'] });
  const todo = await plan(unarchiveModule, { src: 'a.tgz', dest: '/opt' }, probe('app/bin: Mod time differs\n'), { files });
  t.is(todo.steps.length, 1);
  t.regex(todo.steps[0]!.cmd, /cat > "\$a"[\s\S]*tar --extract -C \/opt -z -f "\$a"$/);
  t.truthy(todo.steps[0]!.stdin);
  const skipped = await plan(unarchiveModule, { src: 'a.tgz', dest: '/opt', creates: '/opt/app' }, () => 'yes\n', { files });
  t.like(skipped, { steps: [], result: { skipped: true, msg: 'skipped, since /opt/app exists' } });
  t.like(await plan(unarchiveModule, { src: '/x.tgz', dest: '/opt', remote_src: true }, () => 'state=missing\n'), { failed: true, msg: "Source '/x.tgz' does not exist" });
  t.like(await plan(unarchiveModule, { src: '/x.tgz', dest: '/no', remote_src: true }, () => 'state=notdir\n'), { failed: true, msg: "Destination '/no' is not a directory" });
});

test('replace, blockinfile, ini_file refuse a file that is not UTF-8 instead of mangling its bytes', async (t) => {
  const latin1 = () => statOutput({}) + SEP + 'content\n' + Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]).toString('base64') + '\n';
  for (const [mod, args] of [
    [replaceModule, { path: '/f', regexp: 'caf' }],
    [blockinfileModule, { path: '/f', block: 'x' }],
    [iniFileModule, { path: '/f', section: 's', option: 'o', value: 'v' }],
  ] as const) {
    const p = await plan(mod as ModuleDef, args, latin1);
    t.like(p, { failed: true, steps: [], msg: '/f is not UTF-8 text: refusing to edit it' }, mod.name);
  }
});

test('blockinfile: an insertafter with (?m) searches the whole file', (t) => {
  t.is(blockEdit('[a]\nx=1\n[b]\n', block({ insertafter: '(?m)^\\[a\\]\\nx=1$', block: 'y=2' })), '[a]\nx=1\n# BEGIN ANSIBLE MANAGED BLOCK\ny=2\n# END ANSIBLE MANAGED BLOCK\n[b]\n');
});
