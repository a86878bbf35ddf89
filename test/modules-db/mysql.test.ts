import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { startMariadb, type MariadbServer } from '../../src/fleet/mariadb.js';
import { mysqlDbModule } from '../../src/modules/mysql-db.js';
import { mysqlQueryModule } from '../../src/modules/mysql-query.js';
import { mysqlUserModule } from '../../src/modules/mysql-user.js';
import { mysqlVariablesModule } from '../../src/modules/mysql-variables.js';
import { mysqlInfoModule } from '../../src/modules/mysql-info.js';
import { mysqlReplicationModule } from '../../src/modules/mysql-replication.js';
import { NASTY, oneHost, type OneHost } from '../modules-data/helpers.js';

// A real MariaDB on the controller (its socket under /run, shared with the fleet host); the mysql client
// runs on the fleet host.
let h: OneHost;
let db: MariadbServer;

test.before(async () => {
  [h, db] = await Promise.all([oneHost(), startMariadb()]);
});
test.after.always(async () => {
  await h?.stop();
  await db?.stop();
});

const login = () => ({ login_host: '127.0.0.1', login_port: db.port, login_user: 'admin', login_password: 'admin-pw' });

test.serial('mysql_db: created with its encoding, second run ok, --check creates nothing, absent drops', async (t) => {
  const args = { ...login(), name: 'opensips', encoding: 'utf8mb4', collation: 'utf8mb4_bin' };
  const check = await h.run(mysqlDbModule, args, { check: true });
  t.false(check.failed, String(check.msg));
  t.true(check.changed);
  t.is((await db.sql("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'opensips'")).trim(), '0');
  const first = await h.run(mysqlDbModule, args);
  t.false(first.failed, String(first.msg));
  t.true(first.changed);
  t.deepEqual(first.executed_commands, ['CREATE DATABASE `opensips` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin']);
  t.is((await db.sql("SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'opensips'")).trim(), 'utf8mb4_bin');
  const again = await h.run(mysqlDbModule, args);
  t.false(again.changed);
  const gone = await h.run(mysqlDbModule, { ...login(), name: 'opensips', state: 'absent' });
  t.true(gone.changed);
  t.is((await db.sql("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'opensips'")).trim(), '0');
  t.false((await h.run(mysqlDbModule, { ...login(), name: 'opensips', state: 'absent' })).changed);
});

test.serial('mysql_db dump and import through a gzip target; config_file (~/.my.cnf) as Ansible reads it', async (t) => {
  await db.sql("CREATE DATABASE src; CREATE TABLE src.t (a int, b text); INSERT INTO src.t VALUES (1, 'x'), (2, NULL)");
  h.write('/root/.my.cnf', `[client]\nuser=admin\npassword="admin-pw"\nhost=127.0.0.1\nport=${db.port}\n`);
  const dump = await h.run(mysqlDbModule, { name: 'src', state: 'dump', target: '/tmp/src.sql.gz' });
  t.false(dump.failed, String(dump.msg));
  t.true(dump.changed);
  const imp = await h.run(mysqlDbModule, { name: 'copy', state: 'import', target: '/tmp/src.sql.gz' });
  t.false(imp.failed, String(imp.msg));
  t.is((await db.sql('SELECT a, b FROM copy.t ORDER BY a')).trim(), '1\tx\n2\tNULL');
  const wrong = await h.run(mysqlDbModule, { name: 'src', login_password: 'nope', login_user: 'admin' });
  t.true(wrong.failed);
  t.regex(String(wrong.msg), /Access denied for user 'admin'/);
});

