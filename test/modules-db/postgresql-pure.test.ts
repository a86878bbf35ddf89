import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecOptions } from '../../src/connection/types.js';
import { ParseError } from '../../src/errors.js';
import { atomicTarget } from '../../src/modules/dump-target.js';
import { buildPg, type PgLogin } from '../../src/modules/pg-client.js';
import { scramHash, scramMatches } from '../../src/modules/pg-scram.js';
import { postgresqlDbModule, targetFormat } from '../../src/modules/postgresql-db.js';
import { postgresqlExtModule } from '../../src/modules/postgresql-ext.js';
import { extVersion, postgresqlInfoModule, selectSubsets, versionInfo } from '../../src/modules/postgresql-info.js';
import { postgresqlPrivsModule } from '../../src/modules/postgresql-privs.js';
import { bindParams, postgresqlQueryModule, readBlock, statusChanged } from '../../src/modules/postgresql-query.js';
import { postgresqlUserModule } from '../../src/modules/postgresql-user.js';
import { splitStatements } from '../../src/modules/psql-sql.js';
import { findModule } from '../../src/modules/registry.js';
import { fakeCtx, NASTY, where } from '../modules-data/helpers.js';

const login: PgLogin = { login_user: 'postgres', login_password: '', login_host: '', login_unix_socket: '', login_port: 5432, ssl_mode: 'prefer', connect_params: {} };

/** A fake psql for planning probes: answers each JSON block of the script with the next result. */
function pgAnswer(results: unknown[][][]) {
  let call = 0;
  return (_cmd: string, opts?: ExecOptions) => {
    const stdin = String(opts?.stdin ?? '');
    const marker = /\\echo (__TSPLAY_PG_[0-9a-f]+__)/.exec(stdin)![1]!;
    const blocks = results[call++] ?? [];
    const csv = (rows: unknown[]) => `rows\n"${JSON.stringify(rows).replace(/"/g, '""')}"\n`;
    return { rc: 0, stdout: blocks.map((b) => `${csv(b)}${marker}\n`).join('') };
  };
}

const parseErr = (t: any, fn: () => unknown, re: RegExp) => {
  const e = t.throws(fn, { instanceOf: ParseError }) as ParseError;
  t.regex(e.message, re);
  t.deepEqual(e.where, where);
};

test('the postgresql_* modules are registered under their Ansible names; postgresql_script stays psql', (t) => {
  for (const n of ['db', 'user', 'privs', 'query', 'ext', 'info']) {
    t.is(findModule(`postgresql_${n}`)!.name, `postgresql_${n}`);
    t.is(findModule(`community.postgresql.postgresql_${n}`)!.name, `postgresql_${n}`);
  }
  t.is(findModule('postgresql_script')!.name, 'psql');
});

test('buildPg: the password is the first stdin line (PGPASSWORD), values are \\set on stdin, nothing secret on argv', (t) => {
  const c = buildPg({ ...login, login_password: 'pw-secret', login_host: 'db1', login_port: 5433 }, 'SELECT :\'v\';\n', { db: 'sre', vars: { v: NASTY } });
  t.false(c.cmd.includes('pw-secret') || c.cmd.includes('pwned'));
  t.true(c.stdin.startsWith('pw-secret\n'));
  t.regex(c.cmd, /IFS= read -r PGPASSWORD; export PGPASSWORD; PGCLIENTENCODING=UTF8 PGHOST=db1 PGPORT=5433 PGUSER=postgres PGSSLMODE=prefer PGDATABASE=sre exec psql/);
  t.true(c.stdin.includes(`\\set v 'it''s "q" $(touch /tmp/pwned) \`id\` $HOME; x\\nline two ü €'\n`));
  // the socket directory is the host when login_host is empty or localhost, as Ansible does
  t.regex(buildPg({ ...login, login_unix_socket: '/run/pg' }, '').cmd, /PGHOST=\/run\/pg /);
  t.regex(buildPg({ ...login, login_unix_socket: '/run/pg', login_host: 'localhost' }, '').cmd, /PGHOST=\/run\/pg /);
  t.notRegex(buildPg(login, '').cmd, /PGHOST/);
  const ro = buildPg({ ...login, session_role: 'sre' }, 'SELECT 1;\n', { readOnly: true });
  t.regex(ro.cmd, /default_transaction_read_only=on/);
  t.regex(ro.stdin, /SET ROLE :"__tsplay_session_role";\nBEGIN TRANSACTION READ ONLY;\nSELECT 1;\nROLLBACK;\n$/);
});

