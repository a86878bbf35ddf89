import { ParseError } from '../../errors.js';
import { quote } from '../../util/quote.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import type { ModuleDef, Plan } from '../types.js';

/** community.general.modprobe: load (`modprobe NAME PARAMS`) or unload (`modprobe -r NAME`) a kernel module. */
export interface ModprobeArgs {
  name: string;
  state: 'present' | 'absent';
  params: string;
}

const specs: ArgSpecs = {
  name: { type: 'str', required: true },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  params: { type: 'str', default: '' },
};

export interface ModprobeFacts {
  /** /proc/modules text. */
  procModules: string;
  /** The module is built into the kernel (listed in modules.builtin). */
  builtin: boolean;
}

/** /proc/modules names use underscores; `modprobe` accepts either. */
export function moduleLoaded(name: string, procModules: string): boolean {
  const want = name.replace(/-/g, '_');
  return procModules.split('\n').some((l) => l.split(' ')[0] === want);
}

export function planModprobe(a: ModprobeArgs, f: ModprobeFacts): Plan {
  const loaded = f.builtin || moduleLoaded(a.name, f.procModules);
  const result = { name: a.name, params: a.params, state: a.state };
  const params = a.params.trim() === '' ? '' : ' ' + a.params.trim().split(/\s+/).map((p) => quote(p)).join(' ');
  if (a.state === 'present' && !loaded) return { steps: [{ cmd: `modprobe ${quote(a.name)}${params}` }], result };
  if (a.state === 'absent' && loaded) {
    if (f.builtin) return { steps: [], failed: true, result, msg: `${a.name} is built into the kernel and cannot be removed` };
    return { steps: [{ cmd: `modprobe -r ${quote(a.name)}` }], result };
  }
  return { steps: [], result };
}

export const modprobeModule: ModuleDef<ModprobeArgs> = {
  name: 'modprobe',
  aliases: ['community.general.modprobe'],
  parse(raw, where, loadTime) {
    const a = parseArgs<ModprobeArgs>('modprobe', specs, raw, where, loadTime);
    if (!loadTime && !/^[A-Za-z0-9_-]+$/.test(a.name)) throw new ParseError(`modprobe: invalid module name '${a.name}'`, where);
    return a;
  },
  async plan(a, ctx) {
    const r = await ctx.probe(
      `cat /proc/modules; n=${quote(a.name.replace(/-/g, '_'))}; if grep -Eq "/($n|$(echo "$n" | tr _ -))\\.ko" "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null; then echo @builtin; fi`,
    );
    return planModprobe(a, { procModules: r.stdout, builtin: r.stdout.split('\n').includes('@builtin') });
  },
};
