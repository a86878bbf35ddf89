import test from 'ava';
import { readFileSync } from 'node:fs';
import { startLab, type Lab } from '../../src/lab/lab.js';
import { actions, changedTotal, intervals, overlaps, parseRecap, play, sh } from './helpers.js';

// One lab: a CP whose RPM install fails stops the rollout; once repaired the rollout completes; then the
// other CP procedures (hitless redirect, patch path, SIP registration client). Serial, in this order.
let lab: Lab;
const CPS = ['cp1', 'cp2', 'cp3'];
test.before(async () => {
  lab = await startLab({ site: 'site-a' });
});
test.after.always(async () => {
  await lab?.stop();
});

const rpmVersion = async (h: string) => (await sh(lab, h, "rpm -q --qf '%{VERSION}' sre")).trim();
const status = async (h: string) => (await sh(lab, h, 'systemctl is-active kamailio; /opt/sre/bin/sre-admin node status')).trim();
const changedTasks = (out: string) => out.split('TASK [').filter((b) => /\nchanged:/.test(b)).join('TASK [');

test.serial("CP2's RPM install fails: the rollout stops, CP3 is untouched and in service, recap and exit code say so", async (t) => {
  // A directory where the package puts a file: rpm's unpacking fails, as on a full or damaged disk.
  await sh(lab, 'cp2', 'rm -f /opt/sre/VERSION && mkdir -p /opt/sre/VERSION/busy');
  const run = await play(lab, 'upgrade.yml', ['-e', 'src_rpm=sre-4.0.1.x86_64.rpm']);
  t.is(run.code, 2, 'exit code 2: a host failed');
  const recap = parseRecap(run.stdout);
  t.like(recap.cp1, { failures: 0 });
  t.like(recap.cp2, { failures: 1 });
  t.is(recap.cp3?.changed ?? 0, 0, 'the recap shows nothing done on cp3');
  t.regex(run.stdout, /cp2: upgrade to 4\.0\.1-1 failed in 'Install the SRE RPM'.*left out of traffic/);
  t.regex(run.stdout + run.stderr, /max_fail_percentage/);

  t.is(await rpmVersion('cp1'), '4.0.1');
  t.is(await rpmVersion('cp2'), '3.3.0', 'the failed install left 3.3.0 in place');
  t.is(await status('cp2'), 'active\nout-of-service', 'cp2: kamailio back on its old config, still out of service');
  t.deepEqual(lab.actions('cp3'), [], 'cp3: not a single action');
  t.is(await rpmVersion('cp3'), '3.3.0');
  t.is(await status('cp3'), 'active\nin-service');
  t.deepEqual(overlaps(intervals(actions(lab, CPS), /node out-of-service/, /node in-service/)), []);
});

test.serial('once CP2 is repaired, the same run completes the rollout (cp1 is left alone)', async (t) => {
  await sh(lab, 'cp2', 'rm -rf /opt/sre/VERSION');
  const cp1Before = lab.actions('cp1').length;
  const run = await play(lab, 'upgrade.yml', ['-e', 'src_rpm=sre-4.0.1.x86_64.rpm']);
  t.is(run.code, 0, run.stdout);
  t.is(lab.actions('cp1').length, cp1Before, 'cp1 was already done');
  for (const h of CPS) t.is(await rpmVersion(h), '4.0.1', h);
  for (const h of CPS) t.is(await status(h), 'active\nin-service', h);
  t.deepEqual(overlaps(intervals(actions(lab, CPS), /node out-of-service/, /node in-service/)), []);
});

test.serial('redirect.yml upgrades each CP between set-redirection and reset-redirection, one CP at a time', async (t) => {
  const start = Object.fromEntries(CPS.map((h) => [h, lab.actions(h).length]));
  const run = await play(lab, 'redirect.yml', ['-e', 'src_rpm=sre-4.0.2.x86_64.rpm']);
  t.is(run.code, 0, run.stdout);
  for (const h of CPS) {
    t.deepEqual(
      lab.actions(h).slice(start[h]).map((l) => l.slice(25).replace(/: upgraded.*/, '')),
      ['sre-admin kamailio set-redirection', 'systemctl stop kamailio', 'dnf install /srv/repo/sre-4.0.2.x86_64.rpm', 'systemctl restart sre', 'systemctl start kamailio', 'sre-admin kamailio reset-redirection', 'sre-admin kamailio get-redirection'],
      h,
    );
    t.is((await sh(lab, h, '/opt/sre/bin/sre-admin kamailio get-redirection')).trim(), 'off');
    t.is(await rpmVersion(h), '4.0.2');
  }
  t.deepEqual(overlaps(intervals(actions(lab, CPS), /set-redirection/, /reset-redirection/)), [], 'never two CPs redirected at once');
  const again = await play(lab, 'redirect.yml', ['-e', 'src_rpm=sre-4.0.2.x86_64.rpm']);
  t.is(changedTotal(again), 0, changedTasks(again.stdout));
});

test.serial('patch-upgrade.yml updates and restarts the EMs and reports each CP\'s kamailio.cfg differences without overwriting', async (t) => {
  const cfg = lab.path('cp3', '/etc/kamailio/kamailio.cfg');
  const tweaked = readFileSync(cfg, 'utf8').replace('children=8', 'children=16');
  await sh(lab, 'cp3', `sed -i 's/^children=8$/children=16/' /etc/kamailio/kamailio.cfg`);
  const run = await play(lab, 'patch-upgrade.yml', ['-e', 'src_rpm=sre-4.0.2.x86_64.rpm']);
  t.is(run.code, 0, run.stdout);
  for (const h of ['em1', 'em2']) {
    t.is(await rpmVersion(h), '4.0.2', h);
    t.deepEqual(lab.actions(h).slice(-2).map((l) => l.slice(25).replace(/: upgraded.*/, '')), ['dnf install /srv/repo/sre-4.0.2.x86_64.rpm', 'systemctl restart sre']);
  }
  t.regex(run.stdout, /cp3: \/etc\/kamailio\/kamailio\.cfg differs from \/opt\/sre\/etc\/kamailio\/kamailio\.cfg.*-children=16 \| \+children=8/);
  t.regex(run.stdout, /cp1: \/etc\/kamailio\/kamailio\.cfg matches/);
  t.is(readFileSync(cfg, 'utf8'), tweaked, 'reported, not overwritten');
  const again = await play(lab, 'patch-upgrade.yml', ['-e', 'src_rpm=sre-4.0.2.x86_64.rpm']);
  t.is(changedTotal(again), 0, changedTasks(again.stdout));
});

test.serial('register-client.yml defines WITH_REGISTER_CLIENT and restarts kamailio on one CP at a time; a second run changes nothing', async (t) => {
  const start = Object.fromEntries(CPS.map((h) => [h, lab.actions(h).length]));
  const run = await play(lab, 'register-client.yml');
  t.is(run.code, 0, run.stdout);
  for (const h of CPS) {
    t.regex(readFileSync(lab.path(h, '/etc/kamailio/kamailio-local.cfg'), 'utf8'), /^#!define WITH_REGISTER_CLIENT$/m);
    t.deepEqual(lab.actions(h).slice(start[h]).map((l) => l.slice(25)), ['sre-admin node out-of-service', 'systemctl restart kamailio', 'sre-admin node in-service'], h);
    t.is(await status(h), 'active\nin-service');
  }
  t.deepEqual(overlaps(intervals(actions(lab, CPS), /node out-of-service/, /node in-service/)), []);
  const again = await play(lab, 'register-client.yml');
  t.is(again.code, 0);
  t.is(changedTotal(again), 0, changedTasks(again.stdout));
});
