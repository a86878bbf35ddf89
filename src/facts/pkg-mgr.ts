import { distributionFacts } from './gather-os.js';
import { splitOutput } from './gather-sections.js';
import type { ModuleContext } from '../modules/types.js';

/** Ansible's PKG_MGRS (module_utils/facts/system/pkg_mgr.py): where there are several, the preferred one is last. */
export const PKG_MGRS: { path: string; name: string }[] = [
  { path: '/usr/bin/rpm-ostree', name: 'atomic_container' }, { path: '/usr/bin/yum', name: 'yum' },
  { path: '/usr/bin/dnf', name: 'dnf' }, { path: '/usr/bin/apt-get', name: 'apt' }, { path: '/usr/bin/zypper', name: 'zypper' },
  { path: '/usr/sbin/urpmi', name: 'urpmi' }, { path: '/usr/bin/pacman', name: 'pacman' }, { path: '/bin/opkg', name: 'opkg' },
  { path: '/usr/pkg/bin/pkgin', name: 'pkgin' }, { path: '/opt/local/bin/pkgin', name: 'pkgin' }, { path: '/opt/tools/bin/pkgin', name: 'pkgin' },
  { path: '/opt/local/bin/port', name: 'macports' }, { path: '/usr/local/bin/brew', name: 'homebrew' },
  { path: '/opt/homebrew/bin/brew', name: 'homebrew' }, { path: '/sbin/apk', name: 'apk' }, { path: '/usr/sbin/pkg', name: 'pkgng' },
  { path: '/usr/sbin/swlist', name: 'swdepot' }, { path: '/usr/bin/emerge', name: 'portage' }, { path: '/usr/sbin/pkgadd', name: 'svr4pkg' },
  { path: '/usr/bin/pkg', name: 'pkg5' }, { path: '/usr/bin/xbps-install', name: 'xbps' }, { path: '/usr/local/sbin/pkg', name: 'pkgng' },
  { path: '/usr/bin/swupd', name: 'swupd' }, { path: '/usr/sbin/sorcery', name: 'sorcery' }, { path: '/usr/bin/installp', name: 'installp' },
  { path: '/QOpenSys/pkgs/bin/yum', name: 'yum' },
];

/** What pkg_mgr needs to be decided without the rest of the facts (the package module when facts were not gathered). */
export const PKG_MGR_PROBE = [
  'echo @files; grep -sH \'\' /etc/os-release /usr/lib/os-release /etc/redhat-release /etc/centos-release /etc/oracle-release /etc/system-release /etc/alpine-release 2>/dev/null',
  `echo @exists; for p in ${[...PKG_MGRS.map((m) => m.path), '/run/ostree-booted', '/usr/bin/rpm'].join(' ')}; do [ -e "$p" ] && echo "$p"; done`,
  '[ -e /usr/bin/rpm ] && [ -e /usr/bin/apt-get ] && /usr/bin/rpm -q --whatprovides /usr/bin/apt-get >/dev/null 2>&1 && echo @apt-rpm',
  'true',
].join('\n');

/** pkg_mgr from PKG_MGR_PROBE's (or the gather script's) output. */
export function pkgMgrOf(output: string): string {
  const out = splitOutput(output);
  return pkgMgrFact(out.exists, distributionFacts(out), out.sections.has('apt-rpm'));
}

/** Ansible's pkg_mgr (module_utils/facts/system/pkg_mgr.py): the last manager present, then the family's default. */
export function pkgMgrFact(exists: ReadonlySet<string>, dist: Record<string, unknown>, aptRpm: boolean): string {
  let name = 'unknown';
  for (const m of PKG_MGRS) if (exists.has(m.path)) name = m.name;
  const family = dist.os_family;
  const major = String(dist.distribution_major_version ?? '');
  const has = (n: string) => PKG_MGRS.some((m) => m.name === n && exists.has(m.path));
  if (family === 'RedHat') {
    if (exists.has('/run/ostree-booted')) return 'atomic_container';
    const limit = dist.distribution === 'Fedora' ? 23 : dist.distribution === 'Amazon' ? 2022 : undefined;
    if (limit !== undefined) {
      if (!/^\d+$/.test(major)) name = 'dnf';
      else if (Number(major) < limit) name = has('yum') ? 'yum' : name;
      else name = has('dnf') ? 'dnf' : name;
    } else name = Number.parseInt(major, 10) < 8 ? 'yum' : 'dnf';
  } else if (family === 'Debian' && name !== 'apt') name = 'apt';
  else if (family === 'Altlinux' && name === 'apt') name = 'apt_rpm';
  if (name === 'apt' && exists.has('/usr/bin/rpm') && aptRpm) name = 'apt_rpm';
  return name;
}

/**
 * The host's package manager: the `ansible_pkg_mgr` variable (the gathered fact, or one the inventory
 * sets for a host whose OS family's default is not the manager in use), else Ansible's pkg_mgr rule
 * read from the host now.
 */
export async function hostPkgMgr(ctx: ModuleContext): Promise<string> {
  const facts = ctx.vars.ansible_facts as Record<string, unknown> | undefined;
  const known = ctx.vars.ansible_pkg_mgr ?? facts?.pkg_mgr;
  if (typeof known === 'string' && known !== 'unknown') return known;
  return pkgMgrOf((await ctx.probe(PKG_MGR_PROBE)).stdout);
}
