import { ParseError } from '../../errors.js';
import { quote } from '../../util/quote.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import { atomicWriteSteps } from '../atomic-write.js';
import type { ModuleDef, Plan, Step } from '../types.js';

/**
 * ansible.builtin.hostname on Linux. Strategies as ansible-core 2.14 picks them: `systemd` (hostnamectl,
 * when systemd runs or `use: systemd|debian`), the Debian family's file strategy (/etc/hostname only — the
 * running name is not touched, as in Ansible), `alpine` (/etc/hostname, then `hostname -F`), `redhat`
 * (HOSTNAME= in /etc/sysconfig/network), `sles` (/etc/HOSTNAME).
 */
export interface HostnameArgs {
  name: string;
  use?: string;
}

const STRATEGIES = ['alpine', 'debian', 'freebsd', 'generic', 'macos', 'macosx', 'darwin', 'openbsd', 'openrc', 'redhat', 'sles', 'solaris', 'systemd'];
const SUPPORTED = ['systemd', 'debian', 'alpine', 'redhat', 'sles', 'file'];

const specs: ArgSpecs = {
  name: { type: 'str', required: true },
  use: { type: 'str', choices: STRATEGIES },
};

export type HostnameStrategy = 'systemd' | 'file' | 'alpine' | 'redhat' | 'sles';

export interface HostnameFacts {
  /** The strategy this host gets (from `use`, or systemd running, or the distribution). */
  strategy: HostnameStrategy;
  /** The running (transient) name. */
  current: string;
  /** The permanent name ('' when the file is missing or has none). */
  permanent: string;
  /** redhat: the whole /etc/sysconfig/network text. */
  networkFile?: string;
}

export function strategyFor(use: string | undefined, systemdRunning: boolean, redhat: boolean, suse: boolean): HostnameStrategy | undefined {
  if (use !== undefined) {
    if (use === 'systemd' || use === 'debian') return 'systemd';
    if (use === 'alpine' || use === 'redhat' || use === 'sles') return use;
    return undefined;
  }
  if (systemdRunning) return 'systemd';
  if (redhat) return 'redhat';
  if (suse) return 'sles';
  return 'file';
}

export function planHostname(a: HostnameArgs, f: HostnameFacts): Plan {
  const name = a.name;
  const steps: Step[] = [];
  const file = f.strategy === 'sles' ? '/etc/HOSTNAME' : '/etc/hostname';
  // The file strategies have no separate running name: Ansible compares and writes the file only.
  const current = f.strategy === 'systemd' ? f.current : f.permanent;
  const setPermanent = (): void => {
    if (f.strategy === 'systemd') steps.push({ cmd: `hostnamectl --pretty --static set-hostname ${quote(name)}` });
    else if (f.strategy === 'redhat') {
      const lines = (f.networkFile ?? '').split(/(?<=\n)/).filter((l) => l !== '');
      let found = false;
      const out = lines.map((l) => (l.trim().startsWith('HOSTNAME') ? ((found = true), `HOSTNAME=${name}\n`) : l));
      if (!found) out.push(`HOSTNAME=${name}\n`);
      steps.push(...atomicWriteSteps('/etc/sysconfig/network', out.join('')).steps);
    } else steps.push(...atomicWriteSteps(file, `${name}\n`).steps);
  };
  const setCurrent = (): void => {
    if (f.strategy === 'systemd') steps.push({ cmd: `hostnamectl --transient set-hostname ${quote(name)}` });
    else if (f.strategy === 'alpine') steps.push({ cmd: 'hostname -F /etc/hostname' });
  };
  if (f.strategy === 'systemd' && name.length > 64) {
    return { steps, failed: true, msg: 'name cannot be longer than 64 characters on systemd servers, try a shorter name' };
  }
  // systemd sets the permanent name first (NetworkManager complains otherwise); the others the running one.
  const permanentDiffers = f.permanent !== name;
  const currentDiffers = current !== name;
  if (f.strategy === 'systemd') {
    if (permanentDiffers) setPermanent();
    if (currentDiffers) setCurrent();
  } else {
    if (currentDiffers) setCurrent();
    if (permanentDiffers) setPermanent();
    // alpine's `hostname -F` reads the file: write it first.
    if (f.strategy === 'alpine' && currentDiffers) steps.push(steps.shift()!);
  }
  const changed = currentDiffers || permanentDiffers;
  const before = name !== current ? current : f.permanent;
  const short = name.split('.')[0]!;
  const domain = name.includes('.') ? name.slice(name.indexOf('.') + 1) : '';
  return {
    steps,
    changed,
    result: { name, ansible_facts: { ansible_hostname: short, ansible_nodename: name, ansible_fqdn: name, ansible_domain: domain } },
    diff: changed ? [{ path: 'hostname', before: `hostname = ${before}\n`, after: `hostname = ${name}\n`, beforeHeader: 'before', afterHeader: 'after' }] : undefined,
  };
}

