import test from 'ava';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startPostgres, type PostgresServer } from '../../src/fleet/postgres.js';
import { postgresqlDbModule } from '../../src/modules/postgresql-db.js';
import { postgresqlExtModule } from '../../src/modules/postgresql-ext.js';
import { postgresqlInfoModule } from '../../src/modules/postgresql-info.js';
import { postgresqlPrivsModule } from '../../src/modules/postgresql-privs.js';
import { postgresqlQueryModule } from '../../src/modules/postgresql-query.js';
import { postgresqlUserModule } from '../../src/modules/postgresql-user.js';
import { NASTY, oneHost, type OneHost } from '../modules-data/helpers.js';
import { runCli } from '../helpers/cli.js';

// A real PostgreSQL on the controller (its socket under /run, shared with the fleet host); psql runs on
// the fleet host. Local socket connections use peer authentication (so only the OS user postgres is the
// role postgres there, as on an EM); TCP from 127.0.0.1 is trusted, except for `sipuser`, whose password
// is checked (scram).
let h: OneHost;
let pg: PostgresServer;

test.before(async () => {
  [h, pg] = await Promise.all([oneHost(), startPostgres({ hba: ['local all all peer', 'host all sipuser 127.0.0.1/32 scram-sha-256'] })]);
});
test.after.always(async () => {
  await h?.stop();
  await pg?.stop();
});

const login = () => ({ login_host: '127.0.0.1', login_port: pg.port });
const one = async (sql: string, db = 'postgres') => (await pg.psql(sql, db)).trim();

/** Polls the host's process list while `work` runs; returns the lines holding one of `needles`. */
async function watchPs(needles: string[], work: () => Promise<void>): Promise<{ seen: string[]; samples: number; sawPsql: boolean }> {
  const seen: string[] = [];
  let running = true;
  let samples = 0;
  let sawPsql = false;
  const sampler = (async () => {
    while (running) {
      const ps = await h.sh('ps -eo args');
      samples++;
      if (/psql .*-f -/.test(ps.stdout)) sawPsql = true;
      for (const l of ps.stdout.split('\n')) if (needles.some((n) => l.includes(n))) seen.push(l);
    }
  })();
  try {
    await work();
  } finally {
    running = false;
    await sampler;
  }
  return { seen, samples, sawPsql };
}

