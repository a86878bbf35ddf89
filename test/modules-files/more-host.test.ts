/** replace, blockinfile, ini_file, unarchive, get_url, find, tempfile, assemble on a fleet host (real tar, unzip, curl, wget). */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { assembleModule } from '../../src/modules/assemble.js';
import { blockinfileModule } from '../../src/modules/blockinfile.js';
import { findModule } from '../../src/modules/find.js';
import { getUrlModule } from '../../src/modules/get-url.js';
import { iniFileModule } from '../../src/modules/ini-file.js';
import { replaceModule } from '../../src/modules/replace.js';
import { tempfileModule } from '../../src/modules/tempfile.js';
import type { FileDiff } from '../../src/modules/types.js';
import { unarchiveModule } from '../../src/modules/unarchive.js';
import { runModule } from '../../src/executor/run-module.js';
import { startFilesLab, type FilesLab } from './helpers.js';

let lab: FilesLab;
let server: Server;
let base: string;
const H = 'h1';
const served = new Map<string, { body: Buffer; mtime: Date }>();
const requests: { path: string; method?: string; ims?: string; auth?: string }[] = [];
/** The requests for one path (tests run concurrently: other paths are other tests'). */
const requestsFor = (path: string) => requests.filter((r) => r.path === path);

test.before(async () => {
  lab = await startFilesLab(1);
  mkdirSync(join(lab.local, 'files'), { recursive: true });
  // A small HTTP server on loopback: 404 for unknown paths, 304 for If-Modified-Since, as a real one.
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({ path, method: req.method, ims: req.headers['if-modified-since'], auth: req.headers.authorization });
    const f = served.get(path);
    if (!f) return res.writeHead(404).end('not found');
    const ims = req.headers['if-modified-since'];
    if (ims && Math.floor(f.mtime.getTime() / 1000) <= Date.parse(ims) / 1000) return res.writeHead(304).end();
    res.writeHead(200, { 'Last-Modified': f.mtime.toUTCString(), 'Content-Length': f.body.length }).end(f.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.after.always(async () => {
  server?.close();
  await lab?.stop();
});

const modeOf = async (p: string) => ((await stat(lab.fleet.path(H, p))).mode & 0o7777).toString(8);
const sha = (algo: string, data: Buffer | string) => createHash(algo).update(data).digest('hex');

test('replace: first run changes, second is ok, check mode and --diff change nothing, backup kept', async (t) => {
  const path = '/etc/sre/hosts';
  await lab.sh(H, `printf '127.0.0.1 localhost\\n10.0.0.1 em1\\n10.0.0.2 em2\\n' > ${path}`);
  const args = { path, regexp: '^10\\.0\\.0\\.(\\d+)\\s+(\\w+)$', replace: '192.168.0.\\1 \\2 \\2.sre', backup: true };
  const check = await lab.run(replaceModule, H, args, { check: true, diff: true });
  t.like(check, { changed: true, msg: '2 replacements made' });
  t.is((check.diff as FileDiff[])[0]!.after, '127.0.0.1 localhost\n192.168.0.1 em1 em1.sre\n192.168.0.2 em2 em2.sre\n');
  t.is(await lab.read(H, path), '127.0.0.1 localhost\n10.0.0.1 em1\n10.0.0.2 em2\n', 'check mode changed nothing');
  const r = await lab.run(replaceModule, H, args);
  t.like(r, { changed: true, failed: false, rc: 0 });
  t.is(await lab.read(H, path), '127.0.0.1 localhost\n192.168.0.1 em1 em1.sre\n192.168.0.2 em2 em2.sre\n');
  t.is(await lab.read(H, String(r.backup_file)), '127.0.0.1 localhost\n10.0.0.1 em1\n10.0.0.2 em2\n');
  t.false((await lab.run(replaceModule, H, args)).changed);
  // A failing validate leaves the file as it was.
  const bad = await lab.run(replaceModule, H, { path, regexp: 'localhost', replace: 'x', validate: 'grep -q localhost %s' });
  t.true(bad.failed);
  t.regex(await lab.read(H, path) ?? '', /localhost/);
  t.is((await lab.sh(H, 'ls -a /etc/sre | grep -c tsplay; true')).stdout.trim(), '0', 'no temp file left behind');
});

test('blockinfile: inserted, updated, idempotent, removed; check mode; owner and mode', async (t) => {
  const path = '/etc/kamailio/kamailio-local.cfg';
  await lab.sh(H, `printf '#!KAMAILIO\\nlisten=udp:1.2.3.4:5060\\n' > ${path}`);
  const args = { path, block: '#!define WITH_REGISTER_CLIENT\n#!define WITH_NAT', insertafter: '^#!KAMAILIO', marker: '# {mark} tsplay: register client', mode: '0640', owner: 'labuser' };
  t.true((await lab.run(blockinfileModule, H, args, { check: true })).changed);
  t.is(await lab.read(H, path), '#!KAMAILIO\nlisten=udp:1.2.3.4:5060\n');
  t.like(await lab.run(blockinfileModule, H, args), { changed: true, msg: 'Block inserted and ownership, perms or SE linux context changed' });
  t.is(await lab.read(H, path), '#!KAMAILIO\n# BEGIN tsplay: register client\n#!define WITH_REGISTER_CLIENT\n#!define WITH_NAT\n# END tsplay: register client\nlisten=udp:1.2.3.4:5060\n');
  t.is(await modeOf(path), '640');
  t.is((await lab.sh(H, `stat -c %U ${path}`)).stdout.trim(), 'labuser');
  t.false((await lab.run(blockinfileModule, H, args)).changed);
  t.true((await lab.run(blockinfileModule, H, { ...args, block: '#!define WITH_NAT' })).changed);
  t.regex(await lab.read(H, path) ?? '', /client\n#!define WITH_NAT\n# END/);
  t.like(await lab.run(blockinfileModule, H, { path, marker: args.marker, state: 'absent' }), { changed: true, msg: 'Block removed' });
  t.is(await lab.read(H, path), '#!KAMAILIO\nlisten=udp:1.2.3.4:5060\n');
  t.like(await lab.run(blockinfileModule, H, { path: '/etc/kamailio/none.cfg', block: 'x' }), { failed: true, msg: 'Path /etc/kamailio/none.cfg does not exist !' });
  t.like(await lab.run(blockinfileModule, H, { path: '/etc/kamailio/new/x.cfg', block: 'x', create: true }), { changed: true, msg: 'File created' });
});

test('ini_file: creates the file, sets and changes options, removes them; second run ok; check and diff', async (t) => {
  const path = '/etc/genesys/lca.ini';
  const args = { path, section: 'log', option: 'verbose', value: 'all', mode: '0600' };
  const check = await lab.run(iniFileModule, H, args, { check: true, diff: true });
  t.like(check, { changed: true, msg: 'section and option added' });
  t.is((check.diff as FileDiff[])[0]!.after, '\n[log]\nverbose = all\n');
  t.false(existsSync(lab.fleet.path(H, path)));
  t.like(await lab.run(iniFileModule, H, args), { changed: true, path });
  t.is(await lab.read(H, path), '\n[log]\nverbose = all\n');
  t.is(await modeOf(path), '600');
  t.like(await lab.run(iniFileModule, H, args), { changed: false, msg: 'OK' });
  t.like(await lab.run(iniFileModule, H, { ...args, value: 'standard' }), { changed: true, msg: 'option changed' });
  t.like(await lab.run(iniFileModule, H, { path, section: 'general', option: 'host', value: 'lca1' }), { changed: true });
  t.is(await lab.read(H, path), '\n[log]\nverbose = standard\n[general]\nhost = lca1\n');
  t.like(await lab.run(iniFileModule, H, { path, section: 'log', option: 'verbose', state: 'absent' }), { changed: true, msg: 'option changed' });
  t.like(await lab.run(iniFileModule, H, { path, section: 'log', state: 'absent' }), { changed: true, msg: 'section removed' });
  t.is(await lab.read(H, path), '\n[general]\nhost = lca1\n');
  t.false((await lab.run(iniFileModule, H, { path, section: 'log', state: 'absent' })).changed);
});

test('tempfile: a new file or directory each run under path; skipped in check mode', async (t) => {
  const check = await lab.run(tempfileModule, H, { state: 'directory', suffix: '.build' }, { check: true });
  t.true(check.skipped);
  const d = await lab.run(tempfileModule, H, { state: 'directory', suffix: '.build' });
  t.like(d, { changed: true, failed: false });
  t.regex(String(d.path), /^\/tmp\/ansible\.[A-Za-z0-9]{8}\.build$/);
  t.true((await stat(lab.fleet.path(H, String(d.path)))).isDirectory());
  await lab.sh(H, 'mkdir -p /srv/tmp');
  const f = await lab.run(tempfileModule, H, { path: '/srv/tmp', prefix: 'sre-' });
  t.regex(String(f.path), /^\/srv\/tmp\/sre-[A-Za-z0-9]{8}$/);
  t.true((await stat(lab.fleet.path(H, String(f.path)))).isFile());
  t.is(await modeOf(String(f.path)), '600');
  t.like(await lab.run(tempfileModule, H, { path: '/srv/none' }), { failed: true, changed: false });
});

test('find: patterns, age, size, recurse, hidden, contains, checksum; never changed', async (t) => {
  await lab.sh(
    H,
    'mkdir -p /var/log/sre/old /var/log/sre/.cache && cd /var/log/sre && printf "ERROR x\\n" > a.log && printf "ok\\n" > b.log && ' +
      'printf "ok\\nERROR deep\\n" > old/c.log && head -c 5000 /dev/zero > big.log && echo h > .hidden.log && echo n > notes.txt && ' +
      'touch -d "10 days ago" a.log old/c.log big.log',
  );
  const r = await lab.run(findModule, H, { paths: '/var/log/sre', patterns: '*.log' });
  t.false(r.changed);
  const paths = (x: typeof r) => (x.files as { path: string }[]).map((f) => f.path).sort();
  t.deepEqual(paths(r), ['/var/log/sre/a.log', '/var/log/sre/b.log', '/var/log/sre/big.log']);
  t.is(r.examined, 7);
  t.deepEqual(paths(await lab.run(findModule, H, { paths: '/var/log/sre', patterns: '*.log', age: '7d', recurse: true })), ['/var/log/sre/a.log', '/var/log/sre/big.log', '/var/log/sre/old/c.log']);
  t.deepEqual(paths(await lab.run(findModule, H, { paths: '/var/log/sre', size: '4k' })), ['/var/log/sre/big.log']);
  t.deepEqual(paths(await lab.run(findModule, H, { paths: '/var/log/sre', patterns: '*.log', hidden: true })), ['/var/log/sre/.hidden.log', '/var/log/sre/a.log', '/var/log/sre/b.log', '/var/log/sre/big.log']);
  t.deepEqual(paths(await lab.run(findModule, H, { paths: '/var/log/sre', contains: 'ERROR', recurse: true })), ['/var/log/sre/a.log', '/var/log/sre/old/c.log']);
  t.deepEqual(paths(await lab.run(findModule, H, { paths: '/var/log/sre', contains: 'deep', recurse: true })), [], 'contains matches at a line start (re.match)');
  t.deepEqual(paths(await lab.run(findModule, H, { paths: '/var/log/sre', contains: '.*deep', recurse: true })), ['/var/log/sre/old/c.log']);
  t.deepEqual(paths(await lab.run(findModule, H, { paths: '/var/log/sre', file_type: 'directory' })), ['/var/log/sre/old']);
  const sum = await lab.run(findModule, H, { paths: '/var/log/sre', patterns: 'b.log', get_checksum: true });
  t.is((sum.files as { checksum: string }[])[0]!.checksum, sha('sha1', 'ok\n'));
  t.like(await lab.run(findModule, H, { paths: ['/var/log/none'] }), { matched: 0, msg: 'Not all paths examined, check warnings for details' });
});

test('assemble: fragments on the target or the controller, delimiter, idempotent, backup, check mode', async (t) => {
  await lab.sh(H, "mkdir -p /etc/sre/conf.d && printf 'a=1\\n' > /etc/sre/conf.d/10-a && printf 'b=2' > /etc/sre/conf.d/20-b && printf 'x\\n' > /etc/sre/conf.d/.swp");
  const args = { src: '/etc/sre/conf.d', dest: '/etc/sre/sre.conf', delimiter: '# ---', ignore_hidden: true, mode: '0644' };
  t.true((await lab.run(assembleModule, H, args, { check: true })).changed);
  t.false(existsSync(lab.fleet.path(H, '/etc/sre/sre.conf')));
  t.like(await lab.run(assembleModule, H, args), { changed: true, msg: 'OK' });
  t.is(await lab.read(H, '/etc/sre/sre.conf'), 'a=1\n# ---\nb=2');
  t.false((await lab.run(assembleModule, H, args)).changed);
  await lab.sh(H, "printf 'c=3\\n' > /etc/sre/conf.d/30-c");
  const again = await lab.run(assembleModule, H, { ...args, backup: true });
  t.true(again.changed);
  t.is(await lab.read(H, String(again.backup_file)), 'a=1\n# ---\nb=2');
  t.is(await lab.read(H, '/etc/sre/sre.conf'), 'a=1\n# ---\nb=2\n# ---\nc=3\n');
  mkdirSync(join(lab.local, 'files', 'frags'), { recursive: true });
  writeFileSync(join(lab.local, 'files', 'frags', '1'), 'one\n');
  writeFileSync(join(lab.local, 'files', 'frags', '2'), 'two\n');
  const local = { src: 'frags', dest: '/etc/sre/local.conf', remote_src: false };
  t.true((await lab.run(assembleModule, H, local)).changed);
  t.is(await lab.read(H, '/etc/sre/local.conf'), 'one\ntwo\n');
  t.false((await lab.run(assembleModule, H, local)).changed);
  t.like(await lab.run(assembleModule, H, { src: '/etc/none', dest: '/etc/sre/x' }), { failed: true, msg: 'Source (/etc/none) does not exist' });
});

/** Build an archive on the controller with the real tools: app/bin/run, app/etc/app.conf. */
function buildArchives(): { tgz: string; zip: string } {
  const dir = join(lab.local, 'build');
  mkdirSync(join(dir, 'app', 'bin'), { recursive: true });
  mkdirSync(join(dir, 'app', 'etc'), { recursive: true });
  writeFileSync(join(dir, 'app', 'bin', 'run'), '#!/bin/sh\necho run\n', { mode: 0o755 });
  writeFileSync(join(dir, 'app', 'etc', 'app.conf'), 'port=5060\n');
  const tgz = join(lab.local, 'files', 'app-1.0.tgz');
  const zip = join(lab.local, 'files', 'app-1.0.zip');
  execFileSync('tar', ['-czf', tgz, '-C', dir, 'app']);
  execFileSync('zip', ['-qr', zip, 'app'], { cwd: dir });
  return { tgz, zip };
}

test('unarchive: a controller tar.gz and zip, unpacked once; second run ok; check mode; files listed', async (t) => {
  buildArchives();
  await lab.sh(H, 'mkdir -p /opt/tgz /opt/zip');
  for (const [src, dest, handler] of [['app-1.0.tgz', '/opt/tgz', 'TgzArchive'], ['app-1.0.zip', '/opt/zip', 'ZipArchive']] as const) {
    const args = { src, dest, list_files: true };
    t.like(await lab.run(unarchiveModule, H, args, { check: true }), { changed: true, handler }, src);
    t.false(existsSync(lab.fleet.path(H, `${dest}/app`)), `${src}: check mode unpacked nothing`);
    const r = await lab.run(unarchiveModule, H, args);
    t.like(r, { changed: true, failed: false, handler }, `${src}: ${r.msg}`);
    t.deepEqual((r.files as string[]).filter((f) => !f.endsWith('/')).sort(), ['app/bin/run', 'app/etc/app.conf']);
    t.is(await lab.read(H, `${dest}/app/etc/app.conf`), 'port=5060\n');
    t.is(await modeOf(`${dest}/app/bin/run`), '755');
    t.like(await lab.run(unarchiveModule, H, args), { changed: false }, `${src}: second run`);
    // A file changed on the host: unpacked again.
    await lab.sh(H, `echo local > ${dest}/app/etc/app.conf`);
    t.true((await lab.run(unarchiveModule, H, args)).changed, `${src}: repaired`);
    t.is(await lab.read(H, `${dest}/app/etc/app.conf`), 'port=5060\n');
  }
  const leftovers = await lab.sh(H, 'for f in /tmp/tmp.*; do [ -f "$f" ] && head -c 2 "$f" | od -An -tx1; done | grep -c "1f 8b\\|50 4b"; true');
  t.is(leftovers.stdout.trim(), '0', 'the uploaded archive copies were removed');
  t.like(await lab.run(unarchiveModule, H, { src: 'app-1.0.tgz', dest: '/opt/none' }), { failed: true, msg: "Destination '/opt/none' is not a directory" });
});

test('unarchive: remote_src, owner/mode on every unpacked path, creates, a URL the target downloads', async (t) => {
  const { tgz } = buildArchives();
  mkdirSync(lab.fleet.path(H, '/srv/dl'), { recursive: true });
  writeFileSync(lab.fleet.path(H, '/srv/dl/app.tgz'), execFileSync('cat', [tgz]));
  await lab.sh(H, 'mkdir -p /opt/remote');
  const args = { src: '/srv/dl/app.tgz', dest: '/opt/remote', remote_src: true, owner: 'labuser', mode: 'u=rwX,g=rX,o=' };
  t.true((await lab.run(unarchiveModule, H, args)).changed);
  t.is((await lab.sh(H, 'find /opt/remote -printf "%u %m %P\\n" | sort -k3')).stdout, 'root 755 \nlabuser 750 app\nlabuser 750 app/bin\nlabuser 750 app/bin/run\nlabuser 750 app/etc\nlabuser 640 app/etc/app.conf\n');
  t.false((await lab.run(unarchiveModule, H, args)).changed, 'owner and mode already right');
  await lab.sh(H, 'chmod 0644 /opt/remote/app/bin/run');
  t.true((await lab.run(unarchiveModule, H, args)).changed, 'a wrong mode is repaired');
  // With `mode` given, tar's "Mode differs" does not count (Ansible): the symbolic mode applies to what is there (X: no x bit left).
  t.is(await modeOf('/opt/remote/app/bin/run'), '640');
  t.like(await lab.run(unarchiveModule, H, { ...args, creates: '/opt/remote/app' }), { changed: false, skipped: true });
  served.set('/app.tgz', { body: execFileSync('cat', [tgz]), mtime: new Date() });
  await lab.sh(H, 'mkdir -p /opt/url');
  const url = { src: `${base}/app.tgz`, dest: '/opt/url', remote_src: true };
  t.true((await lab.run(unarchiveModule, H, url)).changed);
  t.is(await lab.read(H, '/opt/url/app/etc/app.conf'), 'port=5060\n');
  t.false((await lab.run(unarchiveModule, H, url)).changed);
  t.like(await lab.run(unarchiveModule, H, { ...url, src: `${base}/missing.tgz` }), { failed: true });
});

test('get_url: downloads once, then ok (304 or same content); check mode; checksum; dest directory; credentials not on argv', async (t) => {
  const body = Buffer.from('sre 4.0.2 payload\n');
  served.set('/dl/sre-4.0.2.tgz', { body, mtime: new Date(Date.now() - 60_000) });
  await lab.sh(H, 'mkdir -p /opt/dl');
  const args = { url: `${base}/dl/sre-4.0.2.tgz`, dest: '/opt/dl/sre.tgz', mode: '0640' };
  t.like(await lab.run(getUrlModule, H, args, { check: true }), { changed: true });
  t.false(existsSync(lab.fleet.path(H, '/opt/dl/sre.tgz')));
  const r = await lab.run(getUrlModule, H, args);
  t.like(r, { changed: true, failed: false, dest: '/opt/dl/sre.tgz', status_code: 200, checksum_src: sha('sha1', body) });
  t.is(await lab.read(H, '/opt/dl/sre.tgz'), body.toString());
  t.is(await modeOf('/opt/dl/sre.tgz'), '640');
  t.like(await lab.run(getUrlModule, H, args), { changed: false, status_code: 304 });
  t.like(await lab.run(getUrlModule, H, args, { check: true }), { changed: false });
  t.like(await lab.run(getUrlModule, H, { ...args, force: true }), { changed: false, status_code: 200 }, 'force: downloaded, same content');

  // checksum: right → no request at all on the next run; wrong → fails and dest is untouched.
  const n = requestsFor('/dl/sre-4.0.2.tgz').length;
  const sum = { ...args, dest: '/opt/dl/sum.tgz', checksum: `sha256:${sha('sha256', body)}` };
  t.true((await lab.run(getUrlModule, H, sum)).changed);
  t.is(requestsFor('/dl/sre-4.0.2.tgz').length, n + 1);
  t.like(await lab.run(getUrlModule, H, sum), { changed: false, msg: 'file already exists' });
  t.is(requestsFor('/dl/sre-4.0.2.tgz').length, n + 1, 'no download when the checksum matches');
  const wrong = await lab.run(getUrlModule, H, { ...args, dest: '/opt/dl/bad.tgz', checksum: `sha256:${'0'.repeat(64)}` });
  t.like(wrong, { failed: true, changed: false });
  t.regex(String(wrong.msg), /^The checksum for \/opt\/dl\/bad\.tgz did not match 0{64}; it was [0-9a-f]{64}\.$/);
  t.false(existsSync(lab.fleet.path(H, '/opt/dl/bad.tgz')));
  served.set('/dl/SHA256SUMS', { body: Buffer.from(`${sha('sha256', body)}  sre-4.0.2.tgz\n`), mtime: new Date() });
  t.true((await lab.run(getUrlModule, H, { ...args, dest: '/opt/dl/url-sum.tgz', checksum: `sha256:${base}/dl/SHA256SUMS` })).changed);

  // dest a directory: the URL's file name; credentials reach curl through its config, not argv.
  const dir = await lab.run(getUrlModule, H, { url: `${base}/dl/sre-4.0.2.tgz`, dest: '/opt/dl/', url_username: 'ops', url_password: 's3cr$t', force_basic_auth: true });
  t.like(dir, { changed: true, dest: '/opt/dl/sre-4.0.2.tgz' });
  t.is(requestsFor('/dl/sre-4.0.2.tgz').pop()!.auth, `Basic ${Buffer.from('ops:s3cr$t').toString('base64')}`);
  t.like(await lab.run(getUrlModule, H, { url: `${base}/nothing`, dest: '/opt/dl/n' }), { failed: true, changed: false, status_code: 404 });
  t.false(existsSync(lab.fleet.path(H, '/opt/dl/n')));
  t.is((await lab.sh(H, 'ls -a /opt/dl | grep -c tsplay; true')).stdout.trim(), '0', 'no temp file left behind');
});

test('get_url through wget when the target has no curl: download, same content → ok, checksum, basic auth, 404', async (t) => {
  // A PATH with every command of /usr/bin but curl.
  await lab.sh(H, 'mkdir -p /opt/nocurl/bin /opt/wget && ln -s /usr/bin/* /opt/nocurl/bin/ && rm /opt/nocurl/bin/curl');
  const conn = await lab.conn(H);
  const run = (args: unknown) =>
    runModule({ module: getUrlModule, args, conn, host: H, vars: {}, check: false, diff: false, where: { file: 'test' }, exec: { env: { PATH: '/opt/nocurl/bin' } } });
  t.is((await conn.exec('command -v curl || echo none', { env: { PATH: '/opt/nocurl/bin' } })).stdout.trim(), 'none');
  const body = Buffer.from('wget payload\n');
  served.set('/w/payload.bin', { body, mtime: new Date() });
  const args = { url: `${base}/w/payload.bin`, dest: '/opt/wget/p.bin', checksum: `sha1:${sha('sha1', body)}`, url_username: 'ops', url_password: 'pw', force_basic_auth: true };
  t.like(await run(args), { changed: true, failed: false, status_code: 200 });
  t.is(await lab.read(H, '/opt/wget/p.bin'), body.toString());
  t.is(requestsFor('/w/payload.bin').pop()!.auth, `Basic ${Buffer.from('ops:pw').toString('base64')}`);
  t.like(await run(args), { changed: false, msg: 'file already exists' });
  t.like(await run({ url: args.url, dest: args.dest, force: true }), { changed: false, status_code: 200 });
  t.like(await run({ url: `${base}/w/none`, dest: '/opt/wget/none' }), { failed: true, status_code: 404 });
  t.false(existsSync(lab.fleet.path(H, '/opt/wget/none')));
});

test('get_url --check: a HEAD request from the target; a URL that fails fails the task; changed/ok as Ansible decides', async (t) => {
  const body = Buffer.from('check payload\n');
  served.set('/ck/app.tgz', { body, mtime: new Date(Date.now() - 60_000) });
  await lab.sh(H, 'mkdir -p /opt/ck ~/ck');
  const url = `${base}/ck/app.tgz`;
  // the requests since `from` (other tests share the server: never clear its log)
  let from = 0;
  const methods = () => requestsFor('/ck/app.tgz').slice(from).map((r) => `${r.method}${r.ims ? '+ims' : ''}`);
  const EMPTY_SHA1 = sha('sha1', '');

  // dest missing: one HEAD, changed, nothing written; `~` in dest is the target user's home
  const missing = await lab.run(getUrlModule, H, { url, dest: '~/ck/app.tgz' }, { check: true });
  t.like(missing, { changed: true, failed: false, dest: '/root/ck/app.tgz', checksum_src: EMPTY_SHA1, checksum_dest: null });
  t.false('status_code' in missing, 'no status_code in check mode (Ansible returns before adding it)');
  t.deepEqual(methods(), ['HEAD']);
  t.false(existsSync(lab.fleet.path(H, '/root/ck/app.tgz')));

  // an unreachable URL, a 404: failed under --check as in a real run, with the same message
  const closed = 'http://127.0.0.1:9/nothing';
  const real = await lab.run(getUrlModule, H, { url: closed, dest: '/opt/ck/x' });
  const dry = await lab.run(getUrlModule, H, { url: closed, dest: '/opt/ck/x' }, { check: true });
  t.like(dry, { failed: true, changed: false, status_code: -1 });
  t.regex(String(dry.msg), /^curl: \(7\) /);
  t.is(String(dry.msg).replace(/after \d+ ms/, ''), String(real.msg).replace(/after \d+ ms/, ''));
  t.like(await lab.run(getUrlModule, H, { url: `${base}/ck/none`, dest: '/opt/ck/x' }, { check: true }), { failed: true, status_code: 404, msg: 'Request failed: HTTP 404' });
  // the request comes first: a bad URL fails as such even when dest's directory is missing
  t.like(await lab.run(getUrlModule, H, { url: closed, dest: '/opt/ck/nodir/x' }, { check: true }), { failed: true, status_code: -1 });
  t.like(await lab.run(getUrlModule, H, { url, dest: '/opt/ck/nodir/x' }, { check: true }), { failed: true, msg: 'Destination /opt/ck/nodir does not exist' });

  // dest there and newer than the URL's: If-Modified-Since → 304 → ok; older → changed
  await lab.sh(H, 'printf old > /opt/ck/app.tgz');
  from = requestsFor('/ck/app.tgz').length;
  t.like(await lab.run(getUrlModule, H, { url, dest: '/opt/ck/app.tgz' }, { check: true }), { changed: false, failed: false, status_code: 304, msg: 'HTTP Error 304: Not Modified' });
  t.deepEqual(methods(), ['HEAD+ims']);
  await lab.sh(H, 'touch -d "2001-01-01" /opt/ck/app.tgz');
  t.like(await lab.run(getUrlModule, H, { url, dest: '/opt/ck/app.tgz' }, { check: true }), { changed: true, checksum_dest: sha('sha1', 'old') });
  // force: no If-Modified-Since, changed even when dest is newer; the content is never compared
  await lab.sh(H, 'touch /opt/ck/app.tgz');
  t.like(await lab.run(getUrlModule, H, { url, dest: '/opt/ck/app.tgz', force: true }, { check: true }), { changed: true });
  t.deepEqual(methods().slice(-2), ['HEAD+ims', 'HEAD']);
  // Ansible compares the HEAD's empty body with dest: an empty dest is "ok"
  await lab.sh(H, ': > /opt/ck/app.tgz');
  t.like(await lab.run(getUrlModule, H, { url, dest: '/opt/ck/app.tgz', force: true }, { check: true }), { changed: false, checksum_dest: EMPTY_SHA1 });

  // checksum: a match is ok without any request; a mismatch asks the URL (HEAD, forced) and is changed
  await lab.sh(H, 'printf "check payload\\n" > /opt/ck/sum.tgz');
  from = requestsFor('/ck/app.tgz').length;
  t.like(await lab.run(getUrlModule, H, { url, dest: '/opt/ck/sum.tgz', checksum: `sha256:${sha('sha256', body)}` }, { check: true }), { changed: false, msg: 'file already exists' });
  t.deepEqual(methods(), []);
  t.like(await lab.run(getUrlModule, H, { url, dest: '/opt/ck/sum.tgz', checksum: `sha256:${'1'.repeat(64)}` }, { check: true }), { changed: true });
  t.deepEqual(methods(), ['HEAD']);
  t.is(await lab.read(H, '/opt/ck/sum.tgz'), 'check payload\n', 'check mode wrote nothing');
  t.is(requestsFor('/ck/app.tgz').filter((r) => r.method === 'GET').length, 0, 'no GET under --check');

  // through wget (no curl on the target's PATH): --spider, If-Modified-Since from dest's mtime
  await lab.sh(H, 'mkdir -p /opt/nocurl-ck/bin && ln -sf /usr/bin/* /opt/nocurl-ck/bin/ && rm /opt/nocurl-ck/bin/curl && printf x > /opt/ck/w.tgz');
  const conn = await lab.conn(H);
  const wget = (args: unknown) => runModule({ module: getUrlModule, args, conn, host: H, vars: {}, check: true, diff: false, where: { file: 'test' }, exec: { env: { PATH: '/opt/nocurl-ck/bin' } } });
  from = requestsFor('/ck/app.tgz').length;
  t.like(await wget({ url, dest: '/opt/ck/w.tgz' }), { changed: false, status_code: 304 });
  t.like(await wget({ url, dest: '/opt/ck/w-new.tgz' }), { changed: true });
  t.deepEqual(methods(), ['HEAD+ims', 'HEAD']);
  t.like(await wget({ url: `${base}/ck/none`, dest: '/opt/ck/x' }), { failed: true, status_code: 404 });
  t.like(await wget({ url: closed, dest: '/opt/ck/x' }), { failed: true, status_code: -1 });
});