/** One round trip: whether systemd runs, the distribution family, and every name the strategies read. */
const PROBE = [
  'if [ -d /run/systemd/system ]; then echo @systemd=yes; fi',
  'if [ -f /etc/redhat-release ]; then echo @redhat=yes; fi',
  'if [ -f /etc/SuSE-release ] || grep -qi suse /etc/os-release 2>/dev/null; then echo @suse=yes; fi',
  'echo "@uname=$(uname -n)"',
  'if command -v hostnamectl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then echo "@transient=$(hostnamectl --transient status 2>/dev/null)"; echo "@static=$(hostnamectl --static status 2>/dev/null)"; fi',
  'if [ -f /etc/hostname ]; then echo "@etc_hostname=$(cat /etc/hostname)"; fi',
  'if [ -f /etc/HOSTNAME ]; then echo "@etc_HOSTNAME=$(cat /etc/HOSTNAME)"; fi',
  'if [ -f /etc/sysconfig/network ]; then sed "s/^/@network=/" /etc/sysconfig/network; fi',
  'true',
].join('\n');

export const hostnameModule: ModuleDef<HostnameArgs> = {
  name: 'hostname',
  returnsFacts: true,
  parse(raw, where, loadTime) {
    const a = parseArgs<HostnameArgs>('hostname', specs, raw, where, loadTime);
    if (!loadTime && a.name.trim() === '') throw new ParseError("hostname: argument 'name' must not be empty", where);
    if (!loadTime && a.use !== undefined && !SUPPORTED.includes(a.use)) {
      throw new ParseError(`hostname: use=${a.use} is not supported by tsplay (supported: systemd, debian, alpine, redhat, sles)`, where);
    }
    return a;
  },
  async plan(a, ctx) {
    const r = await ctx.probe(PROBE);
    const v: Record<string, string> = {};
    const network: string[] = [];
    for (const line of r.stdout.split('\n')) {
      const m = /^@([A-Za-z_]+)=(.*)$/.exec(line);
      if (!m) continue;
      if (m[1] === 'network') network.push(m[2]!);
      else v[m[1]!] = m[2]!;
    }
    const strategy = strategyFor(a.use, v.systemd === 'yes', v.redhat === 'yes', v.suse === 'yes');
    if (!strategy) return { steps: [], failed: true, msg: `hostname: use=${a.use} is not supported by tsplay` };
    let permanent = '';
    let current = v.uname ?? '';
    if (strategy === 'systemd') {
      permanent = v.static ?? '';
      current = v.transient ?? current;
    } else if (strategy === 'redhat') {
      const line = network.find((l) => l.trim().startsWith('HOSTNAME'));
      if (!line) return { steps: [], failed: true, msg: 'Unable to locate HOSTNAME entry in /etc/sysconfig/network' };
      permanent = line.split('=')[1]!.trim();
    } else permanent = ((strategy === 'sles' ? v.etc_HOSTNAME : v.etc_hostname) ?? '').trim();
    return planHostname(a, { strategy, current, permanent, networkFile: network.length ? network.join('\n') + '\n' : undefined });
  },
};