test.serial('postgresql_user: SCRAM hashed on the controller, attributes, --check first, idempotent, --diff; no secret in ps or output', async (t) => {
  const secret = `S3cr"et' ${Date.now()} ü`;
  const user = { ...login(), name: 'sipuser', password: secret, role_attr_flags: 'CREATEDB,NOSUPERUSER', conn_limit: 5, expires: '2031-01-01 00:00:00+00', comment: 'SIP proxy' };
  const outs: unknown[] = [];
  const { seen, samples, sawPsql } = await watchPs(['S3cr', secret.slice(0, 10)], async () => {
    const check = await h.run(postgresqlUserModule, user, { check: true, diff: true });
    t.false(check.failed, String(check.msg));
    t.true(check.changed);
    t.is(await one(`SELECT count(*) FROM pg_roles WHERE rolname = 'sipuser'`), '0', '--check created nothing');
    const first = await h.run(postgresqlUserModule, user, { diff: true });
    t.false(first.failed, String(first.msg));
    t.true(first.changed);
    t.deepEqual(first.queries, [`CREATE USER "sipuser" WITH CREATEDB NOSUPERUSER ENCRYPTED PASSWORD %(password)s VALID UNTIL '2031-01-01 00:00:00+00' CONNECTION LIMIT 5`, `COMMENT ON ROLE "sipuser" IS 'SIP proxy'`]);
    const again = await h.run(postgresqlUserModule, user, { diff: true });
    t.false(again.failed, String(again.msg));
    t.false(again.changed, JSON.stringify(again.diff));
    // the password works (scram over TCP, login_password through psql's stdin), held long enough to be seen
    const who = await h.run(postgresqlQueryModule, { ...login(), login_user: 'sipuser', login_password: secret, db: 'postgres', query: 'SELECT session_user AS u FROM pg_sleep(1.5)' });
    t.false(who.failed, String(who.msg));
    t.deepEqual(who.query_result, [{ u: 'sipuser' }]);
    outs.push(check, first, again, who);
  });
  t.true(samples > 1);
  t.true(sawPsql, 'the sampler saw psql running');
  t.deepEqual(seen, []);
  for (const o of outs) t.false(JSON.stringify(o).includes('S3cr') || JSON.stringify(o).includes('SCRAM-SHA-256$'), 'no secret, no hash in the result');
  t.regex(await one(`SELECT rolpassword FROM pg_authid WHERE rolname = 'sipuser'`), /^SCRAM-SHA-256\$4096:/);
  t.is(await one(`SELECT rolcreatedb, rolsuper, rolconnlimit, rolvaliduntil = '2031-01-01 00:00:00+00' FROM pg_roles WHERE rolname = 'sipuser'`), 't|f|5|t');
  const wrong = await h.run(postgresqlQueryModule, { ...login(), login_user: 'sipuser', login_password: 'nope', db: 'postgres', query: 'SELECT 1' });
  t.true(wrong.failed);
  t.regex(String(wrong.msg), /password authentication failed for user "sipuser"/);

  const changedPw = await h.run(postgresqlUserModule, { ...user, password: 'other-pw' }, { diff: true });
  t.true(changedPw.changed);
  t.regex(JSON.stringify(changedPw.diff), /password: changed/);
  t.false((await h.run(postgresqlUserModule, { ...user, password: 'third', no_password_changes: true })).changed);
  const flags = await h.run(postgresqlUserModule, { ...login(), name: 'sipuser', role_attr_flags: 'NOCREATEDB' }, { diff: true });
  t.true(flags.changed);
  t.deepEqual(flags.queries, ['ALTER USER "sipuser" WITH NOCREATEDB']);
  t.regex(JSON.stringify(flags.diff), /CREATEDB: yes.*CREATEDB: no/);
  t.is(await one(`SELECT rolcreatedb FROM pg_roles WHERE rolname = 'sipuser'`), 'f');
  const checkGone = await h.run(postgresqlUserModule, { ...login(), name: 'sipuser', state: 'absent' }, { check: true });
  t.true(checkGone.changed);
  t.is(await one(`SELECT count(*) FROM pg_roles WHERE rolname = 'sipuser'`), '1');
  const gone = await h.run(postgresqlUserModule, { ...login(), name: 'sipuser', state: 'absent' });
  t.true(gone.changed);
  t.is(gone.user_removed, true);
  t.is(await one(`SELECT count(*) FROM pg_roles WHERE rolname = 'sipuser'`), '0');
  t.false((await h.run(postgresqlUserModule, { ...login(), name: 'sipuser', state: 'absent' })).changed);
});

test.serial('postgresql_db: created with owner/encoding/locale from template0, --check first, idempotent, owner altered, mismatch refused, absent', async (t) => {
  await pg.psql(`CREATE ROLE sre_owner; CREATE ROLE other_owner`);
  const db = { ...login(), name: 'sre_new', owner: 'sre_owner', encoding: 'UTF8', lc_collate: 'C', lc_ctype: 'C', template: 'template0', conn_limit: '20' };
  const check = await h.run(postgresqlDbModule, db, { check: true });
  t.false(check.failed, String(check.msg));
  t.true(check.changed);
  t.is(await one(`SELECT count(*) FROM pg_database WHERE datname = 'sre_new'`), '0');
  const first = await h.run(postgresqlDbModule, db);
  t.false(first.failed, String(first.msg));
  t.true(first.changed);
  t.deepEqual(first.executed_commands, [`CREATE DATABASE "sre_new" OWNER "sre_owner" TEMPLATE "template0" ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' CONNECTION LIMIT 20`]);
  t.is(await one(`SELECT pg_get_userbyid(datdba), pg_encoding_to_char(encoding), datcollate, datconnlimit FROM pg_database WHERE datname = 'sre_new'`), 'sre_owner|UTF8|C|20');
  t.false((await h.run(postgresqlDbModule, db)).changed);
  const owner = await h.run(postgresqlDbModule, { ...db, owner: 'other_owner' });
  t.true(owner.changed);
  t.deepEqual(owner.executed_commands, ['ALTER DATABASE "sre_new" OWNER TO "other_owner"']);
  const enc = await h.run(postgresqlDbModule, { ...db, encoding: 'LATIN1' });
  t.true(enc.failed);
  t.regex(String(enc.msg), /Changing database encoding is not supported. Current encoding: UTF8/);
  t.true((await h.run(postgresqlDbModule, { ...login(), name: 'sre_new', state: 'absent' }, { check: true })).changed);
  t.is(await one(`SELECT count(*) FROM pg_database WHERE datname = 'sre_new'`), '1');
  t.true((await h.run(postgresqlDbModule, { ...login(), name: 'sre_new', state: 'absent' })).changed);
  t.is(await one(`SELECT count(*) FROM pg_database WHERE datname = 'sre_new'`), '0');
  t.false((await h.run(postgresqlDbModule, { ...login(), name: 'sre_new', state: 'absent' })).changed);
});

