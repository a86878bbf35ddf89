import test from 'ava';
import { ParseError } from '../../src/errors.js';
import { findModule } from '../../src/modules/registry.js';
import { buildMysql, parseMysqlXml, sqlString, sqlValue } from '../../src/modules/mysql-client.js';
import { mysqlDbModule } from '../../src/modules/mysql-db.js';
import { isReadOnlyQuery, mysqlQueryModule, queryScript, readResults } from '../../src/modules/mysql-query.js';
import { mysqlUserModule, parseGrants, parsePriv } from '../../src/modules/mysql-user.js';
import { fakeCtx, NASTY, where } from '../modules-data/helpers.js';

const login = { config_file: '~/.my.cnf', connect_timeout: 30 };

test('the database modules are registered under their Ansible names', (t) => {
  for (const n of ['mysql_db', 'community.mysql.mysql_db', 'mysql_user', 'mysql_query', 'community.mysql.mysql_query']) t.truthy(findModule(n), n);
});

test('mysql: credentials and SQL travel on stdin, an option file 0600 holds them, login_* win over config_file', (t) => {
  const c = buildMysql({ ...login, login_user: 'admin', login_password: NASTY.replace('\n', ' '), login_host: 'db1', login_port: 3307 }, 'SELECT 1;', { db: 'opensips' });
  t.false(c.cmd.includes('pwned') || c.cmd.includes('admin'), 'no credential on argv');
  t.regex(c.cmd, /umask 077/);
  t.true(c.cmd.includes(`if [ -r "$HOME"/.my.cnf ]; then printf '\\''!include %s\\n'`));
  t.regex(c.stdin, /^\[client\]\nuser="admin"\npassword="it's \\"q\\" \$\(touch \/tmp\/pwned\) `id` \$HOME; x line two ü €"\nhost="db1"\nport=3307\nprotocol=TCP\n/);
  t.true(c.stdin.endsWith('SELECT 1;'));
  t.regex(c.cmd, /--database=opensips/);
  const ro = buildMysql(login, 'SELECT 1;', { readOnly: true });
  t.regex(ro.stdin, /START TRANSACTION READ ONLY;\nSELECT 1;\nROLLBACK;\n$/);
});

test('mysql --xml output: NULL apart from the string NULL, entities and newlines intact, one entry per result set', (t) => {
  const xml = `<?xml version="1.0"?>\n\n<resultset statement="SELECT * FROM t" xmlns:xsi="x">\n  <row>\n\t<field name="a">1</field>\n\t<field name="b">x\ny&lt;&amp;&gt;&quot;NULL</field>\n  </row>\n\n  <row>\n\t<field name="a" xsi:nil="true" />\n\t<field name="b">NULL</field>\n  </row>\n</resultset>\n<?xml version="1.0"?>\n<resultset statement="SELECT ROW_COUNT() AS __tsplay_rowcount_0" xmlns:xsi="x">\n  <row>\n\t<field name="r">-1</field>\n  </row>\n</resultset>\n`;
  const sets = parseMysqlXml(xml);
  t.deepEqual(sets[0]!.rows, [{ a: '1', b: 'x\ny<&>"NULL' }, { a: null, b: 'NULL' }]);
  t.deepEqual(readResults(sets, ['SELECT * FROM t']), { query_result: [[{ a: '1', b: 'x\ny<&>"NULL' }, { a: null, b: 'NULL' }]], rowcount: [2] });
});

test('mysql_query: %s and %(name)s become ? of a prepared statement; values are hex literals bound with USING', (t) => {
  const s = queryScript("SELECT * FROM t WHERE a = %(a)s AND b LIKE 'x%%' AND c = %(a)s", { named_args: { a: NASTY } }, 'M');
  t.false(s.includes('pwned'));
  t.true(s.includes(`SET @__tsplay_p1 = ${sqlString(NASTY)};`));
  t.true(s.includes('EXECUTE __tsplay_stmt USING @__tsplay_p1, @__tsplay_p2;'));
  t.true(s.includes(sqlString("SELECT * FROM t WHERE a = ? AND b LIKE 'x%' AND c = ?")));
  t.is(queryScript('SELECT 1;', {}, 'M'), 'SELECT 1;\nM;\n');
  t.is(sqlValue(true), '1');
  t.is(sqlValue(null), 'NULL');
  t.is(sqlValue(2.5), '2.5');
  t.throws(() => queryScript('SELECT %s, %s', { positional_args: [1] }, 'M'), { message: /more %s than positional_args/ });
  t.throws(() => queryScript('SELECT %(x)s', { named_args: {} }, 'M'), { message: /'x' is not in named_args/ });
});

