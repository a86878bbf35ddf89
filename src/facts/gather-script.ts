import { quote } from '../util/quote.js';
import { PKG_MGRS } from './pkg-mgr.js';

/**
 * The fact-gathering script: one round trip in POSIX sh, no Python needed on the target. Forks are
 * what costs (a process start is 1–30 ms), so small files come back through one `grep -H ''`
 * ("path:line" for every line of every file) and the shell's builtins do the rest; a handful of
 * commands remain (uname, hostname -f, date, ip, stat -f, python --version, and rpm only where
 * Ansible runs it). Sections start with `@name` lines; gather.ts parses them.
 */

/** Small files read whole: OS release, kernel, memory, CPUs, mounts, resolver, network devices, virtualization hints. */
const FILES = [
  '/etc/os-release', '/usr/lib/os-release', '/etc/lsb-release', '/etc/redhat-release', '/etc/centos-release',
  '/etc/oracle-release', '/etc/system-release', '/etc/alpine-release', '/etc/debian_version', '/etc/SuSE-release',
  '/proc/sys/kernel/hostname', '/proc/sys/kernel/osrelease', '/proc/sys/kernel/version',
  '/proc/meminfo', '/proc/cpuinfo', '/proc/uptime', '/proc/mounts', '/proc/self/status', '/etc/resolv.conf', '/etc/passwd',
  '/proc/1/comm', '/proc/1/cgroup', '/proc/1/environ', '/run/systemd/container', '/proc/xen/capabilities',
  '/sys/devices/virtual/dmi/id/product_name', '/sys/devices/virtual/dmi/id/sys_vendor',
  '/sys/devices/virtual/dmi/id/bios_vendor', '/sys/devices/virtual/dmi/id/product_family', '/sys/devices/virtual/dmi/id/product_uuid',
  '/sys/devices/virtual/dmi/id/product_version', '/sys/devices/virtual/dmi/id/product_serial', '/sys/devices/virtual/dmi/id/bios_version',
  '/sys/devices/virtual/dmi/id/bios_date', '/proc/cmdline', '/proc/loadavg', '/proc/sys/crypto/fips_enabled',
  '/sys/fs/selinux/enforce', '/sys/fs/selinux/policyvers', '/etc/selinux/config', '/etc/machine-id',
  '/sys/class/net/*/address', '/sys/class/net/*/mtu', '/sys/class/net/*/operstate', '/sys/class/net/*/type', '/sys/class/net/*/flags',
];

/** Paths whose existence decides a fact (Ansible's pkg_mgr list, service manager canaries, container marks). */
export const PROBED_PATHS = [
  ...PKG_MGRS.map((m) => m.path),
  '/run/ostree-booted', '/usr/bin/rpm',
  '/run/systemd/system/', '/dev/.run/systemd/', '/dev/.systemd/', '/etc/init/', '/sbin/openrc', '/etc/init.d/',
  '/.dockerenv', '/.dockerinit', '/proc/vz', '/proc/lve', '/proc/bc', '/proc/xen', '/sys/kernel/security/apparmor',
];

export const GATHER_SCRIPT = [
  'echo @uname; uname -snrm',
  'echo @fqdn; hostname -f 2>/dev/null',
  "echo @date; date '+%s|%Z|%z|%Y|%m|%d|%H|%M|%S|%A|%B|%w|%W'",
  `echo @files; grep -asHv -E '^(flags|bugs|vmx flags|power management)[[:space:]]*:' ${FILES.join(' ')} 2>/dev/null`,
  `echo @exists; for p in ${PROBED_PATHS.join(' ')}; do [ -e "$p" ] && echo "$p"; done`,
  'echo @bins; for c in systemctl initctl lsb_release ip; do command -v "$c" >/dev/null 2>&1 && echo "$c"; done',
  // Ansible asks rpm whether /usr/bin/apt-get is APT-RPM only where both exist.
  '[ -e /usr/bin/rpm ] && [ -e /usr/bin/apt-get ] && /usr/bin/rpm -q --whatprovides /usr/bin/apt-get >/dev/null 2>&1 && echo @apt-rpm',
  // /sbin/init's target: only read on hosts not booted with systemd (service_mgr looks at it there).
  "[ -L /sbin/init ] && [ ! -e /run/systemd/system/ ] && echo \"@init $(readlink /sbin/init)\"",
  'echo @env; export -p',
  'echo @ip; command -v ip >/dev/null 2>&1 && ip -o -force -batch - 2>/dev/null <<\'EOF\'\naddr show\nroute get 8.8.8.8\nroute get 2404:6800:400a:800::1012\nEOF',
  // statfs of every mounted device (Ansible: device starts with / or is host:/path, fstype not none)
  'echo @statfs; set --; while read -r dev mnt fs rest; do case "$dev" in /*|*:/*) [ "$fs" = none ] && continue; case "$mnt" in *\\\\*) mnt=$(printf \'%b\' "$mnt");; esac; set -- "$@" "$mnt";; esac; done </proc/mounts; [ $# -gt 0 ] && timeout 10 stat -f -c \'%S %s %b %f %a %c %d %n\' -- "$@" 2>/dev/null',
  'true',
].join('\n');

/** Ansible 2.14's INTERPRETER_PYTHON_FALLBACK: the order its interpreter discovery tries. */
const PYTHON_FALLBACK = ['python3.11', 'python3.10', 'python3.9', 'python3.8', 'python3.7', 'python3.6', 'python3.5', '/usr/bin/python3', '/usr/libexec/platform-python', 'python2.7', '/usr/bin/python', 'python'];

/**
 * The gather script, with the Python Ansible would run its modules with: `ansible_python_interpreter`
 * when set, else the first of Ansible's discovery list found. Only `--version` is run (no interpreter
 * start-up), for the `ansible_python` facts playbooks test (`ansible_python.version.major`).
 */
export function gatherScript(interpreter?: string): string {
  // `command -v` tests are builtins; one command substitution for the path of the one found
  const find = interpreter !== undefined
    ? `py=$(command -v ${quote(interpreter)} 2>/dev/null)`
    : `py=; for c in ${PYTHON_FALLBACK.join(' ')}; do command -v "$c" >/dev/null 2>&1 && { py=$(command -v "$c"); break; }; done`;
  return `${GATHER_SCRIPT}\n${find}; if [ -n "$py" ]; then echo "@python $py|$("$py" --version 2>&1 | head -n 1)"; fi`;
}
