import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { TsplayError } from '../errors.js';
import { globToRegExp } from '../util/glob.js';
import { toBoolOrFalse } from '../util/bool.js';
import { isPlainObject, pyRepr, pyStr, tuple } from './values.js';
import type { LookupCtx } from './lookups.js';
import { filetree } from './lookup-filetree.js';

/**
 * The lookup plugins behind Ansible's `with_<name>` loops, as ansible-core 2.14 writes them
 * (plugins/lookup/*.py): they take the loop's terms (rendered; a string is one term) and return
 * the items. They serve `query('sequence', …)`/`lookup(…)` as well: one table.
 */

/** Where a relative controller file is searched: beside the task file (its files/ and one up, a role's), the playbook's files/ and dir, cwd. */
export function searchDirs(sub: string, ctx: LookupCtx): string[] {
  const dirs: string[] = [];
  const file = ctx.where?.file;
  if (file) {
    const d = path.dirname(file);
    dirs.push(path.join(d, sub), path.join(d, '..', sub), d, path.join(d, '..'));
  }
  const pb = ctx.vars.playbook_dir;
  if (typeof pb === 'string') dirs.push(path.join(pb, sub), pb);
  dirs.push(process.cwd());
  return [...new Set(dirs.map((d) => path.resolve(d)))];
}

const isFile = (p: string): boolean => existsSync(p) && statSync(p).isFile();

/** Python's `int(s, 0)`: decimal, 0x.., 0o.., 0b.. (and the old 0NNN octal of the sequence docs). */
function int0(key: string, v: unknown): number {
  const s = pyStr(v).trim().replace(/_/g, '');
  let n = NaN;
  if (/^[+-]?\d+$/.test(s)) n = /^[+-]?0\d/.test(s) ? Number.parseInt(s, 8) : Number.parseInt(s, 10);
  else if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(s)) n = Number.parseInt(s.replace(/0[xX]/, ''), 16) * (s.startsWith('-') ? -1 : 1);
  else if (/^[+-]?0[oO][0-7]+$/.test(s)) n = Number.parseInt(s.replace(/0[oO]/, ''), 8) * (s.startsWith('-') ? -1 : 1);
  else if (/^[+-]?0[bB][01]+$/.test(s)) n = Number.parseInt(s.replace(/0[bB]/, ''), 2) * (s.startsWith('-') ? -1 : 1);
  if (!Number.isInteger(n)) throw new TsplayError(`with_sequence: can't parse ${key}=${s} as integer`);
  return n;
}

