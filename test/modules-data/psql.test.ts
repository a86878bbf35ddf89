import test from 'ava';
import { existsSync } from 'node:fs';
import { psqlModule } from '../../src/modules/psql.js';
import { startPostgres, type PostgresServer } from '../../src/fleet/postgres.js';
import { NASTY, oneHost, type OneHost } from './helpers.js';

// A real PostgreSQL server on the controller; psql runs on a fleet host (which shares the controller's
// binaries and loopback network).
let h: OneHost;
let pg: PostgresServer;

test.before(async () => {
  [h, pg] = await Promise.all([oneHost(), startPostgres({ hba: ['host all pwuser 127.0.0.1/32 scram-sha-256'] })]);
  await pg.psql(`CREATE DATABASE sre`);
  await pg.psql(`CREATE ROLE pwuser LOGIN PASSWORD 'pa$$ "w''d"'`);
});
test.after.always(async () => {
  await h?.stop();
  await pg?.stop();
});

const sql = (args: Record<string, unknown>, check = false) =>
  h.run(psqlModule, { host: pg.host, port: pg.port, login_user: 'postgres', db: 'sre', ...args }, { check });

test.serial('create, fill and read back service_logic: rows typed, any value intact, reads unchanged', async (t) => {
  const create = await sql({
    query: `CREATE TABLE service_logic (id serial PRIMARY KEY, name text NOT NULL, tags text[], active boolean, meta jsonb, note text);
            INSERT INTO service_logic (name, tags, active, meta, note) VALUES (:'name', '{fix,production}', true, '{"v": 4.0}', NULL)`,
    params: { name: NASTY },
  });
  t.false(create.failed, String(create.msg));
  t.true(create.changed);
  t.is(create.rowcount, 1);
  const read = await sql({ query: 'SELECT id, name, tags, active, meta, note FROM service_logic ORDER BY id' });
  t.false(read.changed);
  t.deepEqual(read.rows, [{ id: 1, name: NASTY, tags: ['fix', 'production'], active: true, meta: { v: 4.0 }, note: null }]);
  t.is(read.rowcount, 1);
  t.false(existsSync(h.path('/tmp/pwned')));
  t.is((await pg.psql('SELECT name FROM service_logic', 'sre')).replace(/\n$/, ''), NASTY);
});

test.serial('a parameter is data, never SQL: the table survives an injection attempt', async (t) => {
  await pg.psql('CREATE TABLE IF NOT EXISTS x (v text)', 'sre');
  const evil = `'; DROP TABLE x; --`;
  const r = await sql({ query: `INSERT INTO x VALUES (:'v')`, params: { v: evil } });
  t.false(r.failed, String(r.msg));
  t.is((await pg.psql('SELECT v FROM x', 'sre')).trim(), evil);
  const id = await sql({ query: `SELECT count(*)::int AS n FROM :"tbl"`, params: { tbl: 'x' } });
  t.deepEqual(id.rows, [{ n: 1 }]);
});

test.serial('version checks: SHOW and SELECT read back before an upgrade', async (t) => {
  const show = await sql({ query: 'SHOW server_version' });
  t.regex(String((show.rows as Record<string, string>[])[0]!.server_version), /^15\./);
  const num = await sql({ query: "SELECT current_setting('server_version_num')::int AS v", db: 'postgres' });
  t.true(((num.rows as { v: number }[])[0]!.v) >= 150000);
  t.false(num.changed);
});

test.serial('ALTER TABLE service_logic DROP COLUMN tags CASCADE: check mode changes nothing, then it does', async (t) => {
  const cols = async () => (await pg.psql(`SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'service_logic'`, 'sre')).trim();
  t.regex(await cols(), /,tags,/);
  const check = await sql({ query: 'ALTER TABLE service_logic DROP COLUMN tags CASCADE;' }, true);
  t.true(check.changed);
  t.false(check.failed);
  t.regex(await cols(), /,tags,/);
  const r = await sql({ query: 'ALTER TABLE service_logic DROP COLUMN tags CASCADE;' });
  t.true(r.changed);
  t.false(r.failed, String(r.msg));
  t.is(await cols(), 'id,name,active,meta,note');
});

test.serial('failing SQL fails the task with psql\'s error and commits nothing (one transaction)', async (t) => {
  const before = (await pg.psql('SELECT count(*) FROM service_logic', 'sre')).trim();
  const r = await sql({ query: `INSERT INTO service_logic (name) VALUES ('half-done'); SELECT 1/0;` });
  t.true(r.failed);
  t.regex(String(r.msg), /ERROR: +division by zero/);
  t.is((await pg.psql('SELECT count(*) FROM service_logic', 'sre')).trim(), before);
  const noTx = await sql({ query: `INSERT INTO service_logic (name) VALUES ('kept'); SELECT 1/0;`, single_transaction: false });
  t.true(noTx.failed);
  t.is((await pg.psql(`SELECT count(*) FROM service_logic WHERE name = 'kept'`, 'sre')).trim(), '1');
});

