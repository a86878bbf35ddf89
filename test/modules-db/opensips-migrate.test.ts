import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { startMariadb, type MariadbServer } from '../../src/fleet/mariadb.js';
import { createOpensips23, OPENSIPS_23_TABLES, opensipsMyCnf } from '../../src/lab/opensips-db.js';
import { parseRecap, runCli } from '../helpers/cli.js';

// playbooks/opensips-migrate.yml's database part on a real MariaDB, with one OpenSIPS host that reaches it
// through its ~/.my.cnf, as the lab has it (test/lab/genesys.test.ts runs it on the whole lab).
let fleet: Fleet;
let db: MariadbServer;

test.before(async () => {
  [fleet, db] = await Promise.all([startFleet({ names: ['sip1'], groups: { opensips: ['sip1'] } }), startMariadb()]);
  await createOpensips23(db);
  const put = (p: string, content: string) => {
    mkdirSync(dirname(fleet.path('sip1', p)), { recursive: true });
    writeFileSync(fleet.path('sip1', p), content, { mode: 0o600 });
  };
  put('/root/.my.cnf', opensipsMyCnf(db));
  put('/opt/opensips/etc/opensips/opensips.cfg', 'poll_method=epoll_lt\nroute { if (uri == myself) { exit; } }\n');
});
test.after.always(async () => {
  await fleet?.stop();
  await db?.stop();
});

const play = (args: string[] = []) =>
  runCli(['playbooks/opensips-migrate.yml', '-i', fleet.inventoryPath, '-e', 'opensips_cfg=/opt/opensips/etc/opensips/opensips.cfg', ...args], { timeoutMs: 180_000 });
const changed = (stdout: string) => Object.values(parseRecap(stdout)).reduce((n, c) => n + (c.changed ?? 0), 0);

test.serial('the 2.3 database is copied into opensips_2_4 as InnoDB at the 2.4 schema, untouched itself; --check first; idempotent', async (t) => {
  const snapshot = async () => {
    const out: string[] = [];
    for (const tbl of OPENSIPS_23_TABLES) {
      out.push(await db.sql(`SHOW CREATE TABLE \`${tbl}\``, 'opensips_2_3'), await db.sql(`CHECKSUM TABLE \`${tbl}\` EXTENDED`, 'opensips_2_3'), await db.sql(`SELECT * FROM \`${tbl}\` ORDER BY 1`, 'opensips_2_3'));
    }
    return out.join('\n');
  };
  const old = await snapshot();
  const check = await play(['--check']);
  t.is(check.code, 0, check.stdout + check.stderr);
  t.is((await db.sql("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'opensips_2_4'")).trim(), '0', '--check created nothing');
  for (const tbl of OPENSIPS_23_TABLES) t.regex(check.stdout, new RegExp(`changed: \\[sip1\\] => \\(item=${tbl}\\)`));
  t.regex(check.stdout, /changed: \[sip1\] => \(item=ls_seq_no\)/);

  const run = await play();
  t.is(run.code, 0, run.stdout + run.stderr);
  t.regex(run.stdout, /opensips\.cfg:1: poll_method=epoll_et\/epoll_lt -> poll_method=epoll/);
  t.is(await snapshot(), old, 'the 2.3 database is byte-for-byte unchanged');
  t.is(
    await db.sql("SELECT TABLE_NAME, ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'opensips_2_4' ORDER BY TABLE_NAME"),
    OPENSIPS_23_TABLES.map((tbl) => `${tbl}\tInnoDB\n`).join(''),
  );
  t.is(
    (await db.sql("SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'opensips_2_4' AND TABLE_NAME = 'clusterer'")).trim(),
    'id,cluster_id,node_id,url,state,no_ping_retries,priority,sip_addr,flags,description',
  );
  t.is((await db.sql("SELECT table_version FROM version WHERE table_name = 'clusterer'", 'opensips_2_4')).trim(), '4');
  t.is((await db.sql("SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'opensips_2_4'")).trim(), 'utf8mb3_general_ci');
  for (const tbl of OPENSIPS_23_TABLES.filter((x) => x !== 'clusterer' && x !== 'version')) {
    t.is(await db.sql(`SELECT * FROM \`${tbl}\` ORDER BY 1`, 'opensips_2_4'), await db.sql(`SELECT * FROM \`${tbl}\` ORDER BY 1`, 'opensips_2_3'), tbl);
  }
  const common = 'id, cluster_id, node_id, url, state, no_ping_retries, priority, sip_addr, flags, description';
  t.is(await db.sql(`SELECT ${common} FROM clusterer ORDER BY id`, 'opensips_2_4'), await db.sql(`SELECT ${common} FROM clusterer ORDER BY id`, 'opensips_2_3'));

  const again = await play();
  t.is(again.code, 0, again.stdout + again.stderr);
  t.is(changed(again.stdout), 0, again.stdout);
  const checkAgain = await play(['--check']);
  t.is(changed(checkAgain.stdout), 0, checkAgain.stdout);
});

test.serial('a copy cut half-way (a staging table left behind) is finished by the next run', async (t) => {
  await db.sql('DROP TABLE opensips_2_4.dialog; CREATE TABLE opensips_2_4.dialog__migrating (x int)');
  const run = await play();
  t.is(run.code, 0, run.stdout + run.stderr);
  t.regex(run.stdout, /changed: \[sip1\] => \(item=dialog\)/);
  t.is(await db.sql('SELECT * FROM dialog ORDER BY 1', 'opensips_2_4'), await db.sql('SELECT * FROM dialog ORDER BY 1', 'opensips_2_3'));
  t.is((await db.sql("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'opensips_2_4' AND TABLE_NAME LIKE '%migrating'")).trim(), '0');
});
