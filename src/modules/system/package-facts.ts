import { ParseError } from '../../errors.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import type { ModuleDef, Plan } from '../types.js';

/** ansible.builtin.package_facts: installed packages as the fact `packages` (dpkg or rpm, `auto` picks). */
export interface PackageFactsArgs {
  manager: string[];
  strategy: 'first' | 'all';
}

const specs: ArgSpecs = {
  manager: { type: 'list', elements: 'str', default: ['auto'] },
  strategy: { type: 'str', default: 'first', choices: ['first', 'all'] },
};

const MANAGERS = ['auto', 'apt', 'rpm'];

export const DPKG_QUERY = `dpkg-query -W -f='\${db:Status-Abbrev}\\t\${Package}\\t\${Version}\\t\${Architecture}\\n'`;
export const RPM_QUERY = `rpm -qa --qf '%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{EPOCH}\\t%{ARCH}\\n'`;

export type PackageRecord = Record<string, string | number | null>;

/** dpkg-query lines → Ansible's apt records (installed packages only: status "ii"). */
export function parseDpkg(out: string): Record<string, PackageRecord[]> {
  const pkgs: Record<string, PackageRecord[]> = {};
  for (const line of out.split('\n')) {
    const [status, name, version, arch] = line.split('\t');
    if (!name || !status?.startsWith('ii')) continue;
    (pkgs[name] ??= []).push({ name, version: version!, arch: arch!, category: null, origin: null, source: 'apt' });
  }
  return pkgs;
}

/** rpm -qa lines → Ansible's rpm records (epoch null when unset). */
export function parseRpm(out: string): Record<string, PackageRecord[]> {
  const pkgs: Record<string, PackageRecord[]> = {};
  for (const line of out.split('\n')) {
    const [name, version, release, epoch, arch] = line.split('\t');
    if (!name || version === undefined) continue;
    (pkgs[name] ??= []).push({ name, version, release: release!, epoch: epoch && epoch !== '(none)' ? Number(epoch) : null, arch: arch!, source: 'rpm' });
  }
  return pkgs;
}

/** The managers' outputs (undefined: tool missing) → the fact. Pure. */
export function planPackageFacts(a: PackageFactsArgs, outputs: { apt?: string; rpm?: string }): Plan {
  const wanted = a.manager.includes('auto') ? ['apt', 'rpm'] : a.manager;
  const packages: Record<string, PackageRecord[]> = {};
  const found: string[] = [];
  for (const m of wanted) {
    const out = m === 'apt' ? outputs.apt : outputs.rpm;
    if (out === undefined) continue;
    found.push(m);
    for (const [k, v] of Object.entries(m === 'apt' ? parseDpkg(out) : parseRpm(out))) (packages[k] ??= []).push(...v);
    if (a.strategy === 'first') break;
  }
  if (found.length === 0) {
    return { steps: [], failed: true, msg: `Could not detect a supported package manager from the following list: ${JSON.stringify(wanted)}, or the required Python library is not installed. Check warnings for details.` };
  }
  return { steps: [], result: { ansible_facts: { packages } } };
}

export const packageFactsModule: ModuleDef<PackageFactsArgs> = {
  name: 'package_facts',
  returnsFacts: true,
  parse(raw, where, loadTime) {
    const a = parseArgs<PackageFactsArgs>('package_facts', specs, raw, where, loadTime);
    for (const m of a.manager) {
      if (!loadTime && !MANAGERS.includes(m)) {
        throw new ParseError(`package_facts: manager '${m}' is not supported by tsplay (supported: ${MANAGERS.join(', ')})`, where);
      }
    }
    return a;
  },
  async plan(a, ctx) {
    const outputs: { apt?: string; rpm?: string } = {};
    const wanted = a.manager.includes('auto') ? ['apt', 'rpm'] : a.manager;
    for (const m of wanted) {
      // An rpm binary on a Debian host (as on the lab) holds no system packages: dpkg first.
      const r = await ctx.probe(`command -v ${m === 'apt' ? 'dpkg-query' : 'rpm'} >/dev/null 2>&1 || exit 127; ${m === 'apt' ? DPKG_QUERY : RPM_QUERY}`);
      if (r.rc === 0) outputs[m as 'apt' | 'rpm'] = r.stdout;
      if (r.rc === 0 && a.strategy === 'first') break;
    }
    return planPackageFacts(a, outputs);
  },
};
