import test from 'ava';
import { planSysctl, sysctlModule, type SysctlArgs } from '../../src/modules/system/sysctl.js';
import { planHostname, hostnameModule, strategyFor } from '../../src/modules/system/hostname.js';
import { rebootModule, rebootCommandParts, type RebootArgs } from '../../src/modules/system/reboot.js';
import { planMount, mountModule, editFstab, type MountArgs } from '../../src/modules/system/mount.js';
import { planTimezone, timezoneModule } from '../../src/modules/system/timezone.js';
import { planLocaleGen, localeGenModule, normalizeLocale } from '../../src/modules/system/locale-gen.js';
import { planSelinux, selinuxModule } from '../../src/modules/system/selinux.js';
import { planSeboolean, sebooleanModule } from '../../src/modules/system/seboolean.js';
import { planFirewalld, firewalldModule } from '../../src/modules/system/firewalld.js';
import { planUfw, ufwModule } from '../../src/modules/system/ufw.js';
import { planModprobe, modprobeModule } from '../../src/modules/system/modprobe.js';
import { planPackageFacts, packageFactsModule } from '../../src/modules/system/package-facts.js';
import { planServiceFacts } from '../../src/modules/system/service-facts.js';
import { serviceModule, planDaemonOnly } from '../../src/modules/service.js';
import { findModule } from '../../src/modules/registry.js';
import { applyPlan } from '../../src/executor/apply.js';
import { cannedContext } from './lab.js';

const where = { file: 'site.yml', line: 12 };
const cmds = (p: { steps: { cmd: string }[] }) => p.steps.map((s) => s.cmd);

test('every module and its collection-qualified name resolve', (t) => {
  const names = ['user', 'group', 'getent', 'cron', 'sysctl', 'ansible.posix.sysctl', 'mount', 'ansible.posix.mount', 'hostname', 'ansible.builtin.hostname', 'timezone', 'community.general.timezone', 'locale_gen', 'community.general.locale_gen', 'reboot', 'selinux', 'ansible.posix.selinux', 'seboolean', 'ansible.posix.seboolean', 'firewalld', 'ansible.posix.firewalld', 'ufw', 'community.general.ufw', 'modprobe', 'community.general.modprobe', 'systemd', 'ansible.builtin.systemd_service', 'package_facts', 'service_facts', 'ansible.builtin.user'];
  for (const n of names) t.truthy(findModule(n), n);
  t.is(findModule('ansible.posix.sysctl'), findModule('sysctl'));
});

const sysctl = (raw: Record<string, unknown>) => sysctlModule.parse({ name: 'net.ipv4.ip_forward', value: '1', ...raw }, where, false) as SysctlArgs;

test('sysctl: a new key is written to the file and reloaded with sysctl -p; true/yes become 1', (t) => {
  const p = planSysctl(sysctl({ value: true }), { current: '0', file: '# comment\nvm.swappiness = 10\n' });
  t.true(p.changed);
  t.is(p.steps[0]!.stdin, '# comment\nvm.swappiness=10\nnet.ipv4.ip_forward=1\n');
  t.is(cmds(p).at(-1), 'LANG=C sysctl -p /etc/sysctl.conf');
  t.deepEqual(p.diff![0]!.after, '# comment\nvm.swappiness=10\nnet.ipv4.ip_forward=1\n');
});

test('sysctl: file and kernel agree → ok; kernel differs → reload only; sysctl_set sets it directly', (t) => {
  t.false(planSysctl(sysctl({}), { current: '1', file: 'net.ipv4.ip_forward=1\n' }).changed);
  const drift = planSysctl(sysctl({}), { current: '0', file: 'net.ipv4.ip_forward=1\n' });
  t.deepEqual(cmds(drift), ['LANG=C sysctl -p /etc/sysctl.conf']);
  t.deepEqual(cmds(planSysctl(sysctl({ sysctl_set: true, reload: false }), { current: '0', file: 'net.ipv4.ip_forward=1\n' })), ['LANG=C sysctl net.ipv4.ip_forward=1']);
  t.deepEqual(cmds(planSysctl(sysctl({ reload: false }), { current: '0', file: 'net.ipv4.ip_forward=1\n' })), []);
  t.true(planSysctl(sysctl({ name: 'net.ipv4.ip_local_port_range', value: '10000   65000' }), { current: '10000\t65000', file: 'net.ipv4.ip_local_port_range=10000   65000\n' }).changed === false, 'values compare word by word');
});

