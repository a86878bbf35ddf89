import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { OPENSIPS_23_TABLES } from '../../src/lab/opensips-db.js';
import { actions, changedTotal, parseRecap, play, sh } from './helpers.js';

// One lab through the Genesys procedures: the LCA upgrade stopped by its guard's deadline, then by
// SIGINT, then run to the end; the Configuration Server HA pair; OpenSIPS 2.3 -> 2.4. Serial, in order.
let lab: Lab;
const SCS = ['scs1', 'scs2'];
const LCA_HOSTS = ['lca1', 'lca2', 'scs1', 'scs2'];
const OPTION = /^disconnect-switchover-timeout/m;
test.before(async () => {
  lab = await startLab({ site: 'site-a' });
});
test.after.always(async () => {
  await lab?.stop();
});

const version = (h: string, app: string) => readFileSync(lab.path(h, `/opt/genesys/${app}/VERSION`), 'utf8').trim();
const options = (h: string) => readFileSync(lab.path(h, '/etc/genesys/scs.options'), 'utf8');
/** Every line of every log segment of APP on host h. */
const genesysLog = (h: string, app: string) =>
  readdirSync(lab.path(h, '/var/log/genesys'))
    .filter((f) => f.startsWith(`${app}.`))
    .flatMap((f) => readFileSync(lab.path(h, `/var/log/genesys/${f}`), 'utf8').split('\n').filter(Boolean))
    .sort();
/** Poll a condition the stand-in daemons reach on their next tick (they poll every 0.2 s). */
async function eventually(check: () => boolean, tries = 50): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
const changedTasks = (out: string) => out.split('TASK [').filter((b) => /\nchanged:/.test(b)).join('TASK [');
/** Live genesys-install processes of a host (the guard must have killed them). */
const installers = (host: string) =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('genesys-install') && readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(`LAB_HOST=${host}`);
      } catch {
        return false;
      }
    });

test.serial('LCA upgrade: a host over its deadline fails naming the guard, no further host starts, teardown removed the option', async (t) => {
  await sh(lab, 'lca2', 'echo install_seconds=600 >/etc/genesys/lab.conf');
  // 45 s: lca1 (a 2 s install) must finish well inside it even on a loaded machine; lca2's 600 s install cannot.
  const run = await play(lab, 'lca-upgrade.yml', ['-e', 'lca_host_deadline=45']);
  t.is(run.code, 2, run.stdout);
  t.regex(run.stdout + run.stderr, /disconnect-switchover-timeout.*host_deadline of 45 s exceeded on lca2/);
  t.like(parseRecap(run.stdout).lca2, { failures: 1 });
  t.is(version('lca1', 'lca'), '8.5.100.21', 'lca1 (first, in time) was upgraded');
  t.is(version('lca2', 'lca'), '8.5.100.07', 'lca2 was not');
  t.deepEqual(installers('lca2'), [], "lca2's install was killed");
  t.false(lab.actions('lca2').some((l) => /installed/.test(l)));
  for (const h of SCS) {
    t.deepEqual(lab.actions(h), [], `${h}: no further host started`);
    t.notRegex(options(h), OPTION, `${h}: teardown deleted the option`);
    t.true(await eventually(() => genesysLog(h, 'scs').some((l) => / 04561 option \[general\] disconnect-switchover-timeout deleted/.test(l))), `${h}: SCS saw the deletion`);
  }
  // The operator's part before the next attempt: start the LCA the killed upgrade left stopped.
  await sh(lab, 'lca2', 'systemctl start lca && echo install_seconds=2 >/etc/genesys/lab.conf');
});

test.serial('LCA upgrade: SIGINT in the middle of the rollout still runs the teardown', async (t) => {
  let sent = false;
  let sentAt = 0;
  const run = await play(lab, 'lca-upgrade.yml', [], {
    onStdout: (all, pid) => {
      if (!sent && /BATCH 2\/4 \[lca2\][\s\S]*Install the new LCA/.test(all)) {
        sent = true;
        sentAt = Date.now();
        process.kill(pid, 'SIGINT');
      }
    },
  });
  t.true(sent, 'the run reached lca2');
  t.log(`tsplay ended ${Date.now() - sentAt} ms after SIGINT`);
  t.is(run.code, 99, run.stdout + run.stderr);
  t.regex(run.stdout, /GUARD TEARDOWN \[disconnect-switchover-timeout\][\s\S]*Delete disconnect-switchover-timeout on every SCS/);
  for (const h of SCS) {
    t.notRegex(options(h), OPTION, `${h}: teardown deleted the option`);
    t.deepEqual(lab.actions(h), [], `${h}: untouched`);
  }
  // The first Ctrl-C lets the command in flight finish and starts no new task: lca2's LCA stays stopped.
  t.notRegex(run.stdout.slice(run.stdout.indexOf('BATCH 2/4')), /TASK \[genesys_lca : Start LCA\]/);
  t.is((await sh(lab, 'lca2', 'mlcmd -getappstatus lca || true')).split(' ')[2], 'stopped');
  t.deepEqual(installers('lca2'), []);
  await sh(lab, 'lca2', 'systemctl start lca && echo install_seconds=0.3 >/etc/genesys/lab.conf');
});

