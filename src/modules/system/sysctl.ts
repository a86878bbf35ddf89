import { ParseError } from '../../errors.js';
import { quote } from '../../util/quote.js';
import { toBool } from '../../util/bool.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import { atomicWriteSteps } from '../atomic-write.js';
import type { ModuleDef, Plan, Step } from '../types.js';

/** ansible.posix.sysctl on Linux: a `key=value` line in sysctl_file, the kernel value, `sysctl -p` to reload. */
export interface SysctlArgs {
  name: string;
  value?: string;
  state: 'present' | 'absent';
  reload: boolean;
  sysctl_set: boolean;
  ignoreerrors: boolean;
  sysctl_file: string;
}

const specs: ArgSpecs = {
  name: { type: 'str', required: true, aliases: ['key'] },
  value: { type: 'str', aliases: ['val'] },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  reload: { type: 'bool', default: true },
  sysctl_set: { type: 'bool', default: false },
  ignoreerrors: { type: 'bool', default: false },
  sysctl_file: { type: 'path', default: '/etc/sysctl.conf' },
};

export interface SysctlFacts {
  /** `sysctl -e -n NAME` output, undefined when it failed (unknown key). */
  current?: string;
  /** The file's text, undefined when it does not exist. */
  file?: string;
}

/** yes/no/true/false… become 1/0, as the module normalises them. */
export function sysctlValue(v: string | undefined): string {
  if (v === undefined) return '';
  const b = toBool(v, { emptyIsFalse: false });
  return b === undefined ? v.trim() : b ? '1' : '0';
}

const sameWords = (a: string | undefined, b: string) => a !== undefined && a.split(/\s+/).filter(Boolean).join(' ') === b.split(/\s+/).filter(Boolean).join(' ');
const isSetting = (l: string) => l.trim() !== '' && !l.trim().startsWith('#') && !l.trim().startsWith(';') && l.includes('=');

/** `sysctl KEY=VALUE` as the module runs it (quoted value when it has words, -w otherwise). */
function setCommand(name: string, value: string, ignore: boolean): string {
  if (value.split(/\s+/).filter(Boolean).length > 0) return `LANG=C sysctl ${ignore ? '-i ' : ''}${quote(`${name}=${value}`)}`;
  return `LANG=C sysctl ${ignore ? '-e ' : ''}-w ${quote(`${name}=${value}`)}`;
}

/** `sysctl` exits 0 even for some errors; the module also fails on these stderr lines. */
const STDERR_FAILED = /^sysctl: setting key "[^"]+": (Invalid argument|Read-only file system)$/m;

export function planSysctl(a: SysctlArgs, facts: SysctlFacts): Plan {
  const name = a.name.trim();
  const value = sysctlValue(a.value);
  const lines = facts.file === undefined ? [] : facts.file.split('\n').map((l) => l.trim());
  if (lines.at(-1) === '') lines.pop();
  const values = new Map<string, string>();
  for (const l of lines) {
    if (!isSetting(l)) continue;
    const i = l.indexOf('=');
    values.set(l.slice(0, i).trim(), l.slice(i + 1).trim());
  }
  // Ansible rewrites the file normalised: one line per key (the first), `k=v` without spaces.
  const fixed: string[] = [];
  const seen = new Set<string>();
  for (const l of lines) {
    if (!isSetting(l)) {
      fixed.push(l);
      continue;
    }
    const i = l.indexOf('=');
    const k = l.slice(0, i).trim();
    if (seen.has(k)) continue;
    seen.add(k);
    if (k !== name) fixed.push(`${k}=${l.slice(i + 1).trim()}`);
    else if (a.state === 'present') fixed.push(`${k}=${value}`);
  }
  if (!seen.has(name) && a.state === 'present') fixed.push(`${name}=${value}`);

  const inFile = values.get(name);
  let changed = false;
  let writeFile = false;
  let setProc = false;
  if (inFile === undefined) {
    if (a.state === 'present') changed = writeFile = true;
  } else if (a.state === 'absent') {
    if (inFile) changed = writeFile = true;
  } else if (inFile !== value) changed = writeFile = true;
  else if (a.reload && !sameWords(facts.current, value)) changed = true;
  if (a.sysctl_set && a.state === 'present' && !sameWords(facts.current, value)) {
    changed = true;
    if (facts.current !== undefined) setProc = true;
  }
  const steps: Step[] = [];
  if (setProc) steps.push({ cmd: setCommand(name, value, a.ignoreerrors) });
  if (writeFile) steps.push(...atomicWriteSteps(a.sysctl_file, fixed.map((l) => l + '\n').join('')).steps);
  if (changed && a.reload) steps.push({ cmd: `LANG=C sysctl ${a.ignoreerrors ? '-e ' : ''}-p ${quote(a.sysctl_file)}` });
  const before = facts.file ?? '';
  return {
    steps,
    changed,
    diff: writeFile ? [{ path: a.sysctl_file, before, after: fixed.map((l) => l + '\n').join('') }] : undefined,
    finish: (results, base) => {
      const i = results.findIndex((r) => r.rc !== 0 || STDERR_FAILED.test(r.stderr));
      if (i < 0 && results.length === steps.length) return base;
      const r = results[i] ?? results[results.length - 1]!;
      const what = steps[i]?.cmd.includes(' -p ') ? 'Failed to reload sysctl' : steps[i]?.cmd.includes('sysctl') ? `setting ${name} failed` : `Failed to write ${a.sysctl_file}`;
      return { ...base, failed: true, rc: r.rc, msg: `${what}: ${r.stdout}${r.stderr}`.trim() };
    },
  };
}

export const sysctlModule: ModuleDef<SysctlArgs> = {
  targetPaths: ['sysctl_file'],
  name: 'sysctl',
  aliases: ['ansible.posix.sysctl'],
  parse(raw, where, loadTime) {
    const a = parseArgs<SysctlArgs>('sysctl', specs, raw, where, loadTime);
    if (!loadTime) {
      if (a.name.trim() === '') throw new ParseError('sysctl: name cannot be blank', where);
      if (a.state === 'present' && a.value === undefined) throw new ParseError('sysctl: state is present but all of the following are missing: value', where);
      if (a.state === 'present' && a.value === '') throw new ParseError('sysctl: value cannot be blank', where);
    }
    return a;
  },
  async plan(a, ctx) {
    const [cur, file] = await Promise.all([
      ctx.probe(`LANG=C sysctl -e -n ${quote(a.name.trim())}`),
      ctx.probe(`if [ -f ${quote(a.sysctl_file)} ]; then cat -- ${quote(a.sysctl_file)}; else exit 3; fi`),
    ]);
    if (file.rc !== 0 && file.rc !== 3) return { steps: [], failed: true, msg: `Failed to open ${a.sysctl_file}: ${file.stderr.trim()}` };
    return planSysctl(a, { current: cur.rc === 0 ? cur.stdout.replace(/\n$/, '') : undefined, file: file.rc === 0 ? file.stdout : undefined });
  },
};