test('sysctl: absent drops the line; ignoreerrors → -e; bad arguments are load errors', (t) => {
  const p = planSysctl(sysctl({ state: 'absent', ignoreerrors: true }), { current: '1', file: 'net.ipv4.ip_forward=1\nvm.swappiness=10\n' });
  t.is(p.steps[0]!.stdin, 'vm.swappiness=10\n');
  t.is(cmds(p).at(-1), 'LANG=C sysctl -e -p /etc/sysctl.conf');
  t.throws(() => sysctlModule.parse({ name: 'x' }, where, false), { message: /state is present but all of the following are missing: value/ });
  t.throws(() => sysctlModule.parse({ name: 'x', value: '' }, where, false), { message: /value cannot be blank/ });
});

test('hostname: strategies as ansible-core picks them; systemd sets the static name before the running one', (t) => {
  t.is(strategyFor(undefined, true, false, false), 'systemd');
  t.is(strategyFor(undefined, false, false, false), 'file');
  t.is(strategyFor(undefined, false, true, false), 'redhat');
  t.is(strategyFor('debian', false, false, false), 'systemd', "use: debian is Ansible's systemd strategy");
  const p = planHostname({ name: 'kam1' }, { strategy: 'systemd', current: 'old', permanent: 'old' });
  t.deepEqual(cmds(p), ['hostnamectl --pretty --static set-hostname kam1', 'hostnamectl --transient set-hostname kam1']);
  t.deepEqual(p.diff, [{ path: 'hostname', before: 'hostname = old\n', after: 'hostname = kam1\n', beforeHeader: 'before', afterHeader: 'after' }]);
  t.deepEqual(planHostname({ name: 'kam1' }, { strategy: 'file', current: 'whatever', permanent: 'kam1' }).steps, [], 'the file strategy compares /etc/hostname only');
  const rh = planHostname({ name: 'kam1' }, { strategy: 'redhat', current: 'x', permanent: 'old', networkFile: 'NETWORKING=yes\nHOSTNAME=old\n' });
  t.is(rh.steps[0]!.stdin, 'NETWORKING=yes\nHOSTNAME=kam1\n');
  t.like(planHostname({ name: 'x'.repeat(65) }, { strategy: 'systemd', current: '', permanent: '' }), { failed: true });
  t.throws(() => hostnameModule.parse({ name: 'a', use: 'freebsd' }, where, false), { message: /use=freebsd is not supported by tsplay/ });
});

test('reboot: shutdown -r with minutes and the message; a reboot_command keeps its own arguments', (t) => {
  const a = rebootModule.parse({ pre_reboot_delay: 130, msg: "it's time" }, where, false) as RebootArgs;
  t.deepEqual(rebootCommandParts(a), { bin: 'shutdown', args: `-r 2 'it'\\''s time'` });
  t.deepEqual(rebootCommandParts(rebootModule.parse({ reboot_command: '/usr/sbin/reboot --force' }, where, false) as RebootArgs), { bin: '/usr/sbin/reboot', args: '--force' });
  t.throws(() => rebootModule.parse({ reboot_timeout: -1 }, where, false), { message: /'reboot_timeout' must not be negative/ });
});

test('reboot: check mode reports changed without a probe; a local connection is refused', async (t) => {
  const seen: string[] = [];
  const a = rebootModule.parse({}, where, false);
  const plan = await rebootModule.plan(a, cannedContext([], seen, true));
  t.deepEqual(await applyPlan(plan, true, async () => ({ rc: 0, stdout: '', stderr: '' })), { changed: true, failed: false, rebooted: true, elapsed: 0 });
  t.deepEqual(seen, []);
  const local = { ...cannedContext([]), vars: { ansible_connection: 'local' } };
  t.like(await rebootModule.plan(a, local), { failed: true, msg: 'Running reboot with local connection would reboot the control node.' });
});

