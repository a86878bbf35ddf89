import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { cronModule } from '../../src/modules/system/cron.js';
import { sysctlModule } from '../../src/modules/system/sysctl.js';
import { hostnameModule } from '../../src/modules/system/hostname.js';
import { startAdminLab, type AdminLab } from './lab.js';

let lab: AdminLab;
let controllerSpool: string[];
let controllerHostname: string;
test.before(async () => {
  controllerSpool = existsSync('/var/spool/cron/crontabs') ? readdirSync('/var/spool/cron/crontabs') : [];
  controllerHostname = (await import('node:os')).hostname();
  lab = await startAdminLab(2);
});
test.after.always(async () => {
  await lab?.stop();
});
const out = async (cmd: string, host = 'h1') => (await lab.sh(host, cmd)).stdout;

test.serial('cron: the real crontab gets the #Ansible entry once; check mode and a second run change nothing', async (t) => {
  const args = { name: 'rotate cdrs', minute: '5', hour: '*/2', job: '/opt/sre/bin/rotate-cdrs >/dev/null 2>&1' };
  t.like(await lab.run(cronModule, 'h1', args, { check: true }), { changed: true, jobs: ['rotate cdrs'] });
  t.is((await lab.sh('h1', 'crontab -l')).rc, 1, 'check mode wrote no crontab');
  const r = await lab.run(cronModule, 'h1', args, { diff: true });
  t.like(r, { changed: true, failed: false, jobs: ['rotate cdrs'], envs: [] });
  t.is(await out('crontab -l'), '#Ansible: rotate cdrs\n5 */2 * * * /opt/sre/bin/rotate-cdrs >/dev/null 2>&1\n');
  t.like(await lab.run(cronModule, 'h1', args), { changed: false });
  t.like(await lab.run(cronModule, 'h1', { ...args, hour: '3' }), { changed: true });
  t.like(await lab.run(cronModule, 'h1', { name: 'PATH', env: true, job: '/usr/sbin:/usr/bin' }), { changed: true, envs: ['PATH'] });
  t.like(await lab.run(cronModule, 'h1', { name: 'MAILTO', env: true, job: '', insertafter: 'PATH' }), { changed: true, envs: ['PATH', 'MAILTO'] });
  t.like(await lab.run(cronModule, 'h1', { name: 'nightly', special_time: 'daily', job: 'true', disabled: true }), { changed: true });
  t.is(await out('crontab -l'), 'PATH="/usr/sbin:/usr/bin"\nMAILTO=""\n#Ansible: rotate cdrs\n5 3 * * * /opt/sre/bin/rotate-cdrs >/dev/null 2>&1\n#Ansible: nightly\n#@daily true\n');
  t.like(await lab.run(cronModule, 'h1', { name: 'rotate cdrs', state: 'absent' }), { changed: true, jobs: ['nightly'] });
  t.like(await lab.run(cronModule, 'h1', { name: 'rotate cdrs', state: 'absent' }), { changed: false });
  t.is((await lab.sh('h2', 'crontab -l')).rc, 1, 'h2 has its own spool');
  t.deepEqual(existsSync('/var/spool/cron/crontabs') ? readdirSync('/var/spool/cron/crontabs') : [], controllerSpool, "the controller's spool is untouched");
});

