import test from 'ava';
import { ParseError } from '../../src/errors.js';
import { dataModules } from '../../src/modules/set-data.js';
import { applyDefines, differences, mergePreserved } from '../../src/modules/kamailio-config.js';
import { kamailioModule } from '../../src/modules/kamailio.js';
import { buildPsql, metaQuote, psqlModule, readOutput } from '../../src/modules/psql.js';
import { isReadOnly, parseCsv, splitStatements } from '../../src/modules/psql-sql.js';
import { cfgQuote, curlConfig, parseHeaders, uriModule } from '../../src/modules/uri.js';
import { condition, procHex, waitForModule, waitScript } from '../../src/modules/wait-for.js';
import { waitForConnectionModule } from '../../src/modules/wait-for-connection.js';
import { fakeCtx, NASTY, where } from './helpers.js';

const parseErr = (t: any, fn: () => unknown, re: RegExp) => {
  const e = t.throws(fn, { instanceOf: ParseError }) as ParseError;
  t.regex(e.message, re);
  t.deepEqual(e.where, where);
  t.regex(e.describe(), /^test\.yml:3:5: /);
};

test('the data module set has the modules and their Ansible names', (t) => {
  const names = dataModules.flatMap((m) => [m.name, ...(m.aliases ?? [])]);
  for (const n of ['psql', 'postgresql_script', 'community.postgresql.postgresql_script', 'kamailio', 'wait_for', 'wait_for_connection', 'uri']) {
    t.true(names.includes(n), n);
  }
});

// ---- psql

test('SQL statements split like psql: semicolons in strings, identifiers, dollar quotes, comments stay inside', (t) => {
  const sql = `SELECT 'a;b', "x;y" FROM t; -- c;
CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
/* a ; /* nested ; */ */ INSERT INTO t VALUES (E'it\\'s;')
;\\c sre
ALTER TABLE service_logic DROP COLUMN tags CASCADE`;
  const st = splitStatements(sql);
  t.deepEqual(
    st.map((s) => [s.meta, s.words[0]]),
    [
      [false, 'SELECT'],
      [false, 'CREATE'],
      [false, 'INSERT'],
      [true, undefined],
      [false, 'ALTER'],
    ],
  );
  t.is(st[3]!.text.trim(), '\\c sre');
  t.true(st[1]!.text.includes('$body$ SELECT 1; $body$'));
});

test('read-only statements are told apart from writes', (t) => {
  const ro = (q: string) => splitStatements(q).every(isReadOnly);
  t.true(ro('SELECT * FROM t'));
  t.true(ro("SHOW server_version; select version()"));
  t.true(ro('WITH x AS (SELECT 1) SELECT * FROM x'));
  t.true(ro('EXPLAIN SELECT 1'));
  t.false(ro('WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x'));
  t.false(ro('SELECT * INTO new_t FROM t'));
  t.false(ro('EXPLAIN ANALYZE DELETE FROM t'));
  t.false(ro('ALTER TABLE service_logic DROP COLUMN tags CASCADE'));
  t.false(ro('SELECT 1; UPDATE t SET a = 1'));
  t.false(ro("SELECT 'UPDATE'; CREATE TABLE z (a int)"));
  t.true(ro("SELECT 'DELETE FROM x' AS s"));
});

test('psql CSV output is read back with quotes, commas and newlines intact', (t) => {
  t.deepEqual(parseCsv('a,b\n1,"x\ny"\n2,"é""q,"\n'), [
    ['a', 'b'],
    ['1', 'x\ny'],
    ['2', 'é"q,'],
  ]);
});