const mount = (raw: Record<string, unknown>) => mountModule.parse({ path: '/var/spool/sip', src: 'UUID=1234', fstype: 'xfs', state: 'mounted', ...raw }, where, false) as MountArgs;

test('mount: mounted adds the fstab line, creates the dir, mounts; an unchanged mounted entry is ok', (t) => {
  const p = planMount(mount({ opts: 'noatime' }), { fstab: 'proc /proc proc defaults 0 0\n', mounted: false, dirExists: false });
  t.is(p.steps[0]!.stdin, 'proc /proc proc defaults 0 0\nUUID=1234\t/var/spool/sip\txfs\tnoatime\t0\t0\n');
  t.deepEqual(cmds(p).slice(-2), ['mkdir -p -- /var/spool/sip', 'mount -- /var/spool/sip']);
  t.deepEqual(planMount(mount({ opts: 'noatime' }), { fstab: 'UUID=1234 /var/spool/sip xfs noatime 0 0\n', mounted: true, dirExists: true }).steps, []);
  const changed = planMount(mount({ opts: 'noatime,nodev' }), { fstab: 'UUID=1234 /var/spool/sip xfs noatime 0 0\n', mounted: true, dirExists: true });
  t.is(cmds(changed).at(-1), 'mount -o remount -- /var/spool/sip');
});

test('mount: boot false adds noauto; unmounted/absent/remounted; spaces are \\040 in fstab', (t) => {
  t.true(editFstab(mount({ boot: false }), '', false).text.includes('\tdefaults,noauto\t'));
  t.deepEqual(cmds(planMount(mount({ state: 'unmounted' }), { fstab: '', mounted: true, dirExists: true })), ['umount -- /var/spool/sip']);
  t.deepEqual(planMount(mount({ state: 'unmounted' }), { fstab: '', mounted: false, dirExists: true }).steps, []);
  const absent = planMount(mount({ state: 'absent' }), { fstab: 'UUID=1234 /var/spool/sip xfs defaults 0 0\n/dev/sdb /data ext4 defaults 0 2\n', mounted: true, dirExists: true });
  t.is(absent.steps[0]!.stdin, '/dev/sdb /data ext4 defaults 0 2\n');
  t.deepEqual(cmds(absent).slice(-2), ['umount -- /var/spool/sip', 'rmdir -- /var/spool/sip 2>/dev/null || true']);
  t.deepEqual(cmds(planMount(mount({ state: 'remounted' }), { fstab: '', mounted: true, dirExists: true })), ['mount -o remount -- /var/spool/sip']);
  t.true(editFstab(mount({ path: '/mnt/my disk' }), '', false).text.includes('/mnt/my\\040disk'));
  t.like(planMount(mountModule.parse({ path: '/x', state: 'mounted' }, where, false) as MountArgs, { fstab: '', mounted: false, dirExists: true }), { failed: true, msg: 'state is mounted but all of the following are missing: src, fstype' });
});

test('timezone: timedatectl where systemd runs, /etc/localtime and /etc/timezone otherwise', (t) => {
  const a = timezoneModule.parse({ name: 'Europe/Paris' }, where, false);
  t.deepEqual(cmds(planTimezone(a, { systemd: true, current: 'UTC', available: true })), ['timedatectl set-timezone Europe/Paris']);
  t.deepEqual(cmds(planTimezone(a, { systemd: false, current: 'UTC', available: true })), ["ln -sfn /usr/share/zoneinfo/Europe/Paris /etc/localtime && printf '%s\\n' Europe/Paris > /etc/timezone"]);
  t.deepEqual(planTimezone(a, { systemd: true, current: 'Europe/Paris', available: true }).steps, []);
  t.like(planTimezone(a, { systemd: true, current: 'UTC', available: false }), { failed: true, msg: 'given timezone "Europe/Paris" is not available' });
  t.deepEqual(cmds(planTimezone(timezoneModule.parse({ hwclock: 'UTC' }, where, false), { systemd: true, current: 'UTC', available: true, hwclock: 'local' })), ['timedatectl set-local-rtc no']);
  t.throws(() => timezoneModule.parse({}, where, false), { message: /one of 'name', 'hwclock' is required/ });
});

