import { ParseError } from '../../errors.js';
import { quote } from '../../util/quote.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import type { ModuleDef, Plan, Step } from '../types.js';

/** ansible.posix.selinux: SELINUX=/SELINUXTYPE= in the config file, `setenforce` for the running state. */
export interface SelinuxArgs {
  policy?: string;
  state: 'enforcing' | 'permissive' | 'disabled';
  configfile: string;
  update_kernel_param: boolean;
}

const specs: ArgSpecs = {
  policy: { type: 'str' },
  state: { type: 'str', required: true, choices: ['enforcing', 'permissive', 'disabled'] },
  configfile: { type: 'str', default: '/etc/selinux/config', aliases: ['conf', 'file'] },
  update_kernel_param: { type: 'bool', default: false },
};

export interface SelinuxFacts {
  /** getenforce, lower-cased: enforcing, permissive or disabled. */
  runtimeState: string;
  runtimePolicy: string;
  /** undefined: the config file is missing. */
  config?: string;
}

const configValue = (text: string, key: string) => text.split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1).trim() ?? '';

export function planSelinux(a: SelinuxArgs, f: SelinuxFacts): Plan {
  if (f.config === undefined) return { steps: [], failed: true, msg: `Unable to find file ${a.configfile}` };
  const configPolicy = configValue(f.config, 'SELINUXTYPE');
  const configState = configValue(f.config, 'SELINUX');
  if (a.state !== 'disabled' && !a.policy) return { steps: [], failed: true, msg: "Policy is required if state is not 'disabled'" };
  const policy = a.policy ?? configPolicy;
  const steps: Step[] = [];
  const msgs: string[] = [];
  const warnings: string[] = [];
  let changed = false;
  let rebootRequired = false;
  const runtimeEnabled = f.runtimeState !== 'disabled';
  const file = quote(a.configfile);
  if (policy !== f.runtimePolicy) {
    msgs.push(`Running SELinux policy changed from '${f.runtimePolicy}' to '${policy}'`);
    changed = true;
  }
  if (policy !== configPolicy) {
    steps.push({ cmd: `sed -i ${quote(`s/^SELINUXTYPE=.*/SELINUXTYPE=${policy.replace(/[/&\\]/g, '\\$&')}/`)} ${file}` });
    msgs.push(`SELinux policy configuration in '${a.configfile}' changed from '${configPolicy}' to '${policy}'`);
    changed = true;
  }
  if (a.state !== f.runtimeState) {
    if (runtimeEnabled) {
      if (a.state === 'disabled') {
        if (f.runtimeState !== 'permissive') {
          steps.push({ cmd: 'setenforce 0' });
          warnings.push(`SELinux state temporarily changed from '${f.runtimeState}' to 'permissive'. State change will take effect next reboot.`);
          changed = true;
        } else warnings.push('SELinux state change will take effect next reboot');
        rebootRequired = true;
      } else {
        steps.push({ cmd: `setenforce ${a.state === 'enforcing' ? 1 : 0}` });
        msgs.push(`SELinux state changed from '${f.runtimeState}' to '${a.state}'`);
        changed = true;
      }
    } else {
      warnings.push(`Reboot is required to set SELinux state to '${a.state}'`);
      rebootRequired = true;
    }
  }
  if (a.state !== configState) {
    steps.push({ cmd: `sed -i ${quote(`s/^SELINUX=.*/SELINUX=${a.state}/`)} ${file}` });
    msgs.push(`Config SELinux state changed from '${configState}' to '${a.state}'`);
    changed = true;
  }
  return { steps, changed, result: { msg: msgs.join(', '), configfile: a.configfile, policy, state: a.state, reboot_required: rebootRequired, warnings } };
}

export const selinuxModule: ModuleDef<SelinuxArgs> = {
  name: 'selinux',
  aliases: ['ansible.posix.selinux'],
  parse(raw, where, loadTime) {
    const a = parseArgs<SelinuxArgs>('selinux', specs, raw, where, loadTime);
    if (!loadTime && a.update_kernel_param) throw new ParseError('selinux: update_kernel_param (grubby) is not supported by tsplay', where);
    return a;
  },
  async plan(a, ctx) {
    const r = await ctx.probe(
      `echo "@state=$(getenforce 2>/dev/null || echo Disabled)"; echo "@policy=$(sestatus 2>/dev/null | sed -n 's/^Loaded policy name: *//p')"; if [ -f ${quote(a.configfile)} ]; then sed 's/^/@config=/' ${quote(a.configfile)}; else echo @noconfig; fi`,
    );
    const lines = r.stdout.split('\n');
    const v = (k: string) => lines.find((l) => l.startsWith(`@${k}=`))?.slice(k.length + 2).trim() ?? '';
    const config = lines.includes('@noconfig') ? undefined : lines.filter((l) => l.startsWith('@config=')).map((l) => l.slice(8)).join('\n');
    const runtimeState = v('state').toLowerCase();
    const runtimePolicy = v('policy') || (config !== undefined ? configValue(config, 'SELINUXTYPE') : '');
    return planSelinux(a, { runtimeState, runtimePolicy, config });
  },
};