test('psql: params are set on stdin, quoted for psql; the password goes on stdin; neither on the command line', (t) => {
  const args = psqlModule.parse(
    { db: 'sre', query: "SELECT :'v'", params: { v: NASTY, w: "a\\b'c\r\n" }, login_user: 'sre', login_password: 's3cr3t pw', port: '5433' },
    where,
    false,
  );
  const b = buildPsql(args, 'n0nce');
  t.true(b.readOnly);
  t.false(b.cmd.includes('s3cr3t'));
  t.false(b.cmd.includes('pwned') || b.cmd.includes(' -v v=') || b.cmd.includes('a\\b'), 'no param value on argv');
  t.true(b.stdin.startsWith('s3cr3t pw\n'));
  t.true(b.cmd.includes('IFS= read -r PGPASSWORD'));
  t.true(b.cmd.includes(' -p 5433 ') && b.cmd.includes(' -1 ') && b.cmd.includes('ON_ERROR_STOP=1'));
  t.true(b.stdin.includes(`\\set v ${metaQuote(NASTY)}\n`));
  t.is(metaQuote("a\\b'c\r\n"), "'a\\\\b''c\\r\\n'");
  t.false(metaQuote(NASTY).includes('\n'), 'one line: a meta-command ends at the line end');
  t.true(b.stdin.includes("SELECT coalesce(json_agg(t), '[]'::json) AS rows FROM (\nSELECT :'v'\n) t"));
  const probe = buildPsql(args, 'n0nce', true);
  t.false(probe.cmd.includes(' -1 '));
  t.true(probe.cmd.includes("default_transaction_read_only=on"));
  t.regex(probe.stdin, /BEGIN TRANSACTION READ ONLY;\n[^]*ROLLBACK;\n$/);
});

test('psql: only allow-listed meta-commands count as read-only; a backslash anywhere in a statement is a meta-command', (t) => {
  const ro = (sql: string) => splitStatements(sql).every(isReadOnly);
  for (const safe of ['\\echo hi', '\\dt', '\\d+ service_logic', '\\l', '\\conninfo', '\\set x 1', '\\c sre', 'SELECT 1;\n\\x\nSELECT 2']) t.true(ro(safe), safe);
  for (const unsafe of ['\\! touch /tmp/x', '\\o /tmp/x', '\\w /tmp/x', '\\copy t to /tmp/x', '\\i /tmp/x.sql', '\\setenv A b', '\\lo_export 1 /tmp/x',
    '\\echo hi \\\\ \\! touch /tmp/x', '\\set x `touch /tmp/x`', '\\echo `id`', "SELECT 'x' \\gexec", 'SELECT 1 \\! touch /tmp/x', 'SELECT 1 \\g /tmp/out']) {
    t.false(ro(unsafe), unsafe);
  }
});

test('psql: a read-only query runs while planning, also in check mode; a write is a step', async (t) => {
  const { ctx, probes } = fakeCtx((cmd, opts) => {
    const marker = /__TSPLAY_PSQL_[0-9a-f]+__/.exec(String(opts?.stdin))![0];
    return { stdout: `rows\n"[{""n"": 3, ""s"": ""a\\nb""}]"\n${marker} 1\n` };
  }, true);
  const read = await psqlModule.plan(psqlModule.parse({ query: 'SELECT 3 AS n', os_user: 'postgres' }, where, false), ctx);
  t.is(probes.length, 1);
  t.deepEqual(read.steps, []);
  t.false(read.changed);
  t.deepEqual(read.result?.rows, [{ n: 3, s: 'a\nb' }]);
  t.is(read.result?.rowcount, 1);
  t.regex(probes[0]!.cmd, /su -s \/bin\/sh postgres -c/);

  const write = await psqlModule.plan(psqlModule.parse({ query: 'ALTER TABLE service_logic DROP COLUMN tags CASCADE' }, where, false), ctx);
  t.is(probes.length, 1, 'a write is not run while planning');
  t.is(write.steps.length, 1);
  t.true(write.changed);
});

test('psql: a SELECT that turns out to write (read-only transaction error) becomes a step, not a result', async (t) => {
  const { ctx, probes } = fakeCtx(() => ({ rc: 3, stderr: 'psql:<stdin>:3: ERROR:  cannot execute INSERT in a read-only transaction\n' }), true);
  const plan = await psqlModule.plan(psqlModule.parse({ query: 'SELECT bump()' }, where, false), ctx);
  t.is(probes.length, 1);
  t.regex(String(probes[0]!.opts?.stdin), /^BEGIN TRANSACTION READ ONLY;/);
  t.is(plan.steps.length, 1);
  t.true(plan.changed);
  t.falsy(plan.failed);
  t.false(plan.steps[0]!.stdin!.toString().includes('READ ONLY'));
});

test('psql output: rows from the last statement that printed, rowcount of affected rows otherwise', (t) => {
  const m = '__M__';
  t.deepEqual(readOutput(`${m} 0\n${m} 5\n`, { marker: m, json: [false, false] }), { rows: [], rowcount: 5, statements: 2 });
  t.deepEqual(readOutput(`v\nx\n${m} 0\n`, { marker: m, json: [false] }), { rows: [{ v: 'x' }], rowcount: 1, statements: 1 });
});