/** printf of one integer, as Python's `fmt % i`: %d %i %u %x %X %o %s %c with flags and width. */
function printf(fmt: string, i: number): string {
  const m = /%([-#0 +]*)(\d+)?(?:\.(\d+))?([diuxXosc])/.exec(fmt);
  if (!m || fmt.replace(/%%/g, '').split('%').length !== 2) throw new TsplayError(`with_sequence: bad formatting string: ${fmt}`);
  const [, flags = '', width, , conv] = m;
  const neg = i < 0;
  let body = conv === 'x' ? Math.abs(i).toString(16) : conv === 'X' ? Math.abs(i).toString(16).toUpperCase()
    : conv === 'o' ? Math.abs(i).toString(8) : conv === 'c' ? String.fromCodePoint(i) : String(Math.abs(i));
  if (flags.includes('#') && (conv === 'x' || conv === 'X')) body = `0${conv}${body}`;
  if (flags.includes('#') && conv === 'o') body = `0o${body}`;
  const sign = neg ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  const w = width ? Number(width) : 0;
  let s: string;
  if (flags.includes('-')) s = (sign + body).padEnd(w);
  else if (flags.includes('0') && conv !== 's' && conv !== 'c') s = sign + body.padStart(w - sign.length, '0');
  else s = (sign + body).padStart(w);
  return fmt.slice(0, m.index).replace(/%%/g, '%') + s + fmt.slice(m.index + m[0].length).replace(/%%/g, '%');
}

const NUM = '(0?x?[0-9a-f]+)';
const SHORTCUT = new RegExp(`^(${NUM}-)?${NUM}(/${NUM})?(:(.+))?$`, 'i');

/** `with_sequence: start=1 end=5 format=host%02d` or the shortcut `[start-]end[/stride][:format]`: strings. */
function sequence(terms: unknown[]): string[] {
  const out: string[] = [];
  for (const term of terms) {
    let start = 1;
    let end: number | undefined;
    let count: number | undefined;
    let stride = 1;
    let format = '%d';
    const text = pyStr(term).trim();
    const m = SHORTCUT.exec(text);
    if (m) {
      if (m[2] !== undefined) start = int0('start', m[2]);
      end = int0('end', m[3]);
      if (m[5] !== undefined) stride = int0('stride', m[5]);
      if (m[7] !== undefined) format = m[7];
    } else {
      const args = isPlainObject(term) ? term : kv(text);
      for (const [k, v] of Object.entries(args)) {
        if (k === 'start') start = int0(k, v);
        else if (k === 'end') end = int0(k, v);
        else if (k === 'count') count = int0(k, v);
        else if (k === 'stride') stride = int0(k, v);
        else if (k === 'format') format = pyStr(v);
        else throw new TsplayError(`unrecognized arguments to with_sequence: ['${k}']`);
      }
    }
    if (count === undefined && end === undefined) throw new TsplayError('must specify count or end in with_sequence');
    if (count !== undefined && end !== undefined) throw new TsplayError("can't specify both count and end in with_sequence");
    if (count !== undefined) {
      if (count !== 0) end = start + count * stride - 1;
      else [start, end, stride] = [0, 0, 0];
    }
    if (stride > 0 && end! < start) throw new TsplayError('to count backwards make stride negative');
    if (stride < 0 && end! > start) throw new TsplayError("to count forward don't make stride negative");
    if (format.replace(/%%/g, '').split('%').length !== 2) throw new TsplayError(`bad formatting string: ${format}`);
    if (stride === 0) continue;
    const stop = end! + (stride > 0 ? 1 : -1);
    for (let i = start; stride > 0 ? i < stop : i > stop; i += stride) out.push(printf(format, i));
  }
  return out;
}

/** `k=v k2="v 2"`, as Ansible's parse_kv reads the sequence arguments. */
function kv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Za-z_]+)=("[^"]*"|'[^']*'|\S+)/g)) out[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
  const rest = text.replace(/([A-Za-z_]+)=("[^"]*"|'[^']*'|\S+)/g, '').trim();
  if (rest) throw new TsplayError(`with_sequence: cannot read ${JSON.stringify(text)} (expected start=, end=, count=, stride=, format= or [start-]end[/stride][:format])`);
  return out;
}

/** LookupBase._flatten: one level. */
const flat1 = (xs: unknown[]): unknown[] => xs.flatMap((x) => (Array.isArray(x) ? x : [x]));
const asTerm = (x: unknown): unknown[] => (Array.isArray(x) ? x : [x]);

/** with_together: the lists side by side, the shorter ones filled with None. */
function together(terms: unknown[]): unknown[][] {
  if (terms.length === 0) throw new TsplayError('with_together requires at least one element in each list');
  const lists = terms.map(asTerm);
  const n = Math.max(...lists.map((l) => l.length));
  return Array.from({ length: n }, (_x, i) => flat1(lists.map((l) => (i < l.length ? l[i] : null))));
}

/** with_nested: every combination, the first list outermost. */
function nested(terms: unknown[]): unknown[][] {
  if (terms.length === 0) throw new TsplayError('with_nested requires at least one element in the nested list');
  const lists = terms.map(asTerm);
  let result: unknown[] = lists[0]!;
  for (const next of lists.slice(1)) result = result.flatMap((x) => next.map((y) => flat1([x, y])));
  return result.map((x) => flat1(asTerm(x)));
}