test('mysql_query: read-only is SELECT/SHOW/DESCRIBE/EXPLAIN alone, without writes hidden in strings or comments counting', (t) => {
  for (const q of ['SELECT 1', "SELECT 'DELETE FROM x'", 'SHOW DATABASES', 'DESCRIBE t', 'select a from b -- UPDATE x', 'SELECT `insert` FROM t']) t.true(isReadOnlyQuery(q), q);
  for (const q of ['INSERT INTO t VALUES (1)', 'SELECT 1; DROP TABLE t', 'SELECT * FROM t INTO OUTFILE "/tmp/x"', 'SELECT * FROM t FOR UPDATE', 'SELECT /*! 1; DROP TABLE t */ 1', 'CREATE TABLE t (a int)']) {
    t.false(isReadOnlyQuery(q), q);
  }
});

test('mysql_query: a read-only query is probed in a read-only transaction; one that writes becomes a step', async (t) => {
  const { ctx, probes } = fakeCtx(() => ({ rc: 1, stderr: 'ERROR 1792 (25006) at line 2: Cannot execute statement in a READ ONLY transaction\n' }), true);
  const plan = await mysqlQueryModule.plan(mysqlQueryModule.parse({ query: 'SELECT bump()' }, where, false), ctx);
  t.is(probes.length, 1);
  t.regex(String(probes[0]!.opts?.stdin), /START TRANSACTION READ ONLY;/);
  t.is(plan.steps.length, 1);
  t.true(plan.changed);
});

test('mysql_user: privilege strings and SHOW GRANTS normalize alike', (t) => {
  t.deepEqual(parsePriv('opensips.*:ALL,GRANT/`acc`.`cdrs`:select, insert', where), { 'opensips.*': ['ALL', 'GRANT'], 'acc.cdrs': ['INSERT', 'SELECT'] });
  t.deepEqual(parsePriv({ '*.*': 'REPLICATION SLAVE' }, where), { '*.*': ['REPLICATION SLAVE'] });
  t.deepEqual(
    parseGrants([
      "GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*ABC'",
      'GRANT ALL PRIVILEGES ON `opensips`.* TO `u`@`%` WITH GRANT OPTION',
      'GRANT SELECT, INSERT ON `acc`.`cdrs` TO `u`@`%`',
    ]),
    { '*.*': ['USAGE'], 'opensips.*': ['ALL', 'GRANT'], 'acc.cdrs': ['INSERT', 'SELECT'] },
  );
  t.throws(() => parsePriv('opensips.*:ALL; DROP TABLE x', where), { instanceOf: ParseError, message: /invalid privilege/ });
  t.throws(() => parsePriv('opensips:ALL', where), { instanceOf: ParseError, message: /invalid privileges target/ });
});

test('mysql modules: bad arguments fail naming the argument', (t) => {
  const err = (f: () => unknown, re: RegExp) => t.throws(f, { instanceOf: ParseError, message: re });
  err(() => mysqlDbModule.parse({ name: 'x', state: 'gone' }, where, false), /'state' must be one of/);
  err(() => mysqlDbModule.parse({ name: 'x', state: 'dump' }, where, false), /missing: target/);
  err(() => mysqlDbModule.parse({ name: 'x', encoding: 'utf8; DROP' }, where, false), /'encoding' is not a character set/);
  err(() => mysqlUserModule.parse({ name: 'x', bogus: 1 }, where, false), /unsupported argument 'bogus'/);
  err(() => mysqlUserModule.parse({ name: 'x', plugin: 'a b' }, where, false), /'plugin'/);
  err(() => mysqlQueryModule.parse({ query: 'x', named_args: {}, positional_args: [] }, where, false), /mutually exclusive/);
  err(() => mysqlQueryModule.parse({ query: 5 }, where, false), /'query' must be a string or a list/);
  err(() => mysqlQueryModule.parse({ query: 'x', login_password: 'a\nb' }, where, false), /'login_password' must not contain a line break/);
  t.notThrows(() => mysqlUserModule.parse({ name: '{{ u }}', priv: '{{ p }}', login_port: '{{ port }}' }, where, true));
});