test.serial('mysql_db dump target is written atomically: a failed dump leaves the old target and no temp file', async (t) => {
  await db.sql('CREATE DATABASE IF NOT EXISTS atom; CREATE TABLE IF NOT EXISTS atom.t (a int); INSERT INTO atom.t VALUES (7)');
  h.write('/srv/mydumps/atom.sql', 'old dump\n');
  const ok = await h.run(mysqlDbModule, { ...login(), name: 'atom', state: 'dump', target: '/srv/mydumps/atom.sql' });
  t.false(ok.failed, String(ok.msg));
  t.regex(readFileSync(h.path('/srv/mydumps/atom.sql'), 'utf8'), /INSERT INTO `t` VALUES\s*\(7\)/);
  const before = readFileSync(h.path('/srv/mydumps/atom.sql'), 'utf8');
  // mysqldump refuses an --ignore-table without a database part: it fails after the plan said "dump".
  const bad = await h.run(mysqlDbModule, { ...login(), name: 'atom', state: 'dump', target: '/srv/mydumps/atom.sql', ignore_tables: ['nodot'] });
  t.true(bad.failed);
  t.is(readFileSync(h.path('/srv/mydumps/atom.sql'), 'utf8'), before, 'the old dump is intact');
  t.deepEqual(readdirSync(h.path('/srv/mydumps')), ['atom.sql'], 'no temp file left');
});

test.serial('mysql_query: named and positional args are bound, never SQL; reads run under --check, writes do not', async (t) => {
  await db.sql('CREATE DATABASE q; CREATE TABLE q.sub (id int PRIMARY KEY, name text)');
  const q = (args: Record<string, unknown>, check = false) => h.run(mysqlQueryModule, { ...login(), login_db: 'q', ...args }, { check });
  const ins = { query: 'INSERT INTO sub VALUES (%(id)s, %(name)s)', named_args: { id: 1, name: NASTY } };
  const check = await q(ins, true);
  t.true(check.changed);
  t.is((await db.sql('SELECT COUNT(*) FROM q.sub')).trim(), '0');
  const r = await q(ins);
  t.false(r.failed, String(r.msg));
  t.true(r.changed);
  t.deepEqual(r.rowcount, [1]);
  const evil = `x'); DROP TABLE sub; --`;
  t.false((await q({ query: 'INSERT INTO sub VALUES (%s, %s)', positional_args: [2, evil] })).failed);
  const read = await q({ query: ['SELECT name FROM sub WHERE id = %(id)s', 'SELECT COUNT(*) AS n, NULL AS z FROM sub'], named_args: { id: 1 } }, true);
  t.false(read.failed, String(read.msg));
  t.false(read.changed);
  t.deepEqual(read.query_result, [[{ name: NASTY }], [{ n: '2', z: null }]]);
  t.deepEqual(read.rowcount, [1, 1]);
  const pos = await q({ query: 'SELECT name FROM sub WHERE id = %s', positional_args: [2] });
  t.deepEqual(pos.query_result, [[{ name: evil }]]);
  const tooMany = await q({ query: 'SELECT 1 AS x', positional_args: [2] });
  t.true(tooMany.failed);
  t.regex(String(tooMany.msg), /positional_args has 1 values for 0 %s/);
  const none = await q({ query: 'UPDATE sub SET name = name WHERE id = 99' });
  t.false(none.changed, 'no row affected: ok');
  await db.sql('CREATE TABLE q.counter (n int);\nDELIMITER //\nCREATE FUNCTION q.bump() RETURNS int MODIFIES SQL DATA BEGIN INSERT INTO q.counter VALUES (1); RETURN 1; END//\nDELIMITER ;');
  const fn = await q({ query: 'SELECT bump() AS b' }, true);
  t.true(fn.changed);
  t.is((await db.sql('SELECT COUNT(*) FROM q.counter')).trim(), '0', 'a writing function did not run under --check');
});