/** with_subelements: [list (or dict) of dicts, 'key.path', {skip_missing}] → (parent without the key, each subelement). */
function subelements(terms: unknown[]): unknown[][] {
  if (terms.length < 2 || terms.length > 3) throw new TsplayError('subelements lookup expects a list of two or three items');
  const [first, key, flags = {}] = terms;
  if (!(Array.isArray(first) || isPlainObject(first)) || typeof key !== 'string') {
    throw new TsplayError('subelements lookup expects a list of two or three items, first a dict or a list, second a string pointing to the subkey');
  }
  if (!isPlainObject(flags) || Object.keys(flags).some((k) => k !== 'skip_missing')) {
    throw new TsplayError("subelements lookup expects a list of two or three items, the optional third item must be a dict with flags ('skip_missing',)");
  }
  if (isPlainObject(first) && first.skipped !== undefined && first.skipped !== false) return [];
  const elements = Array.isArray(first) ? first : Object.values(first);
  const path = key.split('.');
  const skipMissing = toBoolOrFalse(flags.skip_missing ?? false);
  const out: unknown[][] = [];
  for (const el of elements) {
    if (!isPlainObject(el)) throw new TsplayError(`subelements lookup expects a dictionary, got '${pyStr(el)}'`);
    if (el.skipped !== undefined && el.skipped !== false) continue;
    // Ansible pops the list from (its copy of) the parent: item.0 no longer has the key.
    const parent: Record<string, unknown> = { ...el };
    let at = parent;
    let sub: unknown[] = [];
    for (let i = 0; i < path.length; i++) {
      const k = path[i]!;
      const last = i === path.length - 1;
      if (!Object.hasOwn(at, k)) {
        if (skipMissing) continue;
        throw new TsplayError(`could not find '${k}' key in iterated item '${pyRepr(at)}'`);
      }
      const v = at[k];
      if (!last) {
        if (!isPlainObject(v)) {
          if (skipMissing) continue;
          throw new TsplayError(`the key ${k} should point to a dictionary, got '${pyStr(v)}'`);
        }
        at = at[k] = { ...v };
      } else {
        if (!Array.isArray(v)) throw new TsplayError(`the key ${k} should point to a list, got '${pyStr(v)}'`);
        sub = v;
        delete at[k];
      }
    }
    for (const s of sub) out.push(tuple([parent, s]));
  }
  return out;
}

/** with_flattened: lists flattened all the way down; a 'None'/'null' term ends the list. */
function flattened(terms: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (let t of terms) {
    if (Array.isArray(t) && t.length === 1 && Array.isArray(t[0])) t = t[0];
    if (t === 'None' || t === 'null') break;
    if (Array.isArray(t)) out.push(...flattened(t));
    else out.push(t);
  }
  return out;
}

/** with_fileglob: controller files (not directories) matching each pattern, in the first directory with matches; sorted. */
function fileglob(terms: unknown[], ctx: LookupCtx): string[] {
  const out: string[] = [];
  for (const term of terms.map((t) => pyStr(t))) {
    const base = path.basename(term);
    const dir = path.dirname(term);
    const dirs = path.isAbsolute(term) ? [dir] : base !== term ? searchDirs('files', ctx).map((d) => path.join(d, dir)) : searchDirs('files', ctx);
    const re = globToRegExp(base);
    for (const d of dirs) {
      if (!existsSync(d) || !statSync(d).isDirectory()) continue;
      const hits = readdirSync(d)
        .filter((f) => (base.startsWith('.') || !f.startsWith('.')) && re.test(f))
        .map((f) => path.join(d, f))
        .filter(isFile)
        .sort();
      if (hits.length) {
        out.push(...hits);
        break;
      }
    }
  }
  return out;
}

