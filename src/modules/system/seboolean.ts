import { quote } from '../../util/quote.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import type { ModuleDef, Plan } from '../types.js';

/** ansible.posix.seboolean: `setsebool [-P] NAME on|off` when `getsebool` reports otherwise. */
export interface SebooleanArgs {
  name: string;
  state: boolean;
  persistent: boolean;
  ignore_selinux_state: boolean;
}

const specs: ArgSpecs = {
  name: { type: 'str', required: true },
  state: { type: 'bool', required: true },
  persistent: { type: 'bool', default: false },
  ignore_selinux_state: { type: 'bool', default: false },
};

export interface SebooleanFacts {
  selinuxEnabled: boolean;
  /** `getsebool NAME` output ('name --> on'), undefined when the boolean does not exist. */
  getsebool?: string;
  /** The persistent (policy store) value, from `semanage boolean -l` when asked; undefined unknown. */
  persistentValue?: boolean;
}

export function planSeboolean(a: SebooleanArgs, f: SebooleanFacts): Plan {
  const result = { name: a.name, state: a.state, persistent: a.persistent };
  if (!f.selinuxEnabled && !a.ignore_selinux_state) return { steps: [], failed: true, msg: 'SELinux is disabled on this host.' };
  if (f.getsebool === undefined) return { steps: [], failed: true, msg: `SELinux boolean ${a.name} does not exist.` };
  const current = /-->\s*on\s*$/.test(f.getsebool.trim());
  const persistentDiffers = a.persistent && f.persistentValue !== undefined && f.persistentValue !== a.state;
  if (current === a.state && !persistentDiffers) return { steps: [], result };
  return { steps: [{ cmd: `setsebool ${a.persistent ? '-P ' : ''}${quote(a.name)} ${a.state ? 'on' : 'off'}` }], result };
}

export const sebooleanModule: ModuleDef<SebooleanArgs> = {
  name: 'seboolean',
  aliases: ['ansible.posix.seboolean'],
  parse: (raw, where, loadTime) => parseArgs<SebooleanArgs>('seboolean', specs, raw, where, loadTime),
  async plan(a, ctx) {
    const enabled = (await ctx.probe('selinuxenabled')).rc === 0;
    const g = await ctx.probe(`getsebool -- ${quote(a.name)}`);
    let persistentValue: boolean | undefined;
    if (a.persistent) {
      // "name (on , off)  description": the second value is the persistent default.
      const s = await ctx.probe(`semanage boolean -l -n 2>/dev/null | awk -v n=${quote(a.name)} '$1 == n { print $4 }'`);
      const v = s.stdout.trim().replace(/\W/g, '');
      if (v === 'on' || v === 'off') persistentValue = v === 'on';
    }
    return planSeboolean(a, { selinuxEnabled: enabled, getsebool: g.rc === 0 ? g.stdout : undefined, persistentValue });
  },
};