test.serial('postgresql_db dump (gzip, atomic: a failed dump leaves the old target) and restore into a new database', async (t) => {
  await pg.psql(`CREATE DATABASE dumpsrc`);
  await pg.psql(`CREATE TABLE service_logic (id int PRIMARY KEY, name text); INSERT INTO service_logic VALUES (1, 'a'), (2, 'b')`, 'dumpsrc');
  h.write('/srv/dumps/keep', '');
  const target = '/srv/dumps/sre.sql.gz';
  const check = await h.run(postgresqlDbModule, { ...login(), name: 'dumpsrc', state: 'dump', target }, { check: true });
  t.true(check.changed);
  t.false(existsSync(h.path(target)), '--check dumped nothing');
  const dump = await h.run(postgresqlDbModule, { ...login(), name: 'dumpsrc', state: 'dump', target });
  t.false(dump.failed, String(dump.msg));
  t.true(dump.changed);
  const sql = gunzipSync(readFileSync(h.path(target))).toString();
  t.regex(sql, /CREATE TABLE public\.service_logic/);
  const before = readFileSync(h.path(target));
  // pg_dump fails at run time (an unknown table to include): the old dump stays, no temp file is left.
  const bad = await h.run(postgresqlDbModule, { ...login(), name: 'dumpsrc', state: 'dump', target, dump_extra_args: '--table=no_such_table' });
  t.true(bad.failed);
  t.regex(String(bad.msg), /no matching tables were found/);
  t.deepEqual(readFileSync(h.path(target)), before);
  t.deepEqual(readdirSync(h.path('/srv/dumps')).sort(), ['keep', 'sre.sql.gz'], 'no temp file left');
  const restore = await h.run(postgresqlDbModule, { ...login(), name: 'restored', state: 'restore', target });
  t.false(restore.failed, String(restore.msg));
  t.true(restore.changed);
  t.is(await one('SELECT string_agg(name, \',\' ORDER BY id) FROM service_logic', 'restored'), 'a,b');
  // a truncated .gz: gzip fails half-way, psql may still exit 0 — the task fails all the same
  const whole = readFileSync(h.path(target));
  writeFileSync(h.path('/srv/dumps/cut.sql.gz'), whole.subarray(0, Math.floor(whole.length / 2)));
  const cut = await h.run(postgresqlDbModule, { ...login(), name: 'restored_cut', state: 'restore', target: '/srv/dumps/cut.sql.gz' });
  t.true(cut.failed);
  const custom = await h.run(postgresqlDbModule, { ...login(), name: 'dumpsrc', state: 'dump', target: '/srv/dumps/sre.pgc' });
  t.false(custom.failed, String(custom.msg));
  const r2 = await h.run(postgresqlDbModule, { ...login(), name: 'restored2', state: 'restore', target: '/srv/dumps/sre.pgc' });
  t.false(r2.failed, String(r2.msg));
  t.is(await one('SELECT count(*) FROM service_logic', 'restored2'), '2');
});

