import test from 'ava';
import { join } from 'node:path';
import { repo, runCli, type CliRun } from '../helpers/cli.js';
import { standinsBin } from '../../src/fleet/fleet.js';
import { startAdminLab, type AdminLab } from './lab.js';

// The runnable system administration corpus items, on test hosts with private /etc and cron spools:
// --check first (nothing changes), then a run that changes, then a run that reports changed=0.
let lab: AdminLab;
test.before(async () => {
  lab = await startAdminLab(2);
});
test.after.always(async () => {
  await lab?.stop();
});

const play = (item: string, extra: string[] = []) =>
  runCli([join(repo, 'test/corpus', item, 'playbook.yml'), '-i', lab.fleet.inventoryPath, ...extra], { timeoutMs: 240_000 });
const recap = (r: CliRun, host: string) => new RegExp(`^${host}\\s+: ok=\\d+\\s+changed=(\\d+)`, 'm').exec(r.stdout)?.[1];
const out = async (cmd: string, host = 'h1') => (await lab.sh(host, cmd)).stdout;

test.serial('sip-service-account: the account exists after one run; the second changes nothing', async (t) => {
  const check = await play('sip-service-account', ['--check']);
  t.is(await out('getent passwd sipproxy'), '', 'check mode created nothing');
  // As in Ansible: in check mode the groups are not created, so the user task fails naming its group.
  t.is(check.code, 2, check.stdout + check.stderr);
  t.regex(check.stdout, /Group sipproxy does not exist/);
  const first = await play('sip-service-account');
  t.is(first.code, 0, first.stdout + first.stderr);
  t.is(await out('getent passwd sipproxy'), 'sipproxy:x:4801:4801:Kamailio SIP proxy:/opt/sipproxy:/usr/sbin/nologin\n');
  t.is(await out('id -Gn sipproxy', 'h2'), 'sipproxy sipops\n');
  const second = await play('sip-service-account');
  t.is(second.code, 0, second.stdout);
  t.is(recap(second, 'h1'), '0', second.stdout);
});

test.serial('cdr-rotation-cron: crontabs and cron.d written once', async (t) => {
  const check = await play('cdr-rotation-cron', ['--check']);
  t.is(check.code, 0, check.stdout + check.stderr);
  t.is((await lab.sh('h1', 'crontab -l')).rc, 1);
  const first = await play('cdr-rotation-cron');
  t.is(first.code, 0, first.stdout + first.stderr);
  t.is(await out('crontab -l'), 'MAILTO="sip-ops@example.net"\n#Ansible: rotate cdrs\n15 2 * * * find /var/log/kamailio/cdr -name \'*.csv\' -mtime +30 -delete\n');
  t.is(await out('crontab -u labuser -l'), '#Ansible: sip options ping\n*/5 * * * * /usr/local/bin/sip-ping >/dev/null 2>&1\n');
  t.is(await out('cat /etc/cron.d/kamailio-backup'), '#Ansible: kamailio config backup\n@weekly root tar czf /var/backups/kamailio-cfg.tgz /etc/kamailio\n');
  const second = await play('cdr-rotation-cron');
  t.is(recap(second, 'h1'), '0', second.stdout);
  t.is(recap(second, 'h2'), '0', second.stdout);
});

test.serial('node-identity: /etc/hostname per host; services facts; second run ok', async (t) => {
  const first = await play('node-identity');
  t.is(first.code, 0, first.stdout + first.stderr);
  t.is(await out('cat /etc/hostname'), 'h1.sip.example.net\n');
  t.is(await out('cat /etc/hostname', 'h2'), 'h2.sip.example.net\n');
  t.regex(first.stdout, /h1 is now h1\.sip\.example\.net/);
  const second = await play('node-identity');
  t.is(recap(second, 'h1'), '0', second.stdout);
});

test.serial('package-inventory: packages as facts, read from dpkg', async (t) => {
  const r = await play('package-inventory');
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(recap(r, 'h1'), '0');
});

test.serial('rolling-reboot: one host at a time goes down and comes back (the shutdown stand-in)', async (t) => {
  const vars = JSON.stringify({ reboot_search_paths: [standinsBin()], reboot_boot_time_command: 'cat /run/lab/boot_id 2>/dev/null || echo first-boot' });
  const check = await play('rolling-reboot', ['--check', '-e', vars]);
  t.is(check.code, 0, check.stdout + check.stderr);
  t.is(await out('cat /var/log/lab/actions.log 2>/dev/null'), '');
  const r = await play('rolling-reboot', ['-e', vars]);
  t.is(r.code, 0, r.stdout + r.stderr);
  for (const h of ['h1', 'h2']) t.regex(await out('cat /var/log/lab/actions.log', h), /^\S+Z shutdown -r\n$/);
  t.is(recap(r, 'h1'), '1');
});