test.serial('LCA upgrade: hosts without SCS first, then the primary SCS host after the switchover, then the other; option set, then deleted', async (t) => {
  const seen = Object.fromEntries(LCA_HOSTS.map((h) => [h, new Set(lab.actions(h))]));
  const startedAt = new Date().toISOString();
  const run = await play(lab, 'lca-upgrade.yml');
  t.is(run.code, 0, run.stdout + run.stderr);
  for (const h of LCA_HOSTS) t.is(version(h, 'lca'), '8.5.100.21', h);
  const all = actions(lab, LCA_HOSTS).filter((a) => !seen[a.host]!.has(`${a.time} ${a.text}`));
  const order = all.map((a) => `${a.host} ${a.text.replace(/ \(was .*$/, '')}`);
  // lca1 and lca2 (no SCS) were upgraded by the interrupted runs before; now the SCS hosts, in order.
  t.deepEqual(order, [
    'scs1 systemctl stop scs',
    'scs1 systemctl stop lca',
    'scs1 genesys-install lca 8.5.100.21: installed',
    'scs1 systemctl start lca',
    'scs1 systemctl start scs',
    'scs2 systemctl stop scs',
    'scs2 systemctl stop lca',
    'scs2 genesys-install lca 8.5.100.21: installed',
    'scs2 systemctl start lca',
    'scs2 systemctl start scs',
  ]);
  t.deepEqual(actions(lab, LCA_HOSTS).filter((a) => /genesys-install lca .*installed/.test(a.text)).map((a) => a.host), ['lca1', 'lca2', 'scs1', 'scs2'], 'one LCA install per host, LCA-only hosts first');
  // scs2 took over as primary after scs1's SCS stopped and before scs1's LCA changed, and back.
  const installAt = (h: string) => all.find((a) => a.host === h && /genesys-install/.test(a.text))!.time;
  const takeover = (h: string) => genesysLog(h, 'scs').filter((l) => / 04503 /.test(l)).pop()!.slice(0, 24);
  t.true(takeover('scs2') < installAt('scs1'), 'backup SCS primary before the primary host LCA upgrade');
  t.true(takeover('scs1') < installAt('scs2'));
  t.regex((await sh(lab, 'scs1', 'mlcmd -getappstatus scs; mlcmd -getappstatus scs scs2')).trim(), /^scs scs1 primary .*\nscs scs2 backup /);
  for (const h of SCS) {
    const log = genesysLog(h, 'scs');
    t.true(log.some((l) => / 04560 option \[general\] disconnect-switchover-timeout set to 600/.test(l)), `${h}: option set`);
    t.notRegex(options(h), OPTION, `${h}: option deleted`);
    t.false(log.some((l) => l >= startedAt && / 04570 /.test(l)), `${h}: no incorrect switchover of an LCA's applications during the guarded run`);
  }
  const again = await play(lab, 'lca-upgrade.yml');
  t.is(again.code, 0);
  t.is(changedTotal(again), 0, changedTasks(again.stdout));
});

test.serial('ha-pair-upgrade.yml upgrades the backup Configuration Server first, waits for 21-22172, then the former primary', async (t) => {
  const run = await play(lab, 'ha-pair-upgrade.yml');
  t.is(run.code, 0, run.stdout + run.stderr);
  for (const h of SCS) {
    t.is(version(h, 'confserv'), '8.5.101', h);
    t.is(readFileSync(lab.path(h, '/opt/genesys/confserv.8.1.3/VERSION'), 'utf8').trim(), '8.1.3', `${h}: old folder kept`);
  }
  const cs = actions(lab, SCS).filter((a) => /confserv/.test(a.text));
  t.deepEqual(
    cs.map((a) => `${a.host} ${a.text.replace(/ \(was .*$/, '')}`),
    ['scs2 systemctl stop confserv', 'scs2 genesys-install confserv 8.5.101: installed', 'scs2 systemctl start confserv', 'scs1 systemctl stop confserv', 'scs1 genesys-install confserv 8.5.101: installed', 'scs1 systemctl start confserv'],
  );
  const ready = genesysLog('scs2', 'confserv').find((l) => / 21-22172 confserv 8\.5\.101 on scs2 is running in backup mode/.test(l))!;
  t.truthy(ready);
  t.true(ready.slice(0, 24) < cs.find((a) => a.host === 'scs1')!.time, 'the primary stopped only after the upgraded backup was ready');
  t.regex((await sh(lab, 'scs1', 'mlcmd -getappstatus confserv; mlcmd -getappstatus confserv scs2')).trim(), /^confserv scs1 backup 8\.5\.101\nconfserv scs2 primary 8\.5\.101$/);
  const again = await play(lab, 'ha-pair-upgrade.yml');
  t.is(changedTotal(again), 0, changedTasks(again.stdout));
});

