import { firstLine, shellVars, type GatherOutput } from './gather-sections.js';

/** Ansible's OS_FAMILY_MAP (module_utils/facts/system/distribution.py), by distribution name. */
const FAMILIES: Record<string, string[]> = {
  RedHat: ['RedHat', 'RHEL', 'Fedora', 'CentOS', 'Scientific', 'SLC', 'Ascendos', 'CloudLinux', 'PSBM', 'OracleLinux', 'OVS', 'OEL', 'Amazon', 'Virtuozzo', 'XenServer', 'Alibaba', 'EulerOS', 'openEuler', 'AlmaLinux', 'Rocky', 'TencentOS', 'EuroLinux', 'Kylin Linux Advanced Server'],
  Debian: ['Debian', 'Ubuntu', 'Raspbian', 'Neon', 'KDE neon', 'Linux Mint', 'SteamOS', 'Devuan', 'Kali', 'Cumulus Linux', 'Pop!_OS', 'Parrot', 'Pardus GNU/Linux', 'Uos', 'Deepin', 'OSMC'],
  Suse: ['SuSE', 'SLES', 'SLED', 'openSUSE', 'openSUSE Tumbleweed', 'SLES_SAP', 'SUSE_LINUX', 'openSUSE Leap'],
  Archlinux: ['Archlinux', 'Antergos', 'Manjaro'],
  Mandrake: ['Mandrake', 'Mandriva'],
  Gentoo: ['Gentoo', 'Funtoo'],
  Alpine: ['Alpine'],
  Altlinux: ['Altlinux'],
  Slackware: ['Slackware'],
  ClearLinux: ['Clear Linux OS', 'Clear Linux Mix'],
};
const OS_FAMILY: Record<string, string> = Object.fromEntries(Object.entries(FAMILIES).flatMap(([f, names]) => names.map((n) => [n, f])));

/** os-release ID → Ansible's distribution name, where Python's capitalize() of the ID is not it. */
const DISTRIBUTION: Record<string, string> = {
  rhel: 'RedHat', centos: 'CentOS', almalinux: 'AlmaLinux', ol: 'OracleLinux', amzn: 'Amazon', opensuse: 'openSUSE',
  'opensuse-leap': 'openSUSE Leap', 'opensuse-tumbleweed': 'openSUSE Tumbleweed', sles: 'SLES', sles_sap: 'SLES_SAP',
  arch: 'Archlinux', linuxmint: 'Linux Mint', raspbian: 'Debian', pop: 'Pop!_OS', neon: 'KDE neon', clear: 'Clear Linux OS',
};

const capitalize = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s);

/** distribution, its version/release/family and the release file that told (Ansible's DistributionFiles, the Linux cases). */
export function distributionFacts(out: GatherOutput): Record<string, unknown> {
  const osLines = out.files.get('/etc/os-release') ?? out.files.get('/usr/lib/os-release');
  const os = shellVars(osLines);
  const osText = (osLines ?? []).join('\n');
  const id = os.ID ?? '';
  let distribution = DISTRIBUTION[id] ?? (capitalize(id) || 'NA');
  let version = os.VERSION_ID ?? '';
  // distro.codename(): VERSION_CODENAME, UBUNTU_CODENAME, or the words in VERSION's parentheses
  let release = os.VERSION_CODENAME || os.UBUNTU_CODENAME || /\(([^)]+)\)/.exec(os.VERSION ?? '')?.[1]?.trim() || '';
  const facts: Record<string, unknown> = {};
  let variety = 'NA';
  const redhat = firstLine(out, '/etc/redhat-release');
  if (out.files.has('/etc/oracle-release')) {
    variety = 'OracleLinux';
    distribution = 'OracleLinux';
  } else if (out.files.has('/etc/centos-release')) {
    variety = 'CentOS';
    distribution = 'CentOS';
    const centos = firstLine(out, '/etc/centos-release') ?? '';
    if (/CentOS Stream/.test(centos)) release = 'Stream';
    version = /release (\d[\d.]*)/.exec(centos)?.[1] ?? version;
  } else if (redhat !== undefined) {
    variety = 'RedHat';
    distribution = redhat.includes('Red Hat') ? 'RedHat' : (redhat.split(/\s+/)[0] ?? distribution);
    release ||= /\(([^)]+)\)/.exec(redhat)?.[1] ?? '';
  } else if (/Amazon/.test(osText) || /Amazon/.test(firstLine(out, '/etc/system-release') ?? '')) {
    variety = 'Amazon';
    distribution = 'Amazon';
  } else if (out.files.has('/etc/alpine-release')) {
    variety = 'Alpine';
    distribution = 'Alpine';
  } else if (/Arch Linux/.test(osText)) {
    variety = 'Archlinux';
    distribution = 'Archlinux';
  } else if (/suse/i.test(osText)) {
    variety = 'SUSE';
  } else if (/Debian|Raspbian|Ubuntu|SteamOS|Kali|Parrot|Devuan|Cumulus/.test(osText)) {
    variety = 'Debian';
    if (/Debian|Raspbian/.test(osText)) {
      distribution = 'Debian';
      release = /PRETTY_NAME=[^(]+ \(?([^)]+?)\)/.exec(osText)?.[1] ?? release;
      // distro.version(best=True) on Debian: /etc/debian_version's 12.11 rather than VERSION_ID's 12
      const minor = /(\d+)\.(\d+)/.exec(firstLine(out, '/etc/debian_version') ?? '');
      if (minor) {
        facts.distribution_minor_version = minor[2];
        if (minor[1] === version.split('.')[0]) version = minor[0];
      }
    }
  }
  return {
    distribution,
    distribution_version: version || 'NA',
    distribution_major_version: version.split('.')[0] || 'NA',
    distribution_release: release || 'NA',
    distribution_file_variety: variety,
    os_family: OS_FAMILY[distribution] ?? distribution,
    ...facts,
  };
}