test.serial('mysql_user tls_requires (geerlingguy.mysql passes one): set on create, compared, changed, {} leaves it alone', async (t) => {
  const base = { ...login(), name: 'tlsuser', host: '%', password: 'tls-pw' };
  const ssl = await h.run(mysqlUserModule, { ...base, tls_requires: { ssl: null } });
  t.false(ssl.failed, String(ssl.msg));
  t.is((await db.sql("SELECT ssl_type FROM mysql.user WHERE User = 'tlsuser'")).trim(), 'ANY');
  t.false((await h.run(mysqlUserModule, { ...base, tls_requires: { SSL: '' } })).changed, 'same requirement: unchanged');
  const spec = await h.run(mysqlUserModule, { ...base, tls_requires: { subject: "/CN=o'sips", issuer: '/CN=ca', X509: '' } });
  t.true(spec.changed);
  t.is(spec.msg, 'TLS requirements updated');
  t.is((await db.sql("SELECT ssl_type, x509_subject, x509_issuer FROM mysql.user WHERE User = 'tlsuser'")).trim(), "SPECIFIED\t/CN=o'sips\t/CN=ca");
  t.false((await h.run(mysqlUserModule, { ...base, tls_requires: { SUBJECT: "/CN=o'sips", ISSUER: '/CN=ca' } })).changed);
  t.false((await h.run(mysqlUserModule, { ...base, tls_requires: {} })).changed, 'an empty dict is no requirement given');
  t.throws(() => mysqlUserModule.parse({ ...base, tls_requires: { TLS: 1 } }, { file: 'u.yml', line: 3 }, false), { message: /tls_requires: unknown requirement 'TLS'/ });
  t.true((await h.run(mysqlUserModule, { ...base, state: 'absent' })).changed);
});

test.serial('mysql_user: server-side hashing, privileges, append_privs, absent; no secret in ps or output', async (t) => {
  await db.sql('CREATE DATABASE IF NOT EXISTS opensips');
  const secret = `S3cr"et'\\ ${Date.now()}`;
  const user = { ...login(), name: 'opensips', host: '%', password: secret, priv: 'opensips.*:ALL' };
  const seen: string[] = [];
  let running = true;
  let samples = 0;
  const sampler = (async () => {
    while (running) {
      const ps = await h.sh('ps -eo args');
      samples++;
      for (const l of ps.stdout.split('\n')) if (l.includes('S3cr') || l.includes('admin-pw')) seen.push(l);
    }
  })();
  const check = await h.run(mysqlUserModule, user, { check: true, diff: true });
  const first = await h.run(mysqlUserModule, user);
  const again = await h.run(mysqlUserModule, user);
  running = false;
  await sampler;
  t.true(samples > 1);
  t.deepEqual(seen, []);
  t.true(check.changed);
  t.false(first.failed, String(first.msg));
  t.true(first.changed);
  t.is(first.msg, 'User added');
  t.false(again.changed, String(again.msg));
  for (const out of [check, first, again]) t.false(JSON.stringify(out).includes('S3cr') || JSON.stringify(out).includes('admin-pw'));
  t.regex(await db.sql("SHOW GRANTS FOR opensips@'%'"), /GRANT ALL PRIVILEGES ON `opensips`\.\* TO `opensips`@`%`/);
  // the password works, and it was hashed by the server
  const who = await h.run(mysqlQueryModule, { login_host: '127.0.0.1', login_port: db.port, login_user: 'opensips', login_password: secret, query: 'SELECT CURRENT_USER() AS u' });
  t.deepEqual(who.query_result, [[{ u: 'opensips@%' }]]);
  const changedPw = await h.run(mysqlUserModule, { ...user, password: 'other' });
  t.is(changedPw.msg, 'Password updated');
  t.false((await h.run(mysqlUserModule, { ...user, password: 'third', update_password: 'on_create' })).changed);
  const append = await h.run(mysqlUserModule, { ...login(), name: 'opensips', host: '%', priv: 'mysql.user:SELECT', append_privs: true }, { diff: true });
  t.true(append.changed);
  t.regex(await db.sql("SHOW GRANTS FOR opensips@'%'"), /GRANT ALL PRIVILEGES ON `opensips`/);
  t.regex(await db.sql("SHOW GRANTS FOR opensips@'%'"), /GRANT SELECT ON `mysql`\.`user`/);
  const replace = await h.run(mysqlUserModule, { ...login(), name: 'opensips', host: '%', priv: 'opensips.*:SELECT,INSERT' }, { diff: true });
  t.true(replace.changed, JSON.stringify(replace));
  const grants = await db.sql("SHOW GRANTS FOR opensips@'%'");
  t.regex(grants, /GRANT SELECT, INSERT ON `opensips`/);
  t.notRegex(grants, /`mysql`\.`user`/);
  t.regex(JSON.stringify(replace.diff), /opensips\.\*:ALL/);
  const gone = await h.run(mysqlUserModule, { ...login(), name: 'opensips', host: '%', state: 'absent' });
  t.true(gone.changed);
  t.is((await db.sql("SELECT COUNT(*) FROM mysql.user WHERE User = 'opensips'")).trim(), '0');
});

