import { cpuFacts, dmiFacts, kernelFacts, memoryFacts, mountFacts, uptimeFacts, virtualizationFacts } from './gather-hw.js';
import { dnsFact, nameFacts, networkFacts } from './gather-net.js';
import { distributionFacts, lsbFacts, securityFacts, serviceMgrFact } from './gather-os.js';
import { firstLine, splitOutput, type GatherOutput } from './gather-sections.js';
import { pkgMgrFact } from './pkg-mgr.js';

export { GATHER_SCRIPT, gatherScript } from './gather-script.js';

type Dict = Record<string, unknown>;

/**
 * The environment from `export -p`: dash prints `export K='v'` ('\'' for a quote), bash
 * `declare -x K="v"` (backslash before " $ ` \). Values may span lines.
 */
export function parseExports(lines: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  const text = lines.join('\n');
  const re = /^(?:export|declare -x) ([A-Za-z_][A-Za-z0-9_]*)(?:=('(?:[^']|'\\'')*'|"(?:[^"\\]|\\.)*"|[^\n]*))?$/gm;
  for (const m of text.matchAll(re)) {
    const raw = m[2];
    if (raw === undefined) continue;
    if (raw.startsWith("'")) env[m[1]!] = raw.slice(1, -1).replace(/'\\''/g, "'");
    else if (raw.startsWith('"')) env[m[1]!] = raw.slice(1, -1).replace(/\\([\\"$`])/g, '$1');
    else env[m[1]!] = raw;
  }
  return env;
}

/** user_* facts: the login name as getpass.getuser() finds it (LOGNAME, USER… then the uid), its passwd entry, and the ids. */
function userFacts(out: GatherOutput, env: Record<string, string>): Dict {
  const status = out.files.get('/proc/self/status') ?? [];
  const ids = (k: string) => (status.find((l) => l.startsWith(`${k}:`)) ?? '').split(/\s+/).slice(1).map(Number);
  const [uid = 0, euid = 0] = ids('Uid');
  const [gid = 0] = ids('Gid');
  const passwd = (out.files.get('/etc/passwd') ?? []).map((l) => l.split(':'));
  const name = env.LOGNAME || env.USER || env.LNAME || env.USERNAME || passwd.find((p) => Number(p[2]) === uid)?.[0] || String(uid);
  const pw = passwd.find((p) => p[0] === name) ?? passwd.find((p) => Number(p[2]) === uid);
  return {
    user_id: name,
    user_uid: pw ? Number(pw[2]) : uid,
    user_gid: pw ? Number(pw[3]) : gid,
    user_gecos: pw?.[4] ?? '',
    user_dir: pw?.[5] ?? env.HOME ?? '',
    user_shell: pw?.[6] ?? env.SHELL ?? '',
    real_user_id: uid,
    effective_user_id: euid,
    real_group_id: gid,
    effective_group_id: gid,
  };
}

/** `PATH|Python 3.12.0rc1` → Ansible's python facts (sys.version_info's fields); absent without a Python. */
function pythonFacts(out: GatherOutput): Dict {
  const m = /^(.*)\|Python (\d+)\.(\d+)\.(\d+)(?:(a|b|rc)(\d+))?/.exec(out.sections.get('python')?.[0] ?? '');
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

/** date_time: the host's local time (only iso8601* are UTC), as Ansible's DateTimeFactCollector. */
function dateTimeFacts(out: GatherOutput): Dict {
  const fields = (out.sections.get('date')?.[0] ?? '').split('|');
  const epochOk = /^\d+$/.test(fields[0] ?? '');
  const epoch = epochOk ? Number(fields[0]) : Math.floor(Date.now() / 1000);
  const iso = new Date(epoch * 1000).toISOString();
  let [tz = 'UTC', tzOffset = '+0000', year, month, day, hour, minute, second, weekday = '', monthname = '', weekdayNumber = '', weeknumber = ''] = fields.slice(1);
  if (!epochOk || fields.length < 13) [year, month, day, hour, minute, second] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13), iso.slice(14, 16), iso.slice(17, 19)];
  return {
    date_time: {
      epoch: String(epoch),
      epoch_int: String(epoch),
      iso8601: iso.replace(/\.\d+Z$/, 'Z'),
      iso8601_micro: iso.replace(/\.(\d+)Z$/, '.$1000Z'),
      iso8601_basic: `${year}${month}${day}T${hour}${minute}${second}000000`,
      iso8601_basic_short: `${year}${month}${day}T${hour}${minute}${second}`,
      date: `${year}-${month}-${day}`,
      time: `${hour}:${minute}:${second}`,
      year, month, day, hour, minute, second,
      weekday, weekday_number: weekdayNumber, weeknumber, monthname,
      tz, tz_offset: tzOffset,
    },
  };
}

/** Turn the gather script's output into Ansible-named facts (without the `ansible_` prefix). */
export function parseFacts(output: string): Record<string, unknown> {
  const out = splitOutput(output);
  const [system = 'Linux', nodename = '', kernel = '', machine = ''] = (out.sections.get('uname')?.[0] ?? '').trim().split(/\s+/);
  const dist = distributionFacts(out);
  const env = parseExports(out.sections.get('env') ?? []);
  const facts: Dict = {
    ...nameFacts(out, nodename),
    system,
    kernel,
    kernel_version: firstLine(out, '/proc/sys/kernel/version') ?? '',
    architecture: machine,
    machine,
    userspace_architecture: machine,
    userspace_bits: /64/.test(machine) ? '64' : '32',
    ...kernelFacts(out),
    ...dmiFacts(out),
    ...dist,
    pkg_mgr: pkgMgrFact(out.exists, dist, out.sections.has('apt-rpm')),
    service_mgr: serviceMgrFact(out),
    ...lsbFacts(out),
    ...securityFacts(out),
    ...cpuFacts(out, machine),
    ...memoryFacts(out),
    ...uptimeFacts(out),
    ...mountFacts(out),
    ...virtualizationFacts(out),
    ...networkFacts(out),
    ...dnsFact(out),
    env,
    ...userFacts(out, env),
    ...pythonFacts(out),
    ...dateTimeFacts(out),
  };
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined));
}