/** Ansible's lsb facts: /etc/lsb-release, or (where lsb_release is installed) the same fields from os-release. */
export function lsbFacts(out: GatherOutput): Record<string, unknown> {
  const lsbFile = out.files.get('/etc/lsb-release');
  let lsb: Record<string, string> | undefined;
  if (lsbFile) {
    const v = shellVars(lsbFile);
    lsb = { id: v.DISTRIB_ID ?? '', release: v.DISTRIB_RELEASE ?? '', description: v.DISTRIB_DESCRIPTION ?? '', codename: v.DISTRIB_CODENAME ?? '' };
  } else if (out.sections.get('bins')?.includes('lsb_release')) {
    // `lsb_release -a` (a Python script on Debian) reads os-release: the same fields without starting it
    const os = shellVars(out.files.get('/etc/os-release') ?? out.files.get('/usr/lib/os-release'));
    lsb = { id: (os.NAME ?? '').split(' ')[0] ?? '', release: os.VERSION_ID ?? '', description: os.PRETTY_NAME ?? '', codename: os.VERSION_CODENAME ?? '' };
  }
  if (!lsb) return {};
  return { lsb: { ...lsb, major_release: lsb.release.split('.')[0] ?? '' } };
}

const PROC_1_MAP: Record<string, string> = { procd: 'openwrt_init', 'runit-init': 'runit', svscan: 'svc', 'openrc-init': 'openrc' };

/** Ansible's service_mgr (module_utils/facts/system/service_mgr.py), Linux. */
export function serviceMgrFact(out: GatherOutput): string {
  const bins = new Set(out.sections.get('bins') ?? []);
  const initLink = out.sections.get('init')?.[0]?.trim();
  let proc1 = firstLine(out, '/proc/1/comm') ?? initLink;
  if (proc1 !== undefined) proc1 = proc1.split('/').pop()!.trim();
  if (proc1 !== undefined && proc1 !== '' && proc1 !== 'init' && !proc1.endsWith('sh')) return PROC_1_MAP[proc1] ?? proc1;
  const has = (p: string) => out.exists.has(p);
  if (bins.has('systemctl') && ['/run/systemd/system/', '/dev/.run/systemd/', '/dev/.systemd/'].some(has)) return 'systemd';
  if (bins.has('initctl') && has('/etc/init/')) return 'upstart';
  if (has('/sbin/openrc')) return 'openrc';
  if (bins.has('systemctl') && initLink?.split('/').pop() === 'systemd') return 'systemd';
  if (has('/etc/init.d/')) return 'sysvinit';
  return 'service';
}

/** selinux as Ansible reports it ({status: disabled} without SELinux), and apparmor. */
export function securityFacts(out: GatherOutput): Record<string, unknown> {
  const enforce = firstLine(out, '/sys/fs/selinux/enforce');
  let selinux: Record<string, unknown> = { status: 'disabled' };
  if (enforce !== undefined) {
    const cfg = shellVars(out.files.get('/etc/selinux/config'));
    selinux = {
      status: 'enabled',
      mode: enforce === '1' ? 'enforcing' : 'permissive',
      config_mode: cfg.SELINUX ?? 'unknown',
      type: cfg.SELINUXTYPE ?? 'unknown',
      policyvers: Number(firstLine(out, '/sys/fs/selinux/policyvers') ?? 0) || 'unknown',
    };
  }
  return { selinux, apparmor: { status: out.exists.has('/sys/kernel/security/apparmor') ? 'enabled' : 'disabled' } };
}