test('psql: bad arguments fail naming the argument', (t) => {
  parseErr(t, () => psqlModule.parse({ query: 'x', bogus: 1 }, where, false), /unsupported argument 'bogus'/);
  parseErr(t, () => psqlModule.parse({ db: 'x' }, where, false), /one of 'query', 'file' is required/);
  parseErr(t, () => psqlModule.parse({ query: 'x', file: '/a' }, where, false), /'query' and 'file' are mutually exclusive/);
  parseErr(t, () => psqlModule.parse({ query: 'x', port: 'abc' }, where, false), /argument 'port' must be an integer/);
  parseErr(t, () => psqlModule.parse({ query: 'x', params: { 'a-b': 1 } }, where, false), /'params'.*'a-b'/);
  parseErr(t, () => psqlModule.parse({ query: 'x', single_transaction: 'maybe' }, where, false), /'single_transaction' must be a boolean/);
  t.notThrows(() => psqlModule.parse({ query: 'x', port: '{{ pg_port }}' }, where, true));
});

// ---- kamailio

const SHIPPED = '#!KAMAILIO\nlisten=udp:0.0.0.0:5060\nlisten=tcp:0.0.0.0:5060\nchildren=8\nrequest_route {\n  drop;\n}\n';
const LIVE = '#!KAMAILIO\nlisten=udp:10.0.0.5:5060\nalias=sip.example.com\nchildren=4\nrequest_route {\n  drop;\n}\n';
const PRESERVE = ['^listen=', '^alias=', '^advertise'].map((p) => new RegExp(p));

test('kamailio merge: live listen lines replace the shipped ones in place, other site lines go on top', (t) => {
  const merged = mergePreserved(SHIPPED, LIVE, PRESERVE);
  t.is(merged, '#!KAMAILIO\nalias=sip.example.com\nlisten=udp:10.0.0.5:5060\nchildren=8\nrequest_route {\n  drop;\n}\n');
  t.is(mergePreserved(SHIPPED, merged, PRESERVE), merged, 'merging again changes nothing');
  t.is(mergePreserved(SHIPPED, 'children=1\n', PRESERVE), SHIPPED, 'no site lines: the shipped defaults stay');
  t.is(mergePreserved(SHIPPED, undefined, PRESERVE), SHIPPED);
});

test('kamailio differences leave out the preserved lines', (t) => {
  t.deepEqual(differences(LIVE, SHIPPED, PRESERVE), ['-children=4', '+children=8']);
  t.deepEqual(differences(mergePreserved(SHIPPED, LIVE, PRESERVE), SHIPPED, PRESERVE), []);
});

test('kamailio defines are added once and removed by name', (t) => {
  const a = applyDefines('#!define WITH_DEBUG\n', ['WITH_REGISTER_CLIENT'], []);
  t.is(a.text, '#!define WITH_DEBUG\n#!define WITH_REGISTER_CLIENT\n');
  t.deepEqual(a.added, ['WITH_REGISTER_CLIENT']);
  const again = applyDefines(a.text, ['WITH_REGISTER_CLIENT'], []);
  t.is(again.text, a.text);
  t.deepEqual(again.added, []);
  t.is(applyDefines('#!define WITH_X 1\n', ['WITH_X'], []).added.length, 0, 'a define with a value counts');
  const r = applyDefines(a.text, [], ['WITH_DEBUG']);
  t.is(r.text, '#!define WITH_REGISTER_CLIENT\n');
  t.deepEqual(r.removed, ['WITH_DEBUG']);
  t.is(applyDefines(undefined, ['A'], []).text, '#!define A\n');
});

/** What readRemoteFile's probe prints for a file's content (or a missing file). */
const fileAnswer = (files: Record<string, string | undefined>) => (cmd: string) => {
  for (const [p, content] of Object.entries(files)) {
    if (cmd.includes(`[ ! -e ${p} ]`)) return { stdout: content === undefined ? 'missing\n' : `present\n${Buffer.from(content).toString('base64')}\n` };
  }
  throw new Error(`unexpected probe: ${cmd}`);
};

