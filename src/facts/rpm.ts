import { quote } from '../util/quote.js';

/** An RPM's epoch:version-release, as rpm compares it. */
export interface Evr {
  epoch: number;
  version: string;
  release: string;
}

/** One package as rpm reports it (installed, or from a file's header). */
export interface RpmInfo extends Evr {
  name: string;
  arch: string;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined) => c !== undefined && /[A-Za-z]/.test(c);
const isAlnum = (c: string | undefined) => isDigit(c) || isAlpha(c);

/**
 * rpm's own version comparison (rpmvercmp from rpmio/rpmvercmp.c, rpm 4.18): segments of digits or letters
 * compared left to right, numbers numerically and newer than letters, `~` sorts before anything (1.0~rc1 <
 * 1.0), `^` after the end but before anything else (1.0^git1 > 1.0, < 1.0.1).
 */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++, j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++, j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    const numeric = isDigit(a[i]);
    const same = numeric ? isDigit : isAlpha;
    let ei = i;
    let ej = j;
    while (ei < a.length && same(a[ei])) ei++;
    while (ej < b.length && same(b[ej])) ej++;
    // One side numeric, the other alphabetic: the numeric one is newer.
    if (ej === j) return numeric ? 1 : -1;
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    if (numeric) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** Compare two EVRs: epoch first, then version, then release (a missing release matches any). */
export function compareEvr(a: Evr, b: Evr): -1 | 0 | 1 {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  const v = rpmvercmp(a.version, b.version);
  if (v !== 0) return v;
  if (a.release === '' || b.release === '') return 0;
  return rpmvercmp(a.release, b.release);
}

/** "[epoch:]version[-release]" → Evr. */
export function parseEvr(s: string): Evr {
  const m = /^(?:(\d+):)?([^-]*)(?:-(.*))?$/.exec(s.trim());
  if (!m) return { epoch: 0, version: s, release: '' };
  return { epoch: m[1] ? Number(m[1]) : 0, version: m[2] ?? '', release: m[3] ?? '' };
}

/** "version-release", with "epoch:" in front only when the epoch is not 0 (as yum prints it). */
export function formatEvr(e: Evr): string {
  return `${e.epoch ? `${e.epoch}:` : ''}${e.version}${e.release ? `-${e.release}` : ''}`;
}

/** The newest of several (e.g. two versions of a package installed side by side). */
export function newest<T extends Evr>(list: readonly T[]): T | undefined {
  return list.reduce<T | undefined>((best, x) => (!best || compareEvr(x, best) > 0 ? x : best), undefined);
}

/** The query format shared by the probe and its parser: one line per package, fields separated by spaces. */
export const RPM_QF = '@rpm %{NAME} %{EPOCHNUM} %{VERSION} %{RELEASE} %{ARCH}\\n';

/** Parse the lines `RPM_QF` prints; anything else (e.g. "package x is not installed") is ignored. */
export function parseRpmLines(text: string): RpmInfo[] {
  const out: RpmInfo[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== '@rpm' || f.length !== 6) continue;
    out.push({ name: f[1]!, epoch: Number(f[2]) || 0, version: f[3]!, release: f[4]!, arch: f[5]! });
  }
  return out;
}

/** A shell command printing `RPM_QF` lines for the installed packages matching these names. */
export function rpmQueryCommand(names: readonly string[]): string {
  return `rpm -q --qf ${quote(RPM_QF)} -- ${names.map((n) => quote(n)).join(' ')} 2>/dev/null`;
}