test.serial('postgresql_privs: table, sequence, function, schema and database privileges; grant_option; --check, --diff, idempotent, revoke', async (t) => {
  await pg.psql('CREATE DATABASE privdb');
  await pg.psql('CREATE ROLE reader; CREATE ROLE writer');
  await pg.psql(`CREATE SCHEMA sip; CREATE TABLE sip.subscriber (id serial PRIMARY KEY, name text); CREATE TABLE sip.location (id int); CREATE FUNCTION sip.f(a int, b text) RETURNS int LANGUAGE sql AS 'SELECT 1'`, 'privdb');
  const acl = async (tbl: string) => one(`SELECT coalesce(relacl::text, '') FROM pg_class WHERE relname = '${tbl}'`, 'privdb');
  const grant = { ...login(), db: 'privdb', schema: 'sip', type: 'table', objs: 'subscriber,location', privs: 'SELECT,INSERT', roles: 'reader' };
  const check = await h.run(postgresqlPrivsModule, grant, { check: true, diff: true });
  t.false(check.failed, String(check.msg));
  t.true(check.changed);
  t.is(await acl('subscriber'), '');
  t.regex(JSON.stringify(check.diff), /subscriber reader: \\n.*subscriber reader: INSERT,SELECT/);
  const first = await h.run(postgresqlPrivsModule, grant);
  t.false(first.failed, String(first.msg));
  t.true(first.changed);
  t.deepEqual(first.queries, ['GRANT INSERT,SELECT ON TABLE "sip"."subscriber","sip"."location" TO "reader";']);
  t.regex(await acl('subscriber'), /reader=ar\//);
  t.regex(await acl('location'), /reader=ar\//);
  t.false((await h.run(postgresqlPrivsModule, grant)).changed);
  const opt = await h.run(postgresqlPrivsModule, { ...grant, privs: 'SELECT', grant_option: true });
  t.true(opt.changed);
  t.regex(await acl('subscriber'), /reader=ar\*\//);
  t.false((await h.run(postgresqlPrivsModule, { ...grant, privs: 'SELECT', grant_option: true })).changed);
  t.true((await h.run(postgresqlPrivsModule, { ...grant, privs: 'SELECT', grant_option: false })).changed);
  t.regex(await acl('subscriber'), /reader=ar\//);
  const revoke = await h.run(postgresqlPrivsModule, { ...grant, privs: 'INSERT', state: 'absent' }, { diff: true });
  t.true(revoke.changed);
  t.regex(await acl('subscriber'), /reader=r\//);
  t.false((await h.run(postgresqlPrivsModule, { ...grant, privs: 'INSERT', state: 'absent' })).changed);

  const all = { ...login(), db: 'privdb', schema: 'sip', type: 'sequence', objs: 'ALL_IN_SCHEMA', privs: 'ALL', roles: 'writer' };
  t.true((await h.run(postgresqlPrivsModule, all)).changed);
  t.regex(await one(`SELECT relacl::text FROM pg_class WHERE relname = 'subscriber_id_seq'`, 'privdb'), /writer=rwU\//);
  t.false((await h.run(postgresqlPrivsModule, all)).changed);
  const fn = { ...login(), db: 'privdb', schema: 'sip', type: 'function', objs: 'f(int:text)', privs: 'EXECUTE', roles: 'writer' };
  t.true((await h.run(postgresqlPrivsModule, fn)).changed);
  t.false((await h.run(postgresqlPrivsModule, fn)).changed);
  t.true((await h.run(postgresqlPrivsModule, { ...fn, roles: 'PUBLIC', state: 'absent' })).changed, 'PUBLIC held EXECUTE by default');
  t.regex(await one(`SELECT proacl::text FROM pg_proc WHERE proname = 'f'`, 'privdb'), /writer=X\//);
  t.notRegex(await one(`SELECT proacl::text FROM pg_proc WHERE proname = 'f'`, 'privdb'), /\{=X|,=X/);
  const schema = { ...login(), db: 'privdb', type: 'schema', objs: 'sip', privs: 'USAGE', roles: 'reader' };
  t.true((await h.run(postgresqlPrivsModule, schema)).changed);
  t.false((await h.run(postgresqlPrivsModule, schema)).changed);
  const database = { ...login(), db: 'privdb', type: 'database', privs: 'CONNECT,TEMP', roles: 'PUBLIC', state: 'absent' };
  t.true((await h.run(postgresqlPrivsModule, database)).changed, 'PUBLIC held CONNECT, TEMPORARY by default');
  t.false((await h.run(postgresqlPrivsModule, database)).changed);
  // type group: role membership, admin_option
  const member = { ...login(), db: 'privdb', type: 'group', objs: 'reader', roles: 'writer' };
  const members = async () => one(`SELECT coalesce(string_agg(m.rolname || ':' || am.admin_option, ','), '') FROM pg_auth_members am JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles m ON m.oid = am.member WHERE g.rolname = 'reader'`);
  t.true((await h.run(postgresqlPrivsModule, member, { check: true })).changed);
  t.is(await members(), '', '--check granted nothing');
  const join1 = await h.run(postgresqlPrivsModule, member);
  t.false(join1.failed, String(join1.msg));
  t.deepEqual(join1.queries, ['GRANT "reader" TO "writer";']);
  t.is(await members(), 'writer:false');
  t.false((await h.run(postgresqlPrivsModule, member)).changed);
  t.true((await h.run(postgresqlPrivsModule, { ...member, admin_option: true })).changed);
  t.is(await members(), 'writer:true');
  t.true((await h.run(postgresqlPrivsModule, { ...member, state: 'absent' })).changed);
  t.is(await members(), '');
  t.false((await h.run(postgresqlPrivsModule, { ...member, state: 'absent' })).changed);
  const missing = await h.run(postgresqlPrivsModule, { ...grant, roles: 'nobody' });
  t.true(missing.failed);
  t.is(missing.msg, "Role 'nobody' does not exist");
  const noTable = await h.run(postgresqlPrivsModule, { ...grant, objs: 'nope' });
  t.true(noTable.failed);
  t.regex(String(noTable.msg), /table "nope" does not exist in schema "sip"/);
});

test.serial('postgresql_query: positional and named args are data, never SQL; changed as Ansible; writes skip --check; statusmessage', async (t) => {
  await pg.psql(`CREATE DATABASE q; `);
  await pg.psql(`CREATE TABLE sub (id int PRIMARY KEY, name text, tags text[], ok boolean)`, 'q');
  const q = (args: Record<string, unknown>, check = false) => h.run(postgresqlQueryModule, { ...login(), db: 'q', ...args }, { check });
  const ins = { query: 'INSERT INTO sub VALUES (%(id)s, %(name)s, %(tags)s, %(ok)s)', named_args: { id: 1, name: NASTY, tags: ['a', "b'c"], ok: true } };
  const check = await q(ins, true);
  t.false(check.failed, String(check.msg));
  t.true(check.changed);
  t.is(await one('SELECT count(*) FROM sub', 'q'), '0', '--check inserted nothing');
  const r = await q(ins);
  t.false(r.failed, String(r.msg));
  t.true(r.changed);
  t.is(r.statusmessage, 'INSERT 0 1');
  t.is(r.rowcount, 1);
  t.deepEqual(r.query_result, {});
  t.is(r.query, ins.query, 'the query as written, no value in it');
  t.false(existsSync(h.path('/tmp/pwned')));
  const evil = `x'); DROP TABLE sub; --`;
  t.false((await q({ query: 'INSERT INTO sub (id, name) VALUES (%s, %s)', positional_args: [2, evil] })).failed);
  const read = await q({ query: 'SELECT id, name, tags, ok FROM sub WHERE id = %s OR name = %s ORDER BY id', positional_args: [1, evil] }, true);
  t.false(read.failed, String(read.msg));
  t.false(read.changed);
  t.deepEqual(read.query_result, [
    { id: 1, name: NASTY, tags: ['a', "b'c"], ok: true },
    { id: 2, name: evil, tags: null, ok: null },
  ]);
  t.is(read.statusmessage, 'SELECT 2');
  t.is(read.rowcount, 2);
  const none = await q({ query: `UPDATE sub SET name = name WHERE id = 99` });
  t.false(none.changed, 'no row affected: ok');
  t.is(none.statusmessage, 'UPDATE 0');
  const list = await q({ query: ['UPDATE sub SET ok = false WHERE id = %s', "SELECT name FROM sub WHERE name LIKE 'x%%' AND id = %s"], positional_args: [2] });
  t.false(list.failed, String(list.msg));
  t.true(list.changed);
  t.deepEqual(list.query_all_results, [{}, [{ name: evil }]]);
  t.is(list.rowcount, 2);
  const ddl = await q({ query: 'CREATE INDEX sub_name ON sub (name)' });
  t.true(ddl.changed);
  t.is(ddl.statusmessage, 'CREATE INDEX');
  const show = await q({ query: 'SHOW server_version' });
  t.false(show.changed);
  t.regex(String((show.query_result as { server_version: string }[])[0]!.server_version), /^15\./);
  const auto = await q({ query: 'CREATE DATABASE q2', autocommit: true });
  t.false(auto.failed, String(auto.msg));
  t.is(await one(`SELECT count(*) FROM pg_database WHERE datname = 'q2'`), '1');
  const fail = await q({ query: 'INSERT INTO sub (id) VALUES (3); SELECT 1/0' });
  t.true(fail.failed);
  t.regex(String(fail.msg), /division by zero/);
  t.is(await one('SELECT count(*) FROM sub WHERE id = 3', 'q'), '0', 'one transaction: nothing committed');
});

test.serial('postgresql_ext: a version installed, updated to latest, --check changes nothing, absent', async (t) => {
  await pg.psql('CREATE DATABASE extdb');
  const ext = { ...login(), db: 'extdb', name: 'citext', version: '1.4' };
  const check = await h.run(postgresqlExtModule, ext, { check: true });
  t.false(check.failed, String(check.msg));
  t.true(check.changed);
  t.is(await one(`SELECT count(*) FROM pg_extension WHERE extname = 'citext'`, 'extdb'), '0');
  const first = await h.run(postgresqlExtModule, ext);
  t.false(first.failed, String(first.msg));
  t.deepEqual(first.queries, [`CREATE EXTENSION "citext" VERSION '1.4'`]);
  t.is(first.version, '1.4');
  t.false((await h.run(postgresqlExtModule, ext)).changed);
  const latest = await h.run(postgresqlExtModule, { ...ext, version: 'latest' });
  t.true(latest.changed);
  t.is(latest.prev_version, '1.4');
  t.is(await one(`SELECT extversion FROM pg_extension WHERE extname = 'citext'`, 'extdb'), String(latest.version));
  t.false((await h.run(postgresqlExtModule, { ...ext, version: 'latest' })).changed);
  const nope = await h.run(postgresqlExtModule, { ...ext, name: 'no_such_ext' });
  t.true(nope.failed);
  t.regex(String(nope.msg), /Extension no_such_ext is not available/);
  t.true((await h.run(postgresqlExtModule, { ...login(), db: 'extdb', name: 'citext', state: 'absent', cascade: true })).changed);
  t.is(await one(`SELECT count(*) FROM pg_extension WHERE extname = 'citext'`, 'extdb'), '0');
  t.false((await h.run(postgresqlExtModule, { ...login(), db: 'extdb', name: 'citext', state: 'absent' })).changed);
});

test.serial('postgresql_info: version, databases with their extensions, roles; filter includes and excludes', async (t) => {
  await pg.psql('CREATE DATABASE infodb');
  await pg.psql('CREATE EXTENSION citext', 'infodb');
  const info = await h.run(postgresqlInfoModule, { ...login(), filter: ['version', 'databases', 'roles', 'in_recovery'] }, { check: true });
  t.false(info.failed, String(info.msg));
  t.false(info.changed);
  t.is((info.version as { major: number }).major, 15);
  t.false(info.in_recovery);
  const dbs = info.databases as Record<string, { owner: string; encoding: string; extensions: Record<string, { extversion: { raw: string } }> }>;
  t.is(dbs.infodb!.owner, 'postgres');
  t.truthy(dbs.infodb!.extensions.citext);
  t.truthy(dbs.infodb!.extensions.plpgsql);
  t.falsy(dbs.postgres!.extensions.citext);
  t.is((info.roles as Record<string, { superuser: boolean }>).postgres!.superuser, true);
  t.is(info.settings, undefined);
  const excl = await h.run(postgresqlInfoModule, { ...login(), filter: ['!databases', '!settings', '!roles'] });
  t.deepEqual(Object.keys(excl).filter((k) => ['version', 'in_recovery', 'tablespaces', 'replications', 'repl_slots', 'settings', 'databases', 'roles'].includes(k)).sort(), ['in_recovery', 'repl_slots', 'replications', 'tablespaces', 'version']);
});

test.serial('a playbook with become_user: postgres (peer auth on the local socket, as the SRE downgrade asks); no secret in -vvv, --json or the journal', async (t) => {
  const dir = mkdtempSync(join(h.fleet.dir, 'pb-'));
  const secret = `Pb-s3cret-${Date.now()}`;
  writeFileSync(
    join(dir, 'pg.yml'),
    `- hosts: all
  gather_facts: false
  vars:
    sip_cred: "${secret}"
    pg: { login_unix_socket: "${pg.socketDir}", login_port: ${pg.port} }
  tasks:
    - name: as root, peer authentication refuses the role postgres
      community.postgresql.postgresql_query:
        login_unix_socket: "{{ pg.login_unix_socket }}"
        login_port: "{{ pg.login_port }}"
        query: SELECT 1
      ignore_errors: true
      register: as_root
    - name: the SRE database
      become: true
      become_user: postgres
      community.postgresql.postgresql_db:
        login_unix_socket: "{{ pg.login_unix_socket }}"
        login_port: "{{ pg.login_port }}"
        name: sre_pb
    - name: the SIP user
      become: true
      become_user: postgres
      community.postgresql.postgresql_user:
        login_unix_socket: "{{ pg.login_unix_socket }}"
        login_port: "{{ pg.login_port }}"
        name: sip_pb
        password: "{{ sip_cred }}"
    - name: ALTER TABLE as user postgres in sre_pb
      become: true
      become_user: postgres
      community.postgresql.postgresql_query:
        login_unix_socket: "{{ pg.login_unix_socket }}"
        login_port: "{{ pg.login_port }}"
        db: sre_pb
        query: CREATE TABLE IF NOT EXISTS service_logic (id int)
    - assert:
        that: as_root is failed
`,
  );
  const journal = join(dir, 'journal');
  const run = (extra: string[]) => runCli(['pg.yml', '-i', h.fleet.inventoryPath, '--journal-dir', journal, ...extra], { cwd: dir, timeoutMs: 120_000 });
  const first = await run(['-vvv']);
  t.is(first.code, 0, first.stdout + first.stderr);
  t.regex(first.stdout, /Peer authentication failed for user \\"postgres\\"/);
  t.is(await one(`SELECT count(*) FROM pg_database WHERE datname = 'sre_pb'`), '1');
  t.regex(await one(`SELECT rolpassword FROM pg_authid WHERE rolname = 'sip_pb'`), /^SCRAM-SHA-256\$/);
  const second = await run(['--json']);
  t.is(second.code, 0, second.stdout + second.stderr);
  const stats = JSON.parse(second.stdout).stats as Record<string, { changed: number }>;
  t.is(Object.values(stats)[0]!.changed, 1, 'only CREATE TABLE IF NOT EXISTS reports changed (DDL, as Ansible)');
  const journals = readdirSync(journal, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => readFileSync(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name), 'utf8'));
  t.true(journals.length > 0);
  for (const text of [first.stdout, first.stderr, second.stdout, second.stderr, ...journals]) t.false(text.includes(secret), 'the secret leaked into an output');
});