test('kamailio state diff: unified diff, differences, nothing planned; fail_on_diff fails', async (t) => {
  const files = { '/etc/kamailio/kamailio.cfg': LIVE, '/opt/sre/etc/kamailio/kamailio.cfg': SHIPPED };
  const { ctx } = fakeCtx(fileAnswer(files));
  const p = await kamailioModule.plan(kamailioModule.parse({}, where, false), ctx);
  t.deepEqual(p.steps, []);
  t.false(p.changed);
  t.deepEqual(p.result?.differences, ['-children=4', '+children=8']);
  t.regex(String(p.result?.diff_text), /^-listen=udp:10\.0\.0\.5:5060$/m);
  t.is(p.diff?.[0]?.after, SHIPPED);
  const f = await kamailioModule.plan(kamailioModule.parse({ fail_on_diff: true }, where, false), ctx);
  t.true(f.failed);
  t.regex(String(f.msg), /differs .* in 2 line\(s\)/);
});

test('kamailio state installed: one validated atomic write of the merged config; none when it matches', async (t) => {
  const merged = mergePreserved(SHIPPED, LIVE, PRESERVE);
  const { ctx } = fakeCtx(fileAnswer({ '/etc/kamailio/kamailio.cfg': LIVE, '/opt/sre/etc/kamailio/kamailio.cfg': SHIPPED }));
  const p = await kamailioModule.plan(kamailioModule.parse({ state: 'installed', kamailio_bin: '/usr/sbin/kamailio' }, where, false), ctx);
  t.is(p.steps.length, 1);
  t.is(p.steps[0]!.stdin, merged);
  t.true(p.steps[0]!.cmd.includes('/usr/sbin/kamailio -c -f "$t"'));
  t.regex(String(p.result?.backup_file), /^\/etc\/kamailio\/kamailio\.cfg\.\d+\..*~$/);
  const { ctx: same } = fakeCtx(fileAnswer({ '/etc/kamailio/kamailio.cfg': merged, '/opt/sre/etc/kamailio/kamailio.cfg': SHIPPED }));
  const q = await kamailioModule.plan(kamailioModule.parse({ state: 'installed' }, where, false), same);
  t.deepEqual(q.steps, []);
});

test('kamailio: bad arguments fail naming the argument', (t) => {
  parseErr(t, () => kamailioModule.parse({ state: 'present' }, where, false), /'state' must be one of "diff", "installed"/);
  parseErr(t, () => kamailioModule.parse({ preserve: ['('] }, where, false), /'preserve\[0\]' is not a valid regex/);
  parseErr(t, () => kamailioModule.parse({ defines: ['WITH X'] }, where, false), /'defines\[0\]' must be a name/);
  parseErr(t, () => kamailioModule.parse({ defines: ['A'], undefines: ['A'] }, where, false), /'A' is in both/);
  parseErr(t, () => kamailioModule.parse({ livee: '/x' }, where, false), /unsupported argument 'livee'/);
  parseErr(t, () => kamailioModule.parse({ backup: [] }, where, false), /'backup' must be a boolean/);
});

// ---- wait_for / wait_for_connection

test('wait_for: one sh loop with the timeout inside; values quoted', (t) => {
  const a = waitForModule.parse({ path: '/var/log/confserv.log', search_regex: `21-22172|${NASTY}`, timeout: 7, sleep: 2 }, where, false);
  const s = waitScript(a);
  t.regex(s, /while :; do/);
  t.regex(s, /-ge 7 \]/);
  t.regex(s, /sleep 2/);
  t.true(s.includes(`grep -E -m 1 -e '21-22172|it'\\''s`));
  t.is(procHex('127.0.0.1'), '0100007F');
  t.regex(condition(waitForModule.parse({ port: 8080 }, where, false)), /\$4=="0A"/);
  t.regex(condition(waitForModule.parse({ port: 8080, host: '10.1.1.1' }, where, false)), /nc -z -w 5 10\.1\.1\.1 8080/);
  t.regex(condition(waitForModule.parse({ port: 8080, state: 'drained' }, where, false)), /\$4=="01" && \$2 ~ \/:1F90\$\//);
});

