import test from 'ava';
import { readFileSync } from 'node:fs';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { actions, changedTotal, intervals, overlaps, parseRecap, play, sh } from './helpers.js';

// One lab through the SRE procedures in order: upgrade 3.3 -> 4.0.2 (Option 1A), downgrade to 3.3,
// upgrade to 4.0.1 with Option 1B. Tests run serially: each starts from the state the last left.
let lab: Lab;
const EMS = ['em1', 'em2'];
const CPS = ['cp1', 'cp2', 'cp3'];
test.before(async () => {
  lab = await startLab({ site: 'site-a' });
});
test.after.always(async () => {
  await lab?.stop();
});

const rpmVersion = async (h: string) => (await sh(lab, h, "rpm -q --qf '%{VERSION}' sre")).trim();
const listenLine = (h: string) => readFileSync(lab.path(h, '/etc/kamailio/kamailio.cfg'), 'utf8').split('\n').filter((l) => l.startsWith('listen='));
const columns = async () => (await lab.postgres.psql("SELECT column_name FROM information_schema.columns WHERE table_name = 'service_logic' ORDER BY 1", 'sre')).trim().split('\n');

test.serial('upgrade.yml (Option 1A) upgrades the EMs in the seed order and the CPs one at a time, keeping each listen= line', async (t) => {
  const listenBefore = Object.fromEntries(CPS.map((h) => [h, listenLine(h)]));
  t.deepEqual(listenBefore.cp1, [`listen=udp:${lab.fleet.host('cp1').address}:5060`], 'each CP starts with its own listen= line');
  t.false((await columns()).includes('tags'));

  const run = await play(lab, 'upgrade.yml', ['-e', 'src_rpm=sre-4.0.2.x86_64.rpm']);
  t.is(run.code, 0, run.stdout + run.stderr);
  const recap = parseRecap(run.stdout);
  for (const h of [...EMS, ...CPS]) t.is(recap[h]?.failures, 0, h);
  for (const h of [...EMS, ...CPS]) t.is(await rpmVersion(h), '4.0.2', `${h} runs 4.0.2`);

  // EMs: standby stopped and upgraded before the master is touched; db upgrade once, on the master,
  // between its RPM install and its start; master started before the standby.
  const em = actions(lab, EMS).map((a) => `${a.host} ${a.text.replace(/: upgraded.*/, '')}`);
  t.deepEqual(em, [
    'em2 systemctl stop sre',
    'em2 dnf install /srv/repo/sre-4.0.2.x86_64.rpm',
    'em1 systemctl stop sre',
    'em1 dnf install /srv/repo/sre-4.0.2.x86_64.rpm',
    'em1 sre-admin db upgrade',
    'em1 systemctl start sre',
    'em2 systemctl start sre',
  ]);
  t.true((await columns()).includes('tags'), 'the 4.0 schema change reached the real database');
  t.is((await lab.postgres.psql('SELECT version FROM sre_schema', 'sre')).trim(), '4.0.2');
  for (const h of EMS) t.is((await sh(lab, h, 'ls /etc/cron.d')).trim(), '', `${h}: SRE crontab removed`);

  // CPs: the seed's step order on each, and never two out of service (or with kamailio down) at once.
  const cp = actions(lab, CPS);
  for (const h of CPS) {
    t.deepEqual(
      cp.filter((a) => a.host === h).map((a) => a.text.replace(/: upgraded.*/, '')),
      ['sre-admin node out-of-service', 'systemctl stop kamailio', 'dnf install /srv/repo/sre-4.0.2.x86_64.rpm', 'systemctl restart sre', 'systemctl start kamailio', 'sre-admin node in-service'],
      h,
    );
  }
  t.deepEqual(overlaps(intervals(cp, /node out-of-service/, /node in-service/)), [], 'never two CPs out of service at the same moment');
  t.deepEqual(overlaps(intervals(cp, /stop kamailio/, /start kamailio/)), [], 'never two kamailios down at the same moment');
  t.deepEqual([...new Set(cp.map((a) => a.host))], CPS, 'cp1, then cp2, then cp3');

  for (const h of CPS) {
    t.deepEqual(listenLine(h), listenBefore[h], `${h} keeps its listen= line`);
    const live = readFileSync(lab.path(h, '/etc/kamailio/kamailio.cfg'), 'utf8');
    t.regex(live, /Server: SRE 4\.0\.2/, `${h} runs the shipped 4.0.2 config`);
    t.is((await sh(lab, h, 'systemctl is-active kamailio; /opt/sre/bin/sre-admin node status')).trim(), 'active\nin-service');
    // The real kamailio listens on the host's own address (it would not start on a lost listen= line).
    const pid = (await sh(lab, h, 'cat /run/lab/units/kamailio.pid')).trim();
    t.regex(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /kamailio/);
  }
});