/** Python's os.path.join: the name as written after the directory, `..` kept (first_found returns its path as Ansible's does). */
const pyJoin = (dir: string, name: string): string => (path.isAbsolute(name) ? name : dir.endsWith('/') ? dir + name : `${dir}/${name}`);

/** with_first_found: the first existing controller file among names (or {files, paths, skip}). */
function firstFound(terms: unknown[], ctx: LookupCtx): string[] {
  const split = (v: unknown, seps: RegExp): string[] => asTerm(v ?? []).flatMap((x) => pyStr(x).split(seps)).map((s) => s.trim()).filter(Boolean);
  const candidates: string[] = [];
  let skip = false;
  const walk = (list: unknown[]): void => {
    for (const term of list) {
      if (Array.isArray(term)) walk(term);
      else if (isPlainObject(term)) {
        const bad = Object.keys(term).find((k) => !['files', 'paths', 'skip'].includes(k));
        if (bad) throw new TsplayError(`first_found: unknown option '${bad}' (files, paths, skip)`);
        const files = split(term.files, /[,;]/);
        const paths = split(term.paths, /[,:;]/);
        skip = toBoolOrFalse(term.skip ?? false);
        candidates.push(...(paths.length ? paths.flatMap((p) => files.map((f) => pyJoin(p, f))) : files));
      } else candidates.push(pyStr(term));
    }
  };
  walk(terms);
  for (const name of candidates) {
    const found = path.isAbsolute(name) ? (isFile(name) ? name : undefined) : searchDirs(ctx.subdir ?? 'files', ctx).map((d) => pyJoin(d, name)).find(isFile);
    if (found) return [found];
  }
  if (skip) return [];
  throw new TsplayError(`No file was found when using first_found (looked for ${candidates.join(', ')})`);
}

/** with_lines: each line of a controller command's output (run in the playbook's directory). */
function lines(terms: unknown[], ctx: LookupCtx): string[] {
  const cwd = typeof ctx.vars.playbook_dir === 'string' ? ctx.vars.playbook_dir : undefined;
  return terms.flatMap((t) => {
    const cmd = pyStr(t);
    try {
      return execSync(cmd, { cwd, encoding: 'utf8', shell: '/bin/sh', stdio: ['ignore', 'pipe', 'inherit'] }).split(/\r?\n/).filter((l, i, all) => i < all.length - 1 || l !== '');
    } catch (e) {
      throw new TsplayError(`lookup_plugin.lines(${cmd}) returned ${(e as { status?: number }).status ?? '?'}`);
    }
  });
}

/** Lookups that take their terms unflattened (lists of lists), by their short name. */
export const LIST_LOOKUPS: Record<string, (terms: unknown[], ctx: LookupCtx) => unknown[]> = {
  sequence: (t) => sequence(t),
  together: (t) => together(t),
  nested: (t) => nested(t),
  subelements: (t) => subelements(t),
  flattened: (t) => flattened(t),
  fileglob: (t, ctx) => fileglob(t.flatMap(asTerm), ctx),
  first_found: (t, ctx) => firstFound(t, ctx),
  lines: (t, ctx) => lines(t.flatMap(asTerm), ctx),
  filetree: (t, ctx) => filetree(t.flatMap(asTerm), ctx),
  items: (t) => flat1(t),
  list: (t) => t,
  indexed_items: (t) => flat1(t).map((x, i) => tuple([i, x])),
  dict: (t) => t.flatMap((d) => {
    if (!isPlainObject(d)) throw new TsplayError('with_dict expects a dict');
    return Object.entries(d).map(([key, value]) => ({ key, value }));
  }),
};

/** The short name of a lookup (`ansible.builtin.sequence`, `community.general.flattened` → `sequence`, `flattened`). */
export function lookupName(name: string): string {
  return name.replace(/^(ansible\.builtin|ansible\.legacy|community\.general)\./, '');
}