test('locale_gen: uncomment in /etc/locale.gen and run locale-gen --purge, only when locale -a lacks it', (t) => {
  const sup = 'en_US.UTF-8 UTF-8\nfr_FR.UTF-8 UTF-8\nfr_FR ISO-8859-1\n';
  t.is(normalizeLocale('fr_FR.UTF-8'), 'fr_FR.utf8');
  const p = planLocaleGen(localeGenModule.parse({ name: 'fr_FR.UTF-8' }, where, false), { available: 'C\nC.utf8\nPOSIX\n', supported: sup });
  t.regex(cmds(p)[0]!, /sed -i -E 's\/\^#\?\\s\*\(fr_FR\\\.UTF-8 \.\+\)\$\/\\1\/' \/etc\/locale\.gen; else printf '%s\\n' 'fr_FR\.UTF-8 UTF-8' >> \/etc\/locale\.gen; fi && locale-gen --purge$/);
  t.deepEqual(planLocaleGen(localeGenModule.parse({ name: 'fr_FR.UTF-8' }, where, false), { available: 'C\nfr_FR.utf8\n', supported: sup }).steps, []);
  t.like(planLocaleGen(localeGenModule.parse({ name: 'xx_YY' }, where, false), { available: '', supported: sup }), { failed: true, msg: "The locale you've entered is not available on your system." });
  t.regex(cmds(planLocaleGen(localeGenModule.parse({ name: 'fr_FR.UTF-8', state: 'absent' }, where, false), { available: 'fr_FR.utf8\n', supported: sup }))[0]!, /^sed -i -E 's\/\^\(fr_FR\\\.UTF-8 \.\+\)\$\/# \\1\/' \/etc\/locale\.gen && locale-gen --purge$/);
});

test('selinux: config file and setenforce; disabled needs a reboot', (t) => {
  const cfg = 'SELINUX=enforcing\nSELINUXTYPE=targeted\n';
  const perm = planSelinux(selinuxModule.parse({ policy: 'targeted', state: 'permissive' }, where, false), { runtimeState: 'enforcing', runtimePolicy: 'targeted', config: cfg });
  t.deepEqual(cmds(perm), ['setenforce 0', "sed -i 's/^SELINUX=.*/SELINUX=permissive/' /etc/selinux/config"]);
  t.like(perm.result, { msg: "SELinux state changed from 'enforcing' to 'permissive', Config SELinux state changed from 'enforcing' to 'permissive'", reboot_required: false });
  const off = planSelinux(selinuxModule.parse({ state: 'disabled' }, where, false), { runtimeState: 'enforcing', runtimePolicy: 'targeted', config: cfg });
  t.like(off.result, { reboot_required: true, policy: 'targeted' });
  t.deepEqual(planSelinux(selinuxModule.parse({ policy: 'targeted', state: 'enforcing' }, where, false), { runtimeState: 'enforcing', runtimePolicy: 'targeted', config: cfg }).steps, []);
  t.like(planSelinux(selinuxModule.parse({ state: 'enforcing' }, where, false), { runtimeState: 'enforcing', runtimePolicy: 'targeted', config: cfg }), { failed: true, msg: "Policy is required if state is not 'disabled'" });
});

test('seboolean: setsebool -P only when getsebool differs', (t) => {
  const a = sebooleanModule.parse({ name: 'httpd_can_network_connect', state: true, persistent: true }, where, false);
  t.deepEqual(cmds(planSeboolean(a, { selinuxEnabled: true, getsebool: 'httpd_can_network_connect --> off\n' })), ['setsebool -P httpd_can_network_connect on']);
  t.deepEqual(planSeboolean(a, { selinuxEnabled: true, getsebool: 'httpd_can_network_connect --> on\n', persistentValue: true }).steps, []);
  t.is(planSeboolean(a, { selinuxEnabled: true, getsebool: 'httpd_can_network_connect --> on\n', persistentValue: false }).steps.length, 1);
  t.like(planSeboolean(a, { selinuxEnabled: false }), { failed: true, msg: 'SELinux is disabled on this host.' });
});

