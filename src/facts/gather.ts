import { quote } from '../util/quote.js';

/**
 * The small fact set tsplay gathers in one round trip (POSIX sh + /proc): hostname, fqdn, OS release,
 * kernel, architecture, IPv4 addresses, CPU count, memory, date/time, and the host's Python when it has
 * one (gatherScript). Output is KEY=VALUE lines.
 */
export const GATHER_SCRIPT = [
  'echo "hostname=$(uname -n)"',
  'echo "fqdn=$(hostname -f 2>/dev/null || uname -n)"',
  'echo "kernel=$(uname -r)"',
  'echo "machine=$(uname -m)"',
  'echo "system=$(uname -s)"',
  'if [ -r /etc/os-release ]; then . /etc/os-release; echo "os_id=$ID"; echo "os_version=$VERSION_ID"; echo "os_name=$NAME"; echo "os_like=$ID_LIKE"; fi',
  'echo "cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || grep -c ^processor /proc/cpuinfo)"',
  "echo \"memtotal_kb=$(awk '/^MemTotal:/{print $2}' /proc/meminfo 2>/dev/null)\"",
  "echo \"memfree_kb=$(awk '/^MemAvailable:/{print $2}' /proc/meminfo 2>/dev/null)\"",
  'echo "ipv4=$( (ip -4 -o addr show 2>/dev/null | awk \'{split($4,a,"/"); print a[1]}\') | tr "\\n" " ")"',
  'echo "epoch=$(date +%s)"',
  'echo "tz=$(date +%Z)"',
  'echo "local=$(date \'+%Y-%m-%d %H:%M:%S %a %B %z\')"',
  'echo "user=$(id -un)"',
].join('; ');

/** Ansible 2.14's INTERPRETER_PYTHON_FALLBACK: the order its interpreter discovery tries. */
const PYTHON_FALLBACK = ['python3.11', 'python3.10', 'python3.9', 'python3.8', 'python3.7', 'python3.6', 'python3.5', '/usr/bin/python3', '/usr/libexec/platform-python', 'python2.7', '/usr/bin/python', 'python'];

/**
 * The gather script, with the Python Ansible would run its modules with: `ansible_python_interpreter`
 * when set, else the first of Ansible's discovery list found. Only `--version` is run (no interpreter
 * start-up), for the `ansible_python` facts playbooks test (`ansible_python.version.major`).
 */
export function gatherScript(interpreter?: string): string {
  const find = interpreter !== undefined
    ? `py=$(command -v ${quote(interpreter)} 2>/dev/null)`
    : `py=; for c in ${PYTHON_FALLBACK.join(' ')}; do py=$(command -v "$c" 2>/dev/null) && break; done`;
  return `${GATHER_SCRIPT}; ${find}; if [ -n "$py" ]; then echo "python=$py|$("$py" --version 2>&1 | head -n 1)"; fi`;
}

/** `Python 3.12.0rc1` → Ansible's python facts (sys.version_info's fields), or undefined. */
function pythonFacts(line: string | undefined): Record<string, unknown> {
  const m = /^(.*)\|Python (\d+)\.(\d+)\.(\d+)(?:(a|b|rc)(\d+))?/.exec(line ?? '');
  if (!m) return {};
  const [major, minor, micro] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const releaselevel = m[5] === undefined ? 'final' : ({ a: 'alpha', b: 'beta', rc: 'candidate' } as const)[m[5] as 'a' | 'b' | 'rc'];
  const serial = m[6] === undefined ? 0 : Number(m[6]);
  return {
    python: {
      version: { major, minor, micro, releaselevel, serial },
      version_info: [major, minor, micro, releaselevel, serial],
      executable: m[1],
      has_sslcontext: true,
      type: 'cpython',
    },
    python_version: `${major}.${minor}.${micro}${m[5] ? `${m[5]}${m[6]}` : ''}`,
  };
}

const OS_FAMILY: Record<string, string> = {
  rhel: 'RedHat', centos: 'RedHat', rocky: 'RedHat', almalinux: 'RedHat', fedora: 'RedHat', ol: 'RedHat',
  debian: 'Debian', ubuntu: 'Debian', sles: 'Suse', opensuse: 'Suse', alpine: 'Alpine', arch: 'Archlinux',
};
const DISTRIBUTION: Record<string, string> = {
  rhel: 'RedHat', centos: 'CentOS', rocky: 'Rocky', almalinux: 'AlmaLinux', fedora: 'Fedora', ol: 'OracleLinux',
  debian: 'Debian', ubuntu: 'Ubuntu', alpine: 'Alpine',
};

/** Turn the script's output into Ansible-named facts (without the `ansible_` prefix). */
export function parseFacts(output: string): Record<string, unknown> {
  const kv: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  const id = kv.os_id ?? '';
  const version = kv.os_version ?? '';
  const epoch = Number(kv.epoch ?? Math.floor(Date.now() / 1000));
  const now = new Date(epoch * 1000);
  const iso = now.toISOString();
  // Ansible's date_time fields are the host's local time (only iso8601 is UTC).
  const local = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) (\S+) (\S+) ([-+]\d{4})$/.exec(kv.local ?? '');
  const [, year, month, day, hour, minute, second, weekday, monthName, tzOffset] = local ?? [, iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13), iso.slice(14, 16), iso.slice(17, 19), '', '', '+0000'];
  const ipv4 = (kv.ipv4 ?? '').split(/\s+/).filter((a) => a && a !== '');
  const memKb = Number(kv.memtotal_kb ?? 0);
  return {
    hostname: (kv.hostname ?? '').split('.')[0],
    nodename: kv.hostname ?? '',
    fqdn: kv.fqdn ?? '',
    kernel: kv.kernel ?? '',
    architecture: kv.machine ?? '',
    machine: kv.machine ?? '',
    system: kv.system ?? '',
    distribution: DISTRIBUTION[id] ?? (kv.os_name || 'Unknown'),
    distribution_version: version,
    distribution_major_version: version.split('.')[0] ?? '',
    os_family: OS_FAMILY[id] ?? OS_FAMILY[(kv.os_like ?? '').split(' ')[0] ?? ''] ?? 'Unknown',
    processor_vcpus: Number(kv.cpus ?? 0),
    processor_count: Number(kv.cpus ?? 0),
    memtotal_mb: Math.floor(memKb / 1024),
    memfree_mb: Math.floor(Number(kv.memfree_kb ?? 0) / 1024),
    all_ipv4_addresses: ipv4.filter((a) => !a.startsWith('127.')),
    default_ipv4: { address: ipv4.find((a) => !a.startsWith('127.')) ?? ipv4[0] ?? '' },
    user_id: kv.user ?? '',
    date_time: {
      epoch: String(epoch),
      iso8601: iso.replace(/\.\d+Z$/, 'Z'),
      date: `${year}-${month}-${day}`,
      time: `${hour}:${minute}:${second}`,
      year,
      month,
      day,
      hour,
      minute,
      second,
      weekday,
      monthname: monthName,
      tz: kv.tz ?? 'UTC',
      tz_offset: tzOffset,
    },
    ...pythonFacts(kv.python),
  };
}