test.serial('a second upgrade.yml run changes nothing', async (t) => {
  const before = CPS.map((h) => lab.actions(h).length);
  const run = await play(lab, 'upgrade.yml', ['-e', 'src_rpm=sre-4.0.2.x86_64.rpm']);
  t.is(run.code, 0, run.stdout);
  t.is(changedTotal(run), 0, run.stdout.split('TASK [').filter((b) => /\nchanged:/.test(b)).join('TASK ['));
  t.deepEqual(CPS.map((h) => lab.actions(h).length), before, 'no action on any CP');
});

test.serial('downgrade.yml drops the tags column on the master database, downgrades every node and restores the CPs\' previous kamailio.cfg', async (t) => {
  const run = await play(lab, 'downgrade.yml', ['-e', 'src_rpm=sre-3.3.0.x86_64.rpm']);
  t.is(run.code, 0, run.stdout + run.stderr);
  t.false((await columns()).includes('tags'), 'ALTER TABLE service_logic DROP COLUMN tags CASCADE ran');
  for (const h of [...EMS, ...CPS]) t.is(await rpmVersion(h), '3.3.0', h);
  for (const h of CPS) {
    const live = readFileSync(lab.path(h, '/etc/kamailio/kamailio.cfg'), 'utf8');
    t.is(live, readFileSync(lab.path(h, '/etc/kamailio/kamailio.cfg.sre-3.3.0-1'), 'utf8'), `${h}: the config saved before the upgrade is back`);
    t.deepEqual(listenLine(h), [`listen=udp:${lab.fleet.host(h).address}:5060`]);
    t.is((await sh(lab, h, 'systemctl is-active kamailio')).trim(), 'active');
  }
  t.true(actions(lab, EMS).some((a) => a.host === 'em1' && /dnf downgrade .*sre-3\.3\.0.*4\.0\.2-1 -> 3\.3\.0-1/.test(a.text)));
  t.deepEqual(overlaps(intervals(actions(lab, CPS), /node out-of-service/, /node in-service/)), []);

  const again = await play(lab, 'downgrade.yml', ['-e', 'src_rpm=sre-3.3.0.x86_64.rpm']);
  t.is(again.code, 0, again.stderr + again.stdout.slice(-1500));
  t.is(changedTotal(again), 0, again.stdout.split('TASK [').filter((b) => /\nchanged:/.test(b)).join('TASK ['));
});

test.serial('upgrade.yml with sre_db_switchover=true (Option 1B) promotes the upgraded standby and upgrades the schema there', async (t) => {
  const start = Object.fromEntries(EMS.map((h) => [h, lab.actions(h).length]));
  const run = await play(lab, 'upgrade.yml', ['-e', 'src_rpm=sre-4.0.1.x86_64.rpm', '-e', 'sre_db_switchover=true']);
  t.is(run.code, 0, run.stdout + run.stderr);
  const em = actions(lab, EMS)
    .filter((a) => lab.actions(a.host).indexOf(`${a.time} ${a.text}`) >= start[a.host]!)
    .map((a) => `${a.host} ${a.text.replace(/: upgraded.*/, '').replace(/: em2 promoted.*/, '')}`);
  t.deepEqual(em, [
    'em2 systemctl stop sre',
    'em2 dnf install /srv/repo/sre-4.0.1.x86_64.rpm',
    'em2 repmgr standby switchover',
    'em2 sre-admin db upgrade',
    'em2 systemctl start sre',
    'em1 systemctl stop sre',
    'em1 dnf install /srv/repo/sre-4.0.1.x86_64.rpm',
    'em1 systemctl start sre',
  ]);
  t.is((await sh(lab, 'em2', 'repmgr node status')).includes('Role: primary'), true);
  t.true((await columns()).includes('tags'));
  for (const h of CPS) t.is(await rpmVersion(h), '4.0.1', h);
});
