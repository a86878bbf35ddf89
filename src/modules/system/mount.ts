import { ParseError } from '../../errors.js';
import { quote } from '../../util/quote.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import { atomicWriteSteps } from '../atomic-write.js';
import type { ModuleDef, Plan, Step } from '../types.js';

/** ansible.posix.mount on Linux: the fstab line, and mount/umount/remount as `state` asks. */
export interface MountArgs {
  path: string;
  src?: string;
  fstype?: string;
  opts?: string;
  dump: string;
  passno: string;
  state: 'mounted' | 'unmounted' | 'present' | 'absent' | 'remounted' | 'absent_from_fstab' | 'ephemeral';
  fstab: string;
  boot: boolean;
  backup: boolean;
}

const specs: ArgSpecs = {
  path: { type: 'path', required: true, aliases: ['name'] },
  src: { type: 'path' },
  fstype: { type: 'str' },
  opts: { type: 'str' },
  dump: { type: 'str', default: '0' },
  passno: { type: 'str', default: '0' },
  state: { type: 'str', required: true, choices: ['mounted', 'unmounted', 'present', 'absent', 'remounted', 'absent_from_fstab', 'ephemeral'] },
  fstab: { type: 'str', default: '/etc/fstab' },
  boot: { type: 'bool', default: true },
  backup: { type: 'bool', default: false },
};

export interface MountFacts {
  /** fstab text ('' when missing). */
  fstab: string;
  /** The path is a mount point now. */
  mounted: boolean;
  /** The mount point directory exists. */
  dirExists: boolean;
}

/** fstab escapes spaces and tabs as \040 / \011. */
const esc = (s: string) => s.replace(/\\/g, '\\134').replace(/ /g, '\\040').replace(/\t/g, '\\011');
const unesc = (s: string) => s.replace(/\\040/g, ' ').replace(/\\011/g, '\t').replace(/\\134/g, '\\');

function options(a: MountArgs): string {
  const opts = (a.opts ?? 'defaults').split(',').filter(Boolean);
  // boot: false is `noauto` in fstab (Ansible adds it, and drops it again for boot: true).
  if (!a.boot && !opts.includes('noauto')) opts.push('noauto');
  if (a.boot && a.opts === undefined) return 'defaults';
  return opts.join(',');
}

/** The fstab with this mount's line set (or removed); `changed` when it differs. Pure. */
export function editFstab(a: MountArgs, fstab: string, remove: boolean): { text: string; changed: boolean } {
  const line = [esc(a.src ?? ''), esc(a.path), a.fstype ?? '', options(a), a.dump, a.passno].join('\t');
  const lines = fstab === '' ? [] : fstab.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let found = false;
  let changed = false;
  for (const l of lines) {
    const f = l.trim().split(/\s+/);
    if (l.trim().startsWith('#') || f.length < 2 || unesc(f[1]!) !== a.path) {
      out.push(l);
      continue;
    }
    if (remove) {
      changed = true;
      continue;
    }
    if (found) {
      out.push(l);
      continue;
    }
    found = true;
    const [src, , fstype, opts = 'defaults', dump = '0', passno = '0'] = f;
    const same = unesc(src!) === (a.src ?? '') && fstype === a.fstype && opts === options(a) && dump === a.dump && passno === a.passno;
    if (same) out.push(l);
    else {
      out.push(line);
      changed = true;
    }
  }
  if (!remove && !found) {
    out.push(line);
    changed = true;
  }
  return { text: out.length ? out.join('\n') + '\n' : '', changed };
}

export function planMount(a: MountArgs, f: MountFacts): Plan {
  const steps: Step[] = [];
  const p = quote(a.path);
  const result: Record<string, unknown> = { name: a.path, src: a.src, fstype: a.fstype, opts: options(a), dump: a.dump, passno: a.passno, fstab: a.fstab, boot: a.boot };
  const needsFs = ['mounted', 'present', 'ephemeral'].includes(a.state);
  if (needsFs && (a.src === undefined || a.fstype === undefined)) {
    return { steps, failed: true, msg: `state is ${a.state} but all of the following are missing: ${[a.src === undefined ? 'src' : '', a.fstype === undefined ? 'fstype' : ''].filter(Boolean).join(', ')}` };
  }
  let fstabChanged = false;
  let diff;
  const writeFstab = (remove: boolean) => {
    const e = editFstab(a, f.fstab, remove);
    if (!e.changed) return;
    fstabChanged = true;
    steps.push(...atomicWriteSteps(a.fstab, e.text, { backup: a.backup }).steps);
    diff = [{ path: a.fstab, before: f.fstab, after: e.text }];
  };
  const explicit = `mount -t ${quote(a.fstype ?? 'auto')} -o ${quote(options(a).split(',').filter((o) => o !== 'noauto').join(',') || 'defaults')} ${quote(a.src ?? '')} ${p}`;
  const mountCmd = a.fstab === '/etc/fstab' ? `mount -- ${p}` : explicit;
  switch (a.state) {
    case 'present':
      writeFstab(false);
      break;
    case 'mounted':
      writeFstab(false);
      if (!f.dirExists) steps.push({ cmd: `mkdir -p -- ${p}` });
      if (!f.mounted) steps.push({ cmd: mountCmd });
      else if (fstabChanged) steps.push({ cmd: `mount -o remount -- ${p}` });
      break;
    case 'ephemeral':
      if (!f.dirExists) steps.push({ cmd: `mkdir -p -- ${p}` });
      if (!f.mounted) steps.push({ cmd: explicit });
      break;
    case 'unmounted':
      if (f.mounted) steps.push({ cmd: `umount -- ${p}` });
      break;
    case 'remounted':
      steps.push({ cmd: f.mounted ? `mount -o remount -- ${p}` : mountCmd });
      break;
    case 'absent':
      writeFstab(true);
      if (f.mounted) steps.push({ cmd: `umount -- ${p}` });
      if (f.dirExists) steps.push({ cmd: `rmdir -- ${p} 2>/dev/null || true` });
      break;
    case 'absent_from_fstab':
      writeFstab(true);
      break;
  }
  return { steps, result, diff };
}

export const mountModule: ModuleDef<MountArgs> = {
  targetPaths: ['path', 'src'],
  name: 'mount',
  aliases: ['ansible.posix.mount'],
  parse(raw, where, loadTime) {
    const a = parseArgs<MountArgs>('mount', specs, raw, where, loadTime);
    if (!loadTime && !a.path.startsWith('/') && a.path !== 'none' && a.fstype !== 'swap') throw new ParseError(`mount: path must be absolute, got '${a.path}'`, where);
    return a;
  },
  async plan(a, ctx) {
    const p = quote(a.path.replace(/\/+$/, '') || '/');
    const r = await ctx.probe(
      `if [ -f ${quote(a.fstab)} ]; then sed 's/^/@fstab=/' ${quote(a.fstab)}; fi; if mountpoint -q ${p} 2>/dev/null; then echo @mounted; fi; if [ -d ${p} ]; then echo @dir; fi; true`,
    );
    const lines = r.stdout.split('\n');
    const fstab = lines.filter((l) => l.startsWith('@fstab=')).map((l) => l.slice(7));
    return planMount(a, { fstab: fstab.length ? fstab.join('\n') + '\n' : '', mounted: lines.includes('@mounted'), dirExists: lines.includes('@dir') });
  },
};