test.serial('cron: another user\'s crontab with -u; a cron_file with the user column, removed when emptied', async (t) => {
  t.like(await lab.run(cronModule, 'h1', { name: 'probe', user: 'labuser', minute: '*/5', job: 'sipsak -s sip:ping@localhost' }), { changed: true });
  t.is(await out('crontab -u labuser -l'), '#Ansible: probe\n*/5 * * * * sipsak -s sip:ping@localhost\n');
  t.like(await lab.run(cronModule, 'h1', { name: 'probe', user: 'labuser', minute: '*/5', job: 'sipsak -s sip:ping@localhost' }), { changed: false });
  const file = { name: 'sre purge', cron_file: 'sre-purge', user: 'root', hour: '4', minute: '0', job: '/opt/sre/bin/purge' };
  t.like(await lab.run(cronModule, 'h1', { ...file, user: undefined }), { failed: true, msg: 'To use cron_file=... parameter you must specify user=... as well' });
  t.like(await lab.run(cronModule, 'h1', file), { changed: true, cron_file: 'sre-purge' });
  t.is(await out('cat /etc/cron.d/sre-purge; stat -c %a /etc/cron.d/sre-purge'), '#Ansible: sre purge\n0 4 * * * root /opt/sre/bin/purge\n644\n');
  t.like(await lab.run(cronModule, 'h1', file), { changed: false });
  t.like(await lab.run(cronModule, 'h1', { ...file, state: 'absent' }), { changed: true });
  t.is(await out('test -e /etc/cron.d/sre-purge || echo gone'), 'gone\n');
});

test.serial("sysctl: kernel.domainname in h1's own UTS namespace; the file written, reloaded; second run ok", async (t) => {
  const file = '/etc/sysctl.d/90-tsplay-test.conf';
  const args = { name: 'kernel.domainname', value: 'sip.example.net', sysctl_file: file };
  const before = await out('cat /proc/sys/kernel/domainname');
  t.like(await lab.run(sysctlModule, 'h1', args, { check: true }), { changed: true });
  t.is(await out('cat /proc/sys/kernel/domainname'), before);
  t.like(await lab.run(sysctlModule, 'h1', args), { changed: true, failed: false });
  t.is(await out(`cat ${file}`), 'kernel.domainname=sip.example.net\n');
  t.is(await out('cat /proc/sys/kernel/domainname'), 'sip.example.net\n', 'sysctl -p applied it');
  t.like(await lab.run(sysctlModule, 'h1', args), { changed: false });
  t.is(await out('cat /proc/sys/kernel/domainname', 'h2'), before, 'h2 keeps its own');
  // The kernel value drifted: reload sets it again (changed), the file stays.
  await lab.sh('h1', 'sysctl -q -w kernel.domainname=drift');
  t.like(await lab.run(sysctlModule, 'h1', args), { changed: true });
  t.is(await out('cat /proc/sys/kernel/domainname'), 'sip.example.net\n');
  t.like(await lab.run(sysctlModule, 'h1', { name: 'kernel.domainname', state: 'absent', sysctl_file: file, reload: false }), { changed: true });
  t.is(await out(`cat ${file}`), '');
  t.like(await lab.run(sysctlModule, 'h1', { name: 'kernel.nosuch', value: '1', sysctl_file: file }), { failed: true });
  t.not(await out('cat /proc/sys/kernel/domainname', 'h2'), 'sip.example.net\n');
});

test.serial('hostname: Debian without systemd writes /etc/hostname only; use: alpine also sets the running name', async (t) => {
  t.like(await lab.run(hostnameModule, 'h1', { name: 'sbc1.example.net' }, { check: true }), { changed: true });
  const r = await lab.run(hostnameModule, 'h1', { name: 'sbc1.example.net' });
  t.like(r, { changed: true, name: 'sbc1.example.net', ansible_facts: { ansible_hostname: 'sbc1', ansible_domain: 'example.net' } });
  t.is(await out('cat /etc/hostname; hostname'), 'sbc1.example.net\nh1\n');
  t.like(await lab.run(hostnameModule, 'h1', { name: 'sbc1.example.net' }), { changed: false });
  t.like(await lab.run(hostnameModule, 'h1', { name: 'sbc2', use: 'alpine' }), { changed: true });
  t.is(await out('cat /etc/hostname; hostname'), 'sbc2\nsbc2\n');
  t.like(await lab.run(hostnameModule, 'h1', { name: 'sbc2', use: 'alpine' }), { changed: false });
  t.is(await out('hostname', 'h2'), 'h2\n');
  t.is((await import('node:os')).hostname(), controllerHostname);
});