test('SCRAM-SHA-256 verifiers: PostgreSQL format, checked against a password; a wrong one or an md5 hash does not match', (t) => {
  const salt = Buffer.from('0123456789abcdef');
  const v = scramHash('pencil', salt);
  t.regex(v, /^SCRAM-SHA-256\$4096:MDEyMzQ1Njc4OWFiY2RlZg==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
  t.is(scramHash('pencil', salt), v, 'deterministic for a salt');
  t.not(scramHash('pencil'), scramHash('pencil'), 'a random salt each time');
  t.true(scramMatches('pencil', v));
  t.false(scramMatches('pencil2', v));
  t.false(scramMatches('pencil', 'md5' + '0'.repeat(32)));
  t.false(scramMatches('pencil', null));
});

test('postgresql_user: parse checks flags, conn_limit and encrypted at load time with file:line', (t) => {
  parseErr(t, () => postgresqlUserModule.parse({ name: 'u', role_attr_flags: 'CREATEDB,GOD' }, where, false), /Invalid role_attr_flags specified: GOD/);
  parseErr(t, () => postgresqlUserModule.parse({ name: 'u', role_attr_flags: 'LOGIN,NOLOGIN' }, where, false), /both LOGIN and NOLOGIN/);
  parseErr(t, () => postgresqlUserModule.parse({ name: 'u', password: 'x', encrypted: false }, where, false), /UNENCRYPTED PASSWORD/);
  parseErr(t, () => postgresqlUserModule.parse({ name: 'u', priv: 'x' }, where, false), /unsupported argument 'priv'/);
  t.deepEqual(postgresqlUserModule.parse({ name: 'u', role_attr_flags: 'nosuperuser,createdb' }, where, false).role_attr_flags, ['CREATEDB', 'NOSUPERUSER']);
});

test('postgresql_user plan: a new user gets a SCRAM verifier in a psql variable, never the password; an existing one with that password is ok', async (t) => {
  const args = postgresqlUserModule.parse({ name: 'sip', password: 'pw-plain-123', role_attr_flags: 'LOGIN' }, where, false);
  const { ctx } = fakeCtx(pgAnswer([[[], [{ authid: true }]]]));
  const plan = await postgresqlUserModule.plan(args, ctx);
  t.is(plan.steps.length, 1);
  const step = plan.steps[0]!;
  t.false(step.cmd.includes('pw-plain') || String(step.stdin).includes('pw-plain'), 'the plaintext never leaves the controller');
  t.regex(String(step.stdin), /\\set v2 'SCRAM-SHA-256\$4096:/);
  t.regex(String(step.stdin), /CREATE USER :"v1" WITH LOGIN ENCRYPTED PASSWORD :'v2'\n;\n/);
  t.deepEqual(plan.result!.queries, ['CREATE USER "sip" WITH LOGIN ENCRYPTED PASSWORD %(password)s']);

  const role = { rolname: 'sip', rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolinherit: true, rolcanlogin: true, rolreplication: false, rolbypassrls: false, rolconnlimit: -1, rolvaliduntil: null, comment: null };
  const same = fakeCtx(pgAnswer([[[role], [{ authid: true }]], [[{ rolpassword: scramHash('pw-plain-123') }]]]));
  const ok = await postgresqlUserModule.plan(args, same.ctx);
  t.is(ok.steps.length, 0);
  t.false(ok.changed);
  const other = fakeCtx(pgAnswer([[[role], [{ authid: true }]], [[{ rolpassword: scramHash('old') }]]]));
  const change = await postgresqlUserModule.plan(args, other.ctx);
  t.deepEqual(change.result!.queries, ['ALTER USER "sip" WITH ENCRYPTED PASSWORD %(password)s']);
  t.regex(change.diff![0]!.after, /password: changed/);
  t.false(JSON.stringify(change.diff).includes('SCRAM'));
  const bare = await postgresqlUserModule.plan(postgresqlUserModule.parse({ name: 'bare' }, where, false), fakeCtx(pgAnswer([[[], [{ authid: true }]]])).ctx);
  t.deepEqual(bare.result!.queries, ['CREATE USER "bare"']);
  const gone = await postgresqlUserModule.plan(postgresqlUserModule.parse({ name: 'sip', state: 'absent' }, where, false), fakeCtx(pgAnswer([[[], [{ authid: true }]]])).ctx);
  t.is(gone.steps.length, 0);
});

test('postgresql_db: target formats as Ansible reads them; parse errors; plan of create and of an unchanged database', async (t) => {
  t.deepEqual(targetFormat('/x/a.sql'), { dumpArgs: [], restore: 'psql', pack: undefined, unpack: undefined });
  t.deepEqual(targetFormat('/x/a.sql.gz'), { dumpArgs: [], restore: 'psql', pack: 'gzip', unpack: 'gzip -dc' });
  t.deepEqual(targetFormat('/x/a.pgc'), { dumpArgs: ['--format=c'], restore: 'pg_restore', pack: undefined, unpack: undefined });
  t.deepEqual(targetFormat('/x/a.tar.xz').dumpArgs, ['--format=t']);
  parseErr(t, () => postgresqlDbModule.parse({ name: 'd', state: 'dump' }, where, false), /state is dump but all of the following are missing: target/);
  parseErr(t, () => postgresqlDbModule.parse({ name: 'd', conn_limit: 'many' }, where, false), /'conn_limit' must be an integer/);
  parseErr(t, () => postgresqlDbModule.parse({ name: 'd', state: 'dump', target: '/x.sql', dump_extra_args: '--file=/etc/passwd' }, where, false), /the output file is 'target'/);
  const args = postgresqlDbModule.parse({ name: 'sre', owner: 'sre', encoding: 'UTF-8' }, where, false);
  const create = await postgresqlDbModule.plan(args, fakeCtx(pgAnswer([[[], [{ spcname: 'pg_default' }]]])).ctx);
  t.deepEqual(create.result!.executed_commands, [`CREATE DATABASE "sre" OWNER "sre" ENCODING 'UTF-8'`]);
  t.notRegex(String(create.steps[0]!.cmd), / -1 /, 'CREATE DATABASE outside a transaction');
  const have = { datname: 'sre', encoding: 'UTF8', datcollate: 'C', datctype: 'C', owner: 'sre', datconnlimit: -1, tablespace: 'pg_default', comment: null };
  const same = await postgresqlDbModule.plan(args, fakeCtx(pgAnswer([[[have], [{ spcname: 'pg_default' }]]])).ctx);
  t.false(same.changed);
  t.is(same.steps.length, 0);
});

test('atomicTarget: a failed producer leaves the old target and no temp file; a good one replaces it keeping its mode', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-dump-'));
  const target = join(dir, 'db.sql');
  writeFileSync(target, 'old dump\n', { mode: 0o640 });
  const sh = (produce: string) => {
    try {
      execFileSync('/bin/sh', ['-c', atomicTarget(target, produce)], { stdio: 'pipe' });
      return 0;
    } catch (e) {
      return (e as { status: number }).status;
    }
  };
  t.not(sh(`printf 'half' > "$t"; exit 3`), 0);
  t.is(readFileSync(target, 'utf8'), 'old dump\n');
  t.deepEqual(readdirSync(dir), ['db.sql']);
  t.is(sh(`printf 'new dump\\n' > "$t"`), 0);
  t.is(readFileSync(target, 'utf8'), 'new dump\n');
  t.is(statSync(target).mode & 0o777, 0o640);
  t.deepEqual(readdirSync(dir), ['db.sql']);
});

test('postgresql_privs: parse as Ansible (objs default, ALL_IN_SCHEMA, privs per type); plan from the ACL decides changed', async (t) => {
  parseErr(t, () => postgresqlPrivsModule.parse({ db: 'd', objs: 't', roles: 'r' }, where, false), /Argument "privs" is required for type "table"/);
  parseErr(t, () => postgresqlPrivsModule.parse({ db: 'd', privs: 'SELECT', roles: 'r' }, where, false), /Argument "objs" is required for type "table"/);
  parseErr(t, () => postgresqlPrivsModule.parse({ db: 'd', type: 'database', privs: 'SELECT', roles: 'r' }, where, false), /Invalid privileges specified for type database: SELECT/);
  parseErr(t, () => postgresqlPrivsModule.parse({ db: 'd', type: 'schema', objs: 'ALL_IN_SCHEMA', privs: 'USAGE', roles: 'r' }, where, false), /ALL_IN_SCHEMA can be used only/);
  parseErr(t, () => postgresqlPrivsModule.parse({ db: 'd', type: 'default_privs', objs: 'TABLES', privs: 'SELECT', roles: 'r' }, where, false), /type 'default_privs' is not supported/);
  parseErr(t, () => postgresqlPrivsModule.parse({ db: 'd', type: 'group', objs: 'g', privs: 'SELECT', roles: 'r' }, where, false), /Argument "privs" is not allowed for type "group"/);
  const dbArgs = postgresqlPrivsModule.parse({ db: 'sre', type: 'database', privs: 'connect,temp', roles: 'sip' }, where, false);
  t.deepEqual(dbArgs.objs, ['sre']);
  t.deepEqual(dbArgs.privs, ['CONNECT', 'TEMPORARY']);
  const args = postgresqlPrivsModule.parse({ db: 'sre', objs: 'service_logic', privs: 'SELECT', roles: 'reader' }, where, false);
  const acl = (grantable: boolean | null) => [
    { obj: 'service_logic', grantee: 'postgres', priv: 'SELECT', grantable: false },
    ...(grantable === null ? [] : [{ obj: 'service_logic', grantee: 'reader', priv: 'SELECT', grantable }]),
  ];
  const answer = (g: boolean | null) => fakeCtx(pgAnswer([[acl(g), [{ rolname: 'reader' }], [{ v: 150000 }]]])).ctx;
  const grant = await postgresqlPrivsModule.plan(args, answer(null));
  t.deepEqual(grant.result!.queries, ['GRANT SELECT ON TABLE "public"."service_logic" TO "reader";']);
  t.regex(String(grant.steps[0]!.stdin), /SELECT 'GRANT SELECT ON ' \|\| 'TABLE ' \|\| \(SELECT string_agg\(pg_catalog\.quote_ident\(:'schema'\)/);
  t.regex(String(grant.steps[0]!.stdin), /\\gexec\n/);
  t.is(grant.diff![0]!.after, 'service_logic reader: SELECT\n');
  t.false((await postgresqlPrivsModule.plan(args, answer(false))).changed);
  t.true((await postgresqlPrivsModule.plan({ ...args, grant_option: true }, answer(false))).changed);
  const off = await postgresqlPrivsModule.plan({ ...args, grant_option: false }, answer(true));
  t.deepEqual(off.result!.queries, ['GRANT SELECT ON TABLE "public"."service_logic" TO "reader";', 'REVOKE GRANT OPTION FOR SELECT ON TABLE "public"."service_logic" FROM "reader";']);
  t.false((await postgresqlPrivsModule.plan({ ...args, state: 'absent' }, answer(null))).changed);
  const missing = await postgresqlPrivsModule.plan(args, fakeCtx(pgAnswer([[acl(null), [], [{ v: 150000 }]]])).ctx);
  t.true(missing.failed);
  t.is(missing.msg, "Role 'reader' does not exist");
});

test('postgresql_query: %s, %(name)s and %% as psycopg reads them; values become psql variables, never SQL', (t) => {
  const vars = new Map<string, string>();
  const sql = bindParams("SELECT %(a)s, %(n)s, %(b)s, %(z)s, %(l)s WHERE x LIKE 'a%%'", { named_args: { a: NASTY, n: 5, b: true, z: null, l: ['x', 2] } }, vars, where);
  t.is(sql, `SELECT :'__tsplay_p1', :__tsplay_p2, :__tsplay_p3, NULL, ARRAY[:'__tsplay_p4', :__tsplay_p5] WHERE x LIKE 'a%'`);
  t.deepEqual([...vars.values()], [NASTY, '5', 'true', 'x', '2']);
  t.is(bindParams("SELECT '100%'", {}, new Map(), where), "SELECT '100%'", 'no arguments: no placeholder is read');
  parseErr(t, () => bindParams('SELECT %s, %s', { positional_args: [1] }, new Map(), where), /more %s than positional_args/);
  parseErr(t, () => bindParams('SELECT %(x)s', { named_args: { y: 1 } }, new Map(), where), /named_args has no 'x'/);
  parseErr(t, () => bindParams('SELECT %d', { positional_args: [1] }, new Map(), where), /unsupported format character/);
  parseErr(t, () => postgresqlQueryModule.parse({ query: 'SELECT 1', encoding: 'LATIN1' }, where, false), /only UTF8/);
  parseErr(t, () => postgresqlQueryModule.parse({ query: { a: 1 } }, where, false), /'query' must be a string or a list of strings/);
});

test('postgresql_query: command tags and changed as Ansible decides them', (t) => {
  const st = (sql: string) => splitStatements(sql)[0]!;
  t.deepEqual(readBlock(st('INSERT INTO t VALUES (1) RETURNING a'), 'a\n1\nINSERT 0 1\n', false, 1), { rows: [{ a: '1' }], rowcount: 1, statusmessage: 'INSERT 0 1' });
  t.deepEqual(readBlock(st('CREATE TABLE t (a int)'), 'CREATE TABLE\n', false, 0), { rows: [], rowcount: 0, statusmessage: 'CREATE TABLE' });
  t.deepEqual(readBlock(st('SHOW timezone'), 'TimeZone\nUTC\n', false, 1), { rows: [{ TimeZone: 'UTC' }], rowcount: 1, statusmessage: 'SHOW' });
  t.is(readBlock(st('SELECT 1 AS a'), 'rows\n"[{""a"":1}]"\n', true, 1).statusmessage, 'SELECT 1');
  t.false(statusChanged('SELECT 3'));
  t.false(statusChanged('SHOW'));
  t.false(statusChanged('UPDATE 0'));
  t.false(statusChanged('INSERT 0 0'));
  t.true(statusChanged('DELETE 2'));
  t.true(statusChanged('CREATE INDEX'));
});

test('postgresql_info: filter with globs and exclusions as Ansible; versions split as Ansible', (t) => {
  t.deepEqual(selectSubsets(undefined), ['version', 'in_recovery', 'tablespaces', 'databases', 'replications', 'repl_slots', 'settings', 'roles']);
  t.deepEqual(selectSubsets(['ver*', 'rol*']), ['version', 'roles']);
  t.deepEqual(selectSubsets(['!settings', '!repl*']), ['version', 'in_recovery', 'tablespaces', 'databases', 'roles']);
  t.deepEqual(selectSubsets(['version', '!version']), ['version'], 'includes win, as in Ansible');
  t.deepEqual(versionInfo('150018', 'PostgreSQL 15.18'), { major: 15, minor: 18, patch: null, full: '15.18', raw: 'PostgreSQL 15.18' });
  t.deepEqual(versionInfo('90624', 'x'), { major: 9, minor: 6, patch: 24, full: '9.6.24', raw: 'x' });
  t.deepEqual(extVersion('1.6'), { major: 1, minor: 6, raw: '1.6' });
  t.deepEqual(extVersion('unpackaged'), { major: null, minor: null, raw: 'unpackaged' });
  t.truthy(postgresqlInfoModule.parse({ filter: 'version,roles' }, where, false).filter);
});

test('postgresql_ext plan: create with a version, update to latest, refuse an unreachable version', async (t) => {
  const args = postgresqlExtModule.parse({ db: 'sre', name: 'citext', version: '1.4', cascade: true, schema: 'ext' }, where, false);
  const fresh = await postgresqlExtModule.plan(args, fakeCtx(pgAnswer([[[], [{ default_version: '1.6' }], [{ version: '1.4' }, { version: '1.6' }], []]])).ctx);
  t.deepEqual(fresh.result, { queries: [`CREATE EXTENSION "citext" WITH SCHEMA "ext" VERSION '1.4' CASCADE`], prev_version: '', version: '1.4' });
  const installed = [{ extversion: '1.4', nspname: 'ext', comment: null }];
  const latest = await postgresqlExtModule.plan({ ...args, version: 'latest' }, fakeCtx(pgAnswer([[installed, [{ default_version: '1.6' }], [], [{ target: '1.5' }, { target: '1.6' }]]])).ctx);
  t.deepEqual(latest.result!.queries, [`ALTER EXTENSION "citext" UPDATE TO '1.6'`]);
  const back = await postgresqlExtModule.plan({ ...args, version: '1.0' }, fakeCtx(pgAnswer([[installed, [{ default_version: '1.6' }], [], [{ target: '1.6' }]]])).ctx);
  t.true(back.failed);
  t.regex(String(back.msg), /cannot be updated from 1.4 to 1.0/);
});