test.serial('mysql_variables: set when different (diff before/after), ok when equal, --check sets nothing', async (t) => {
  const v = (value?: string, check = false) => h.run(mysqlVariablesModule, { ...login(), variable: 'max_connections', ...(value !== undefined ? { value } : {}) }, { check, diff: true });
  const before = (await db.sql("SELECT @@GLOBAL.max_connections")).trim();
  const read = await v();
  t.false(read.changed);
  t.is(read.msg, before);
  const check = await v('321', true);
  t.true(check.changed);
  t.is((await db.sql('SELECT @@GLOBAL.max_connections')).trim(), before);
  const set = await v('321');
  t.true(set.changed);
  t.deepEqual(set.queries, ['SET GLOBAL max_connections = 321']);
  t.regex(JSON.stringify(set.diff), new RegExp(`"before":"${before}\\\\n","after":"321\\\\n"`));
  t.is((await db.sql('SELECT @@GLOBAL.max_connections')).trim(), '321');
  t.false((await v('321')).changed);
  t.false((await h.run(mysqlVariablesModule, { ...login(), variable: 'autocommit', value: 'ON' })).changed, 'ON equals 1');
  const bad = await h.run(mysqlVariablesModule, { ...login(), variable: 'no_such_var', value: '1' });
  t.true(bad.failed);
});

test.serial('mysql_info and mysql_replication: version, databases, users; replica status read, start refused when not a replica', async (t) => {
  const info = await h.run(mysqlInfoModule, { ...login(), filter: ['version', 'databases', 'users', 'settings'] }, { check: true });
  t.false(info.failed, String(info.msg));
  t.false(info.changed);
  t.is((info.version as { major: number }).major, 10);
  t.truthy((info.databases as Record<string, unknown>).mysql);
  t.truthy((info.users as Record<string, Record<string, unknown>>)['%']!.admin);
  t.is((info.settings as Record<string, unknown>).port, db.port);
  const primary = await h.run(mysqlReplicationModule, { ...login(), mode: 'getprimary' });
  t.false(primary.failed, String(primary.msg));
  t.is(primary.Is_Primary, false, 'binary log off: not a primary');
  const replica = await h.run(mysqlReplicationModule, { ...login(), mode: 'getslave' });
  t.is(replica.Is_Replica, false);
  const start = await h.run(mysqlReplicationModule, { ...login(), mode: 'startreplica' });
  t.true(start.failed);
  t.regex(String(start.msg), /not configured as a replica/);
  const change = await h.run(mysqlReplicationModule, { ...login(), mode: 'changeprimary', primary_host: '127.0.0.1', primary_user: 'repl', primary_password: 'S3cret-repl', primary_port: 3306 });
  t.false(change.failed, String(change.msg));
  t.deepEqual(change.queries, ["CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_USER='repl', MASTER_PASSWORD=********, MASTER_PORT=3306"]);
  t.false(JSON.stringify(change).includes('S3cret'));
  const now = await h.run(mysqlReplicationModule, { ...login(), mode: 'getreplica' });
  t.is(now.Is_Replica, true);
  t.is(now.Master_Host, '127.0.0.1');
  t.is(now.Slave_IO_Running, 'No');
  t.false((await h.run(mysqlReplicationModule, { ...login(), mode: 'stopreplica' })).changed, 'already stopped');
  t.true((await h.run(mysqlReplicationModule, { ...login(), mode: 'resetreplicaall' })).changed);
  t.is((await h.run(mysqlReplicationModule, { ...login(), mode: 'getreplica' })).Is_Replica, false);
});