test.serial('opensips-migrate.yml reports every removed construct with file:line and its replacement, then migrates the MySQL database into a new one', async (t) => {
  const cfgPath = '/opt/opensips/etc/opensips/opensips.cfg';
  const before = readFileSync(lab.path('cp1', cfgPath), 'utf8');
  const db = lab.mariadb;
  const tables = OPENSIPS_23_TABLES;
  /** Every table's definition and checksum, and its rows in key order: the 2.3 database byte for byte. */
  const snapshot = async (name: string) => {
    const out: string[] = [];
    for (const tbl of tables) {
      out.push(await db.sql(`SHOW CREATE TABLE \`${tbl}\``, name), await db.sql(`CHECKSUM TABLE \`${tbl}\` EXTENDED`, name), await db.sql(`SELECT * FROM \`${tbl}\` ORDER BY 1`, name));
    }
    return out.join('\n');
  };
  const old = await snapshot('opensips_2_3');
  const exists = async () => (await db.sql("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'opensips_2_4'")).trim();

  const check = await play(lab, 'opensips-migrate.yml', ['--check']);
  t.is(check.code, 0, check.stdout + check.stderr);
  t.is(await exists(), '0', '--check created nothing');
  for (const tbl of tables) t.regex(check.stdout, new RegExp(`changed: \\[cp1\\] => \\(item=${tbl}\\)`), `--check shows that ${tbl} would be copied`);
  t.regex(check.stdout, /changed: \[cp1\] => \(item=ls_seq_no\)/, '--check shows the column drop');

  const run = await play(lab, 'opensips-migrate.yml');
  t.is(run.code, 0, run.stdout + run.stderr);
  const lines = before.split('\n');
  const at = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
  const expected: [string, string][] = [
    ['poll_method=epoll_lt', 'poll_method=epoll'], ['uri == myself', 'is_myself(\\"$rd\\")'], ['uri == myself', '-> $ru'],
    ['src_ip ==', '-> $si'], ['method ==', '-> $rm'], ['af == INET6', '$af compared'], ['proto == TCP', '$pr'], ['msg:len', '-> $ml'],
    ['from_uri =~', '-> $fu'], ['to_uri =~', '-> $tu'], ['dst_ip ==', '-> $Ri'], ['dst_port ==', '-> $Rp'], ['src_port ==', '-> $sp'],
    ['status =~', '-> $rs'], ['$cgrret', '$cgr_ret(name)'], ['"accept_replicated_dialogs"', 'dialog_replication_cluster'],
    ['"replicate_dialogs_to"', 'dialog_replication_cluster'], ['"accept_replicated_profiles"', 'profile_replication_cluster'], ['"replicate_profiles_to"', 'profile_replication_cluster'],
  ];
  for (const [needle, replacement] of expected) {
    const n = at(needle);
    t.true(n > 0, needle);
    t.true(run.stdout.split('\\n').some((l) => l.includes(`${cfgPath}:${n}: `) && l.includes(replacement)), `${needle} reported at ${cfgPath}:${n} with ${replacement}`);
  }
  t.is(readFileSync(lab.path('cp1', cfgPath), 'utf8'), before, 'the script is not changed');

  t.is(await snapshot('opensips_2_3'), old, 'the 2.3 database is byte-for-byte unchanged');
  const engines = await db.sql("SELECT TABLE_NAME, ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'opensips_2_4' ORDER BY TABLE_NAME");
  t.is(engines, tables.map((tbl) => `${tbl}\tInnoDB\n`).join(''), 'every table, all InnoDB, no staging table left');
  const cols = (name: string) => db.sql("SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM information_schema.COLUMNS WHERE TABLE_NAME = 'clusterer' AND TABLE_SCHEMA = '" + name + "'");
  t.regex(await cols('opensips_2_3'), /ls_seq_no,top_seq_no/);
  t.is((await cols('opensips_2_4')).trim(), 'id,cluster_id,node_id,url,state,no_ping_retries,priority,sip_addr,flags,description');
  t.is((await db.sql("SELECT table_version FROM version WHERE table_name = 'clusterer'", 'opensips_2_4')).trim(), '4');
  for (const tbl of tables.filter((x) => x !== 'clusterer' && x !== 'version')) {
    t.is(await db.sql(`SELECT * FROM \`${tbl}\` ORDER BY 1`, 'opensips_2_4'), await db.sql(`SELECT * FROM \`${tbl}\` ORDER BY 1`, 'opensips_2_3'), `every row of ${tbl}`);
  }
  const common = 'id, cluster_id, node_id, url, state, no_ping_retries, priority, sip_addr, flags, description';
  t.is(await db.sql(`SELECT ${common} FROM clusterer ORDER BY id`, 'opensips_2_4'), await db.sql(`SELECT ${common} FROM clusterer ORDER BY id`, 'opensips_2_3'));

  const again = await play(lab, 'opensips-migrate.yml');
  t.is(again.code, 0, again.stdout + again.stderr);
  t.is(changedTotal(again), 0, changedTasks(again.stdout));
  t.is(await snapshot('opensips_2_3'), old);
});
