import { ParseError, type Source } from '../errors.js';
import type { FileStat } from '../facts/file.js';
import { quote } from '../util/quote.js';
import type { Step } from './types.js';
import { ownership } from './atomic-write.js';
import { unrendered } from './args.js';

/** One clause of a symbolic mode: `u+rwx`, `go=`, `a-w`, `g=u`, … (several operations may follow the who). */
const SYMBOLIC = /^[ugoa]*(?:[-+=](?:[rwxXst]*|[ugo]))+$/;
/**
 * Normalize a `mode` argument as Ansible reads it: an integer is the numeric mode itself (YAML 0644 is
 * 420 → '0644'; beware that a bare 644 is 0o1204, as in Ansible), an octal string ('644', '0644') is
 * padded to four digits, and a symbolic mode ('u=rw,g=r') is kept as written. `preserve` is allowed
 * where the module supports it.
 */
export function parseMode(module: string, key: string, v: unknown, where: Source, loadTime: boolean, allowPreserve = false): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0o7777) return v.toString(8).padStart(4, '0');
  if (typeof v === 'string') {
    const s = v.trim();
    if (unrendered(s, loadTime)) return s;
    if (/^[0-7]{1,5}$/.test(s) && Number.parseInt(s, 8) <= 0o7777) return Number.parseInt(s, 8).toString(8).padStart(4, '0');
    if (allowPreserve && s === 'preserve') return s;
    if (s !== '' && s.split(',').every((c) => SYMBOLIC.test(c))) return s;
  }
  throw new ParseError(
    `${module}: argument '${key}' must be an octal mode ('0644') or a symbolic mode ('u=rw,g=r'), got ${JSON.stringify(v)}`,
    where,
  );
}

export function isOctal(mode: string): boolean {
  return /^[0-7]{4}$/.test(mode);
}

const WHO_SHIFT = { u: 6, g: 3, o: 0 } as const;
const WHO_MASK = { u: 0o4700, g: 0o2070, o: 0o1007 } as const;

/**
 * The numeric mode a file with mode `current` gets from `mode` (octal or symbolic), computed on the
 * controller so that idempotency can be judged before anything runs. Clauses without a who
 * (`+x`) respect the umask, as chmod and Ansible do.
 */
export function applyMode(mode: string, current: number, isDir: boolean, umask = 0o022): number {
  if (isOctal(mode)) return Number.parseInt(mode, 8);
  let m = current & 0o7777;
  for (const clause of mode.split(',')) {
    const whoText = /^[ugoa]*/.exec(clause)![0];
    const useUmask = whoText === '';
    const who = (whoText === '' || whoText.includes('a') ? 'ugo' : whoText).split('') as ('u' | 'g' | 'o')[];
    for (const [, op, perms] of clause.slice(whoText.length).matchAll(/([-+=])([ugo]|[rwxXst]*)/g)) {
      let bits = 0;
      for (const w of who) {
        const shift = WHO_SHIFT[w];
        if (perms === 'u' || perms === 'g' || perms === 'o') {
          bits |= ((m >> WHO_SHIFT[perms]) & 7) << shift;
          continue;
        }
        for (const p of perms!) {
          if (p === 'r') bits |= 4 << shift;
          else if (p === 'w') bits |= 2 << shift;
          else if (p === 'x') bits |= 1 << shift;
          else if (p === 'X' && (isDir || (m & 0o111) !== 0)) bits |= 1 << shift;
          else if (p === 's' && w === 'u') bits |= 0o4000;
          else if (p === 's' && w === 'g') bits |= 0o2000;
          else if (p === 't' && w === 'o') bits |= 0o1000;
        }
      }
      if (useUmask) bits &= ~umask;
      const whoMask = who.reduce((acc, w) => acc | WHO_MASK[w], 0);
      if (op === '+') m |= bits;
      else if (op === '-') m &= ~bits;
      else m = (m & ~whoMask) | bits;
    }
  }
  return m;
}

export function octal(n: number): string {
  return n.toString(8).padStart(4, '0');
}

/** A mode as Ansible's results and diffs show it ('0%03o'): '0644', '01777', '04755'. */
export function ansibleMode(mode: string | number): string {
  const n = typeof mode === 'number' ? mode : Number.parseInt(mode, 8);
  return `0${n.toString(8).padStart(3, '0')}`;
}

/** The mode a brand-new file or directory starts with before `mode:` applies. */
export function defaultMode(isDir: boolean, umask: string | undefined): number {
  return (isDir ? 0o777 : 0o666) & ~Number.parseInt(umask ?? '0022', 8);
}

export interface Attributes {
  mode?: string;
  owner?: string;
  group?: string;
}

function sameUser(want: string, name: string | undefined, id: number | undefined): boolean {
  return want === name || want === String(id);
}

/**
 * Steps that bring an existing path's mode/owner/group to what is asked, none when it already has them.
 * `changes` lists what differs as Ansible's attribute diff does ({mode: ['0600', '0644']}).
 */
export function attributeSteps(
  path: string,
  st: FileStat,
  want: Attributes,
): { steps: Step[]; before: Record<string, string>; after: Record<string, string> } {
  const steps: Step[] = [];
  const before: Record<string, string> = {};
  const after: Record<string, string> = {};
  const p = quote(path);
  // Links stat'ed without following are changed themselves (-h), never what they point to.
  const bareLink = st.isLink && !st.isFile && !st.isDir;
  const h = bareLink ? ' -h' : '';
  const ownerDiffers = want.owner !== undefined && !sameUser(want.owner, st.owner, st.uid);
  const groupDiffers = want.group !== undefined && !sameUser(want.group, st.group, st.gid);
  if (ownerDiffers) (before.owner = st.owner ?? String(st.uid)), (after.owner = want.owner!);
  if (groupDiffers) (before.group = st.group ?? String(st.gid)), (after.group = want.group!);
  const own = ownership(ownerDiffers ? want.owner : undefined, groupDiffers ? want.group : undefined);
  if (own) steps.push({ cmd: `${own.replace(/^(chown|chgrp)/, `$1${h}`)} ${p}` });
  // A link's own mode means nothing on Linux: modes apply to what it points to, or not at all.
  if (want.mode !== undefined && st.mode !== undefined && !bareLink) {
    const target = octal(applyMode(want.mode, Number.parseInt(st.mode, 8), st.isDir, Number.parseInt(st.umask ?? '0022', 8)));
    if (target !== st.mode) {
      before.mode = ansibleMode(st.mode);
      after.mode = ansibleMode(target);
      steps.push({ cmd: `chmod ${target} ${p}` });
    }
  }
  return { steps, before, after };
}

/** Render attribute changes as diff text (`mode: 0644`), one per line, as Ansible's attribute diff shows. */
export function attributeText(attrs: Record<string, string>): string {
  return Object.entries(attrs)
    .map(([k, v]) => `${k}: ${v}\n`)
    .join('');
}