test.serial('os_user runs psql as that OS user (over the Unix socket, default role = OS user)', async (t) => {
  const r = await h.run(psqlModule, { host: pg.socketDir, port: pg.port, db: 'sre', os_user: 'postgres', query: 'SELECT current_user AS u' });
  t.false(r.failed, String(r.msg));
  t.deepEqual(r.rows, [{ u: 'postgres' }]);
});

test.serial('login_password authenticates (scram) and a wrong one fails', async (t) => {
  const ok = await sql({ login_user: 'pwuser', login_password: `pa$$ "w'd"`, query: 'SELECT session_user AS u' });
  t.false(ok.failed, String(ok.msg));
  t.deepEqual(ok.rows, [{ u: 'pwuser' }]);
  const bad = await sql({ login_user: 'pwuser', login_password: 'nope', query: 'SELECT 1' });
  t.true(bad.failed);
  t.regex(String(bad.msg), /password authentication failed for user "pwuser"/);
});

test.serial('a SQL file on the target runs with params; DML RETURNING rows come back', async (t) => {
  h.write('/srv/sql/upgrade.sql', `UPDATE service_logic SET note = :'note' WHERE id = 1;\n`);
  const r = await sql({ file: '/srv/sql/upgrade.sql', params: { note: 'line1\nline2' } });
  t.false(r.failed, String(r.msg));
  t.true(r.changed);
  t.is(r.rowcount, 1);
  const ret = await sql({ query: `UPDATE service_logic SET active = false WHERE id = 1 RETURNING id, note` });
  t.deepEqual(ret.rows, [{ id: '1', note: 'line1\nline2' }]);
});

test.serial('under --check a psql meta-command with side effects does not run, nor a SELECT calling a function that writes', async (t) => {
  for (const query of ['\\! touch /tmp/psql-x', 'SELECT 1 \\! touch /tmp/psql-x', "\\echo hi \\\\ \\! touch /tmp/psql-x", '\\set x `touch /tmp/psql-x`']) {
    const r = await sql({ query }, true);
    t.true(r.changed, query);
    t.false(existsSync(h.path('/tmp/psql-x')), `${query} ran under --check`);
  }
  await pg.psql(`CREATE TABLE counter (n int); CREATE FUNCTION bump() RETURNS int LANGUAGE sql AS 'INSERT INTO counter VALUES (1) RETURNING 1'`, 'sre');
  const count = async () => (await pg.psql('SELECT count(*) FROM counter', 'sre')).trim();
  const check = await sql({ query: 'SELECT bump() AS b' }, true);
  t.false(check.failed, String(check.msg));
  t.true(check.changed);
  t.is(await count(), '0', 'the function ran under --check');
  const real = await sql({ query: 'SELECT bump() AS b' });
  t.false(real.failed, String(real.msg));
  t.true(real.changed);
  t.deepEqual(real.rows, [{ b: 1 }]);
  t.is(await count(), '1');
  const show = await sql({ query: '\\set x 2\nSELECT :x AS two' }, true);
  t.false(show.changed);
  t.deepEqual(show.rows, [{ two: 2 }]);
});

test.serial('a param and a password never appear in the process list of the host', async (t) => {
  const secret = 'Sup3r-s3cret-' + Date.now();
  const seen: string[] = [];
  let running = true;
  let sawPsql = false;
  const sampler = (async () => {
    while (running) {
      const ps = await h.sh('ps -eo args');
      if (/pg_sleep|psql .*-f -/.test(ps.stdout)) sawPsql = true;
      if (ps.stdout.includes(secret)) seen.push(ps.stdout.split('\n').filter((l) => l.includes(secret)).join('\n'));
    }
  })();
  const r = await sql({ login_user: 'pwuser', login_password: `pa$$ "w'd"`, query: `SELECT pg_sleep(1.5), length(:'pw') AS n`, params: { pw: secret } });
  const w = await sql({ query: `CREATE TABLE IF NOT EXISTS secrets (v text); INSERT INTO secrets SELECT :'pw' FROM pg_sleep(1.5)`, params: { pw: secret } });
  running = false;
  await sampler;
  t.false(r.failed, String(r.msg));
  t.false(w.failed, String(w.msg));
  t.deepEqual((r.rows as { n: number }[]).map((x) => x.n), [secret.length]);
  t.true(sawPsql, 'the sampler saw psql running');
  t.deepEqual(seen, []);
  t.false(JSON.stringify(r).includes('pa$$') || JSON.stringify(w).includes(secret), 'no secret in the output');
});