test('firewalld: permanent and immediate each change only where the query says otherwise', (t) => {
  const a = firewalldModule.parse({ service: 'sip', zone: 'public', permanent: true, immediate: true, state: 'enabled' }, where, false);
  const p = planFirewalld(a, { running: true, permanent: false, immediate: true });
  t.deepEqual(cmds(p), ['firewall-cmd --permanent --zone=public --add-service=sip']);
  t.like(p.result, { msg: 'Permanent and Non-Permanent(immediate) operation, Changed service sip to enabled' });
  t.deepEqual(planFirewalld(a, { running: true, permanent: true, immediate: true }).steps, []);
  const port = firewalldModule.parse({ port: '5060-5061/udp', state: 'disabled' }, where, false);
  t.deepEqual(cmds(planFirewalld(port, { running: true, immediate: true })), ['firewall-cmd --remove-port=5060-5061/udp']);
  t.like(planFirewalld(port, { running: false }), { failed: true });
  const offline = firewalldModule.parse({ rich_rule: 'rule family="ipv4" source address="10.0.0.0/8" accept', permanent: true, state: 'enabled' }, where, false);
  t.deepEqual(cmds(planFirewalld(offline, { running: false, permanent: false })), [`firewall-offline-cmd '--add-rich-rule=rule family="ipv4" source address="10.0.0.0/8" accept'`]);
  t.throws(() => firewalldModule.parse({ port: '5060', state: 'enabled' }, where, false), { message: /improper port format/ });
  t.throws(() => firewalldModule.parse({ port: '5060/udp', service: 'sip', state: 'enabled' }, where, false), { message: /mutually exclusive: service\|port/ });
});

test('ufw: enable/default/logging from status verbose; a rule from the dry run versus current tuples', (t) => {
  const status = 'Status: inactive\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing), disabled (routed)\n';
  const en = planUfw(ufwModule.parse({ state: 'enabled' }, where, false), { status, rules: '' });
  t.deepEqual(cmds(en), ['LANG=C ufw -f enable']);
  t.deepEqual(planUfw(ufwModule.parse({ state: 'enabled' }, where, false), { status: status.replace('inactive', 'active'), rules: '' }).steps, []);
  t.deepEqual(planUfw(ufwModule.parse({ default: 'deny' }, where, false), { status, rules: '' }).steps, []);
  t.deepEqual(cmds(planUfw(ufwModule.parse({ default: 'deny', direction: 'outgoing' }, where, false), { status, rules: '' })), ['LANG=C ufw default deny outgoing']);
  t.deepEqual(planUfw(ufwModule.parse({ logging: 'low' }, where, false), { status, rules: '' }).steps, []);
  const rule = ufwModule.parse({ rule: 'allow', port: '5060', proto: 'udp', from: '10.0.0.0/8', comment: 'SIP' }, where, false);
  const tuple = '### tuple ### allow udp 5060 0.0.0.0/0 any 10.0.0.0/8 in comment=534950\n';
  const add = planUfw(rule, { status, rules: '', dryRun: `*filter\n${tuple}COMMIT\n` });
  t.deepEqual(cmds(add), ['LANG=C ufw allow from 10.0.0.0/8 to any port 5060 proto udp comment SIP']);
  t.deepEqual(planUfw(rule, { status, rules: tuple, dryRun: `*filter\n${tuple}COMMIT\n` }).steps, []);
  t.deepEqual(planUfw(rule, { status, rules: tuple, dryRun: 'Skipping adding existing rule\n' }).steps, []);
  t.throws(() => ufwModule.parse({ direction: 'in' }, where, false), { message: /one of the following is required: state, default, rule, logging/ });
  t.throws(() => ufwModule.parse({ rule: 'allow', interface: 'eth0' }, where, false), { message: /required by 'interface': direction/ });
});