test('wait_for and wait_for_connection: bad arguments fail naming the argument', (t) => {
  parseErr(t, () => waitForModule.parse({ port: 'http' }, where, false), /'port' must be an integer/);
  parseErr(t, () => waitForModule.parse({ port: 1, path: '/x' }, where, false), /'port' and 'path' are mutually exclusive/);
  parseErr(t, () => waitForModule.parse({ path: '/x', state: 'drained' }, where, false), /state 'drained' needs 'port'/);
  parseErr(t, () => waitForModule.parse({ port: 1, state: 'up' }, where, false), /'state' must be one of/);
  parseErr(t, () => waitForModule.parse({ path: '/x', search_regex: '(' }, where, false), /'search_regex' is not a valid regex/);
  parseErr(t, () => waitForModule.parse({ path: '/x', timeot: 3 }, where, false), /unsupported argument 'timeot'/);
  parseErr(t, () => waitForConnectionModule.parse({ timeout: 'soon' }, where, false), /'timeout' must be an integer/);
});

// ---- uri

test('uri: the whole request is a curl config on stdin; secrets never reach the command line', async (t) => {
  const a = uriModule.parse(
    { url: 'https://api.example/x', method: 'post', body: { k: NASTY }, body_format: 'json', headers: { 'X-Token': 'tok"en\\' }, url_username: 'u', url_password: 'p@ss "w"', force_basic_auth: true },
    where,
    false,
  );
  const cfg = curlConfig(a);
  t.true(cfg.includes('request = "POST"'));
  t.true(cfg.includes('header = "Content-Type: application/json"'));
  t.true(cfg.includes('header = "X-Token: tok\\"en\\\\"'));
  t.true(cfg.includes('user = "u:p@ss \\"w\\""\nbasic'));
  t.true(cfg.includes(`data-raw = ${cfgQuote(JSON.stringify({ k: NASTY }))}`));
  t.is(cfgQuote('a\nb"c\\'), '"a\\nb\\"c\\\\"');
  const { ctx, probes } = fakeCtx(() => ({}), true);
  const p = await uriModule.plan(a, ctx);
  t.is(probes.length, 0, 'a POST is not sent while planning');
  t.is(p.steps.length, 1);
  t.false(p.steps[0]!.cmd.includes('p@ss'));
  t.false(p.steps[0]!.cmd.includes('tok'));
  t.is(p.steps[0]!.stdin, cfg);
});

test('uri: headers of the last response after redirects', (t) => {
  const raw = 'HTTP/1.1 302 Found\r\nLocation: /b\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n';
  t.deepEqual(parseHeaders(raw), { 'content-type': 'application/json', 'set-cookie': 'a=1, b=2' });
});

test('uri: bad arguments fail naming the argument', (t) => {
  parseErr(t, () => uriModule.parse({}, where, false), /missing required argument 'url'/);
  parseErr(t, () => uriModule.parse({ url: 'ftp://x' }, where, false), /'url' must start with http/);
  parseErr(t, () => uriModule.parse({ url: 'http://x', status_code: 'ok' }, where, false), /'status_code\[0\]' must be an integer/);
  parseErr(t, () => uriModule.parse({ url: 'http://x', body: { a: 1 } }, where, false), /'body' is a dictionary: set body_format: json/);
  parseErr(t, () => uriModule.parse({ url: 'http://x', headers: { 'X-A': 'a\nb' } }, where, false), /'headers.X-A' must not contain a newline/);
  parseErr(t, () => uriModule.parse({ url: 'http://x', method: 'GET /' }, where, false), /'method' must be an HTTP method/);
});

test('at load time, templated values pass every check (they are checked again once rendered)', (t) => {
  t.notThrows(() => psqlModule.parse({ query: '{{ q }}', params: '{{ p }}', port: '{{ port }}' }, where, true));
  t.notThrows(() => kamailioModule.parse({ state: '{{ s }}', preserve: '{{ keep }}', defines: '{{ d }}' }, where, true));
  t.notThrows(() => waitForModule.parse({ port: '{{ p }}', timeout: '{{ t }}' }, where, true));
  t.notThrows(() => uriModule.parse({ url: '{{ u }}', headers: '{{ h }}', status_code: '{{ c }}' }, where, true));
  t.notThrows(() => waitForConnectionModule.parse({ timeout: '{{ t }}' }, where, true));
  t.throws(() => psqlModule.parse({ query: '{{ q }}', porrt: 1 }, where, true), { instanceOf: ParseError });
});
