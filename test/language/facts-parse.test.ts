/**
 * parseFacts on recorded gather-script output of hosts the fleet cannot be (RHEL with systemd and
 * SELinux on KVM, CentOS 7, Ubuntu): Ansible's pkg_mgr / service_mgr / distribution / virtualization
 * rules. What the real fleet host reports is checked in facts.test.ts.
 */
import test from 'ava';
import { parseExports, parseFacts } from '../../src/facts/gather.js';
import { pkgMgrOf } from '../../src/facts/pkg-mgr.js';

const files = (path: string, text: string) => text.trim().split('\n').map((l) => `${path}:${l}`).join('\n');

const rhel8 = [
  '@uname', 'Linux db1.example.com 4.18.0-372.9.1.el8.x86_64 x86_64',
  '@fqdn', 'db1.example.com',
  '@files',
  files('/etc/os-release', 'NAME="Red Hat Enterprise Linux"\nVERSION="8.6 (Ootpa)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="8.6"\nPRETTY_NAME="Red Hat Enterprise Linux 8.6 (Ootpa)"'),
  files('/etc/redhat-release', 'Red Hat Enterprise Linux release 8.6 (Ootpa)'),
  files('/proc/1/comm', 'systemd'),
  files('/sys/fs/selinux/enforce', '1'),
  files('/sys/fs/selinux/policyvers', '33'),
  files('/etc/selinux/config', 'SELINUX=enforcing\nSELINUXTYPE=targeted'),
  files('/sys/devices/virtual/dmi/id/product_name', 'KVM'),
  files('/proc/cpuinfo', 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel Xeon\nphysical id\t: 0\nsiblings\t: 4\ncore id\t\t: 0\ncpu cores\t: 2\nprocessor\t: 1\nvendor_id\t: GenuineIntel\nmodel name\t: Intel Xeon\nphysical id\t: 0\nsiblings\t: 4\ncore id\t\t: 0\ncpu cores\t: 2'),
  files('/proc/meminfo', 'MemTotal:        8000000 kB\nMemFree:         1024000 kB\nBuffers:          102400 kB\nCached:          2048000 kB\nSwapCached:            0 kB\nSwapTotal:       2097152 kB\nSwapFree:        1048576 kB'),
  files('/proc/mounts', '/dev/mapper/rhel-root / xfs rw,relatime 0 0\nproc /proc proc rw 0 0\nnfs1:/export /mnt/my\\040share nfs4 rw 0 0'),
  files('/etc/resolv.conf', '# generated\nsearch example.com lab.example.com\nnameserver 10.0.0.2\nnameserver 10.0.0.3\noptions timeout:2 rotate'),
  files('/sys/class/net/eth0/address', '52:54:00:12:34:56'),
  files('/sys/class/net/eth0/mtu', '1500'),
  files('/sys/class/net/eth0/type', '1'),
  files('/sys/class/net/br-lan/mtu', '1500'),
  '@exists', '/usr/bin/yum', '/usr/bin/dnf', '/usr/bin/rpm', '/run/systemd/system/', '/etc/init.d/',
  '@bins', 'systemctl', 'ip',
  '@ip',
  '2: eth0    inet 10.0.0.15/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever preferred_lft forever',
  '2: eth0    inet 10.0.0.16/24 brd 10.0.0.255 scope global secondary eth0\\       valid_lft forever preferred_lft forever',
  '8.8.8.8 via 10.0.0.1 dev eth0 src 10.0.0.15 uid 0 \\    cache',
  '@statfs', '4096 4096 1000 600 500 100 40 /', '1024 1048576 10 5 5 0 0 /mnt/my share',
  '@python /usr/libexec/platform-python|Python 3.6.8',
  '@env', 'declare -x HOME="/root"', 'declare -x PS1="a \\"quoted\\" \\$x"', 'declare -x USER="root"',
].join('\n');

test('a RHEL 8 host: dnf, systemd, SELinux enforcing, KVM guest, release from VERSION, network, mounts, dns', (t) => {
  const f = parseFacts(rhel8);
  t.like(f, {
    hostname: 'db1', nodename: 'db1.example.com', fqdn: 'db1.example.com', domain: 'example.com',
    distribution: 'RedHat', distribution_version: '8.6', distribution_major_version: '8', distribution_release: 'Ootpa',
    distribution_file_variety: 'RedHat', os_family: 'RedHat', pkg_mgr: 'dnf', service_mgr: 'systemd',
    selinux: { status: 'enabled', mode: 'enforcing', config_mode: 'enforcing', type: 'targeted', policyvers: 33 },
    virtualization_type: 'kvm', virtualization_role: 'guest',
    processor_count: 1, processor_cores: 2, processor_threads_per_core: 2, processor_vcpus: 4,
    memtotal_mb: 7812, memfree_mb: 1000, swaptotal_mb: 2048,
    memory_mb: { real: { total: 7812, used: 6812, free: 1000 }, nocache: { free: 3100, used: 4712 }, swap: { total: 2048, free: 1024, used: 1024 } },
    default_ipv4: { interface: 'eth0', address: '10.0.0.15', gateway: '10.0.0.1', netmask: '255.255.255.0', network: '10.0.0.0', prefix: '24', macaddress: '52:54:00:12:34:56', mtu: 1500, type: 'ether', alias: 'eth0' },
    eth0: { ipv4: { address: '10.0.0.15' }, ipv4_secondaries: [{ address: '10.0.0.16', broadcast: '10.0.0.255' }] },
    br_lan: { device: 'br-lan', mtu: 1500 },
    dns: { search: ['example.com', 'lab.example.com'], nameservers: ['10.0.0.2', '10.0.0.3'], options: { timeout: '2', rotate: true } },
    python: { executable: '/usr/libexec/platform-python', version: { major: 3, minor: 6, micro: 8 } }, python_version: '3.6.8',
    env: { HOME: '/root', PS1: 'a "quoted" $x', USER: 'root' },
  });
  t.deepEqual(f.interfaces, ['eth0', 'br-lan']);
  t.deepEqual(f.all_ipv4_addresses, ['10.0.0.15', '10.0.0.16']);
  t.deepEqual(f.mounts, [
    { mount: '/', device: '/dev/mapper/rhel-root', fstype: 'xfs', options: 'rw,relatime', dump: 0, passno: 0, uuid: 'N/A', size_total: 4096000, size_available: 2048000, block_size: 4096, block_total: 1000, block_available: 500, block_used: 500, inode_total: 100, inode_available: 40, inode_used: 60 },
    { mount: '/mnt/my share', device: 'nfs1:/export', fstype: 'nfs4', options: 'rw', dump: 0, passno: 0, uuid: 'N/A', size_total: 10240, size_available: 5120, block_size: 1048576, block_total: 10, block_available: 5, block_used: 5, inode_total: 0, inode_available: 0, inode_used: 0 },
  ]);
  t.false('lsb' in f, 'no lsb_release, no /etc/lsb-release');
});

test('pkg_mgr as Ansible decides it: the family default, not whatever is installed', (t) => {
  const probe = (osRelease: string, exists: string[], extra = '') => `@files\n${files('/etc/os-release', osRelease)}${extra}\n@exists\n${exists.join('\n')}\n`;
  t.is(pkgMgrOf(probe('ID="centos"\nVERSION_ID="7"', ['/usr/bin/yum'], `\n${files('/etc/centos-release', 'CentOS Linux release 7.9.2009 (Core)')}`)), 'yum');
  t.is(pkgMgrOf(probe('ID="rocky"\nVERSION_ID="9.1"', ['/usr/bin/yum', '/usr/bin/dnf'])), 'dnf');
  t.is(pkgMgrOf(probe('ID="fedora"\nVERSION_ID="38"', ['/usr/bin/dnf'])), 'dnf');
  // yum and dnf installed on Debian do not make them Debian's package manager
  t.is(pkgMgrOf(probe('ID=debian\nVERSION_ID="12"\nNAME="Debian GNU/Linux"', ['/usr/bin/yum', '/usr/bin/dnf', '/usr/bin/apt-get', '/usr/bin/rpm'])), 'apt');
  t.is(pkgMgrOf(probe('ID=ubuntu\nNAME="Ubuntu"', ['/usr/bin/apt-get'])), 'apt');
  t.is(pkgMgrOf(`${probe('ID=alt\nNAME="ALT"', ['/usr/bin/apt-get', '/usr/bin/rpm'])}@apt-rpm\n`), 'apt_rpm');
  t.is(pkgMgrOf(probe('ID=alpine\nNAME="Alpine Linux"', ['/sbin/apk'])), 'apk');
  t.is(pkgMgrOf(probe('ID=gentoo', [])), 'unknown');
});

test('Ubuntu: lsb from /etc/lsb-release, release from VERSION_CODENAME; service_mgr and virtualization fall back as Ansible', (t) => {
  const out = [
    '@uname', 'Linux web1 5.15.0-91-generic x86_64',
    '@files',
    files('/etc/os-release', 'NAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.3 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian'),
    files('/etc/lsb-release', 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.3 LTS"'),
    files('/proc/1/comm', 'bash'),
    files('/proc/1/cgroup', '0::/system.slice/containerd.service'),
    '@exists', '/usr/bin/apt-get', '/etc/init.d/',
    '@bins', 'systemctl',
    '@env', "export HOME='/home/o'\\''neil'", "export LOGNAME='deploy'",
  ].join('\n');
  const f = parseFacts(out);
  t.like(f, {
    distribution: 'Ubuntu', distribution_release: 'jammy', distribution_version: '22.04', os_family: 'Debian', distribution_file_variety: 'Debian',
    lsb: { id: 'Ubuntu', release: '22.04', codename: 'jammy', description: 'Ubuntu 22.04.3 LTS', major_release: '22' },
    service_mgr: 'sysvinit', pkg_mgr: 'apt', virtualization_type: 'containerd', virtualization_role: 'guest',
    selinux: { status: 'disabled' }, apparmor: { status: 'disabled' }, user_id: 'deploy', default_ipv4: {},
  });
  t.false('python' in f, 'no python3 on the host: no python fact');
  t.deepEqual(parseExports(["export A='it'\\''s'", 'export B', 'declare -x C="multi', 'line"']), { A: "it's", C: 'multi\nline' });
});