test('modprobe: loads when /proc/modules lacks it (dash or underscore), unloads when present', (t) => {
  const a = modprobeModule.parse({ name: 'nf-conntrack-sip', params: 'ports=5060,5080' }, where, false);
  t.deepEqual(cmds(planModprobe(a, { procModules: 'nf_conntrack 1 0 - Live\n', builtin: false })), ['modprobe nf-conntrack-sip ports=5060,5080']);
  t.deepEqual(planModprobe(a, { procModules: 'nf_conntrack_sip 1 0 - Live\n', builtin: false }).steps, []);
  const rm = modprobeModule.parse({ name: 'nf_conntrack_sip', state: 'absent' }, where, false);
  t.deepEqual(cmds(planModprobe(rm, { procModules: 'nf_conntrack_sip 1 0 - Live\n', builtin: false })), ['modprobe -r nf_conntrack_sip']);
  t.deepEqual(planModprobe(a, { procModules: '', builtin: true }).steps, [], 'a built-in module counts as loaded');
  t.throws(() => modprobeModule.parse({ name: 'x; reboot' }, where, false), { message: /invalid module name/ });
});

test('package_facts: dpkg and rpm records shaped as Ansible returns them', (t) => {
  const a = packageFactsModule.parse({}, where, false);
  const p = planPackageFacts(a, { apt: 'ii \tkamailio\t5.6.3-2\tamd64\nrc \told\t1.0\tamd64\n', rpm: 'sre\t4.0.2\t1\t(none)\tx86_64\n' });
  t.deepEqual(p.result, { ansible_facts: { packages: { kamailio: [{ name: 'kamailio', version: '5.6.3-2', arch: 'amd64', category: null, origin: null, source: 'apt' }] } } }, 'strategy first: dpkg only');
  const all = planPackageFacts(packageFactsModule.parse({ manager: ['rpm'] }, where, false), { rpm: 'sre\t4.0.2\t1\t(none)\tx86_64\nkernel\t5.14\t1\t2\tx86_64\n' });
  t.deepEqual((all.result!.ansible_facts as { packages: Record<string, unknown[]> }).packages.kernel, [{ name: 'kernel', version: '5.14', release: '1', epoch: 2, arch: 'x86_64', source: 'rpm' }]);
  t.like(planPackageFacts(a, {}), { failed: true });
  t.throws(() => packageFactsModule.parse({ manager: ['pacman'] }, where, false), { message: /manager 'pacman' is not supported by tsplay/ });
});

test('service_facts: units with their state and enablement', (t) => {
  const units = 'kamailio.service loaded active running Kamailio SIP Server\nrtpengine.service loaded failed failed RTP relay\ncron.service loaded inactive dead Cron\nghost.service not-found inactive dead ghost.service\n';
  const files = 'kamailio.service enabled enabled\nrtpengine.service disabled enabled\ncron.service enabled enabled\ngetty@.service enabled enabled\nrsync.service disabled enabled\n';
  const p = planServiceFacts(units, files);
  t.deepEqual((p.result!.ansible_facts as { services: Record<string, unknown> }).services, {
    'kamailio.service': { name: 'kamailio.service', state: 'running', status: 'enabled', source: 'systemd' },
    'rtpengine.service': { name: 'rtpengine.service', state: 'failed', status: 'disabled', source: 'systemd' },
    'cron.service': { name: 'cron.service', state: 'stopped', status: 'enabled', source: 'systemd' },
    'rsync.service': { name: 'rsync.service', state: 'stopped', status: 'disabled', source: 'systemd' },
  });
});

test('systemd: daemon_reload without a unit is one systemctl call, reported ok as Ansible does', async (t) => {
  const a = serviceModule.parse({ daemon_reload: true }, where, false);
  t.deepEqual(planDaemonOnly(a), { steps: [{ cmd: 'systemctl daemon-reload' }], changed: false });
  const seen: string[] = [];
  const plan = await serviceModule.plan(a, cannedContext([], seen));
  t.deepEqual(seen, [], 'no unit probed');
  const ran: string[] = [];
  t.like(await applyPlan(plan, false, async (s) => (ran.push(s.cmd), { rc: 0, stdout: '', stderr: '' })), { changed: false, failed: false });
  t.deepEqual(ran, ['systemctl daemon-reload']);
  t.throws(() => serviceModule.parse({ state: 'started' }, where, false), { message: /missing required argument 'name'/ });
  t.throws(() => serviceModule.parse({}, where, false), { message: /one of 'state', 'enabled', 'daemon_reload' or 'daemon_reexec' is required/ });
});
