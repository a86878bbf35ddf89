import { createHash, randomInt } from 'node:crypto';
import { homedir } from 'node:os';
import path from 'node:path';
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { toBool, toBoolOrFalse } from '../util/bool.js';
import { load as yamlLoad } from 'js-yaml';
import { TsplayError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { lookupPlugin } from './lookups.js';
import { pyJson, pyYaml } from './pyformat.js';
import { sha512Crypt } from './crypt.js';
import { isUri, isUrl, isUrn } from './uri.js';
import { isDateTime, isTimeDelta, PyDateTime, strftime, strptime } from './datetime.js';
import {
  compareOp, contains, deepEqual, isPlainObject, lengthOf, makeRegExp, order, ownGet, pyStr, regexReplace,
  toFloat, toInt, truthy, tuple, typeName, versionTest,
} from './values.js';

/**
 * The one function table of the template language: filters (`x | name(args)`), tests
 * (`x is name(args)`), global functions (`range()`, `lookup()`) and the allow-listed methods of
 * Python's str/list/dict (`x.split(',')`), with the meaning Jinja2 and Ansible give them. `when:`,
 * `{{ }}`, `{% %}` and the Handlebars helpers (helpers.ts) all call these. Only `default`/`d`,
 * `mandatory` and the tests `defined`/`undefined` accept an undefined input.
 */
export interface CallCtx {
  vars: Vars;
  where?: Source;
}

export interface FuncDef {
  min: number;
  max: number;
  /** Keyword arguments it accepts (`map(attribute='x')`); 'any': every name. */
  kwargs?: string[] | 'any';
  /** May receive an undefined input (represented as `undefined`). */
  undefinedOk?: boolean;
  fn: (v: unknown, args: unknown[], kw: Record<string, unknown>, ctx: CallCtx) => unknown;
}

/** What `omit` evaluates to; renderDeep drops dict keys and list items with this value. */
export const OMIT = '__omit_place_holder__tsplay';

const text = (name: string, v: unknown): string => {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return pyStr(v);
  throw new TsplayError(`${name}: expected a string, got ${typeName(v)}`);
};
const list = (name: string, v: unknown): unknown[] => {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isPlainObject(v)) return Object.keys(v);
  throw new TsplayError(`${name}: expected a list, got ${typeName(v)}`);
};
const num = (name: string, v: unknown): number => {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new TsplayError(`${name}: expected a number, got ${typeName(v)}`);
};
const dict = (name: string, v: unknown): Record<string, unknown> => {
  if (isPlainObject(v)) return v;
  throw new TsplayError(`${name}: expected a dict, got ${typeName(v)}`);
};

/** Jinja's attribute lookup for filters (`attribute='a.b'`, `'0'`): dotted, integers index lists. */
function attrOf(v: unknown, attr: unknown): unknown {
  let cur = v;
  for (const part of String(attr).split('.')) {
    cur = ownGet(cur, /^\d+$/.test(part) ? Number(part) : part);
    if (cur === undefined) return undefined;
  }
  return cur;
}
const needAttr = (name: string, v: unknown, attr: unknown): unknown => {
  const r = attrOf(v, attr);
  if (r === undefined) throw new TsplayError(`${name}: '${typeName(v)} object' has no attribute '${String(attr)}'`);
  return r;
};

const sortKey = (caseSensitive: boolean) => (v: unknown): unknown => (!caseSensitive && typeof v === 'string' ? v.toLowerCase() : v);
function sorted(xs: unknown[], opts: { reverse?: unknown; attribute?: unknown; caseSensitive?: unknown } = {}): unknown[] {
  const key = sortKey(truthy(opts.caseSensitive));
  const get = (x: unknown): unknown => key(opts.attribute === undefined ? x : needAttr('sort', x, opts.attribute));
  const out = [...xs].sort((a, b) => order(get(a), get(b), 'sort'));
  return truthy(opts.reverse) ? out.reverse() : out;
}
const uniq = (xs: unknown[]): unknown[] => xs.filter((x, i) => xs.findIndex((y) => deepEqual(x, y)) === i);
const has = (xs: unknown[], x: unknown): boolean => xs.some((y) => deepEqual(x, y));

function flatten(xs: unknown[], levels: number | undefined, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const x of xs) {
    if (skipNulls && (x === null || x === 'None')) continue;
    if (Array.isArray(x) && (levels === undefined || levels > 0)) out.push(...flatten(x, levels === undefined ? undefined : levels - 1, skipNulls));
    else out.push(x);
  }
  return out;
}

function combine(dicts: unknown[], recursive: boolean, listMerge: string): Record<string, unknown> {
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) {
      const old = out[k];
      if (recursive && isPlainObject(old) && isPlainObject(v)) out[k] = merge(old, v);
      else if (Array.isArray(old) && Array.isArray(v) && listMerge !== 'replace') {
        out[k] = listMerge === 'append' ? [...old, ...v] : listMerge === 'prepend' ? [...v, ...old]
          : listMerge === 'append_rp' ? [...old.filter((x) => !has(v, x)), ...v] : [...v, ...old.filter((x) => !has(v, x))];
      } else out[k] = v;
    }
    return out;
  };
  return dicts.flatMap((d) => (Array.isArray(d) ? d : [d])).reduce<Record<string, unknown>>((a, d) => merge(a, dict('combine', d)), {});
}

/** Python's str.format / %-format for the `format` filter: {} {0} {name} and %s %d %r. */
function pyFormat(fmt: string, args: unknown[], kw: Record<string, unknown>): string {
  if (/%[-#0 +\d.]*[sdifrx]/.test(fmt) && !/\{\}/.test(fmt)) {
    let i = 0;
    return fmt.replace(/%([-#0 +]*)(\d+)?(?:\.(\d+))?([sdifrx%])/g, (_m, flags: string, width?: string, prec?: string, c?: string) => {
      if (c === '%') return '%';
      const v = args[i++];
      let s = c === 'd' || c === 'i' ? String(Math.trunc(num('format', v)))
        : c === 'f' ? num('format', v).toFixed(prec === undefined ? 6 : Number(prec))
          : c === 'x' ? Math.trunc(num('format', v)).toString(16)
            : c === 'r' ? JSON.stringify(v) : pyStr(v);
      if (width) s = flags.includes('-') ? s.padEnd(Number(width)) : s.padStart(Number(width), flags.includes('0') ? '0' : ' ');
      return s;
    });
  }
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}:!]*)(?::([^{}]*))?\}/g, (m, field?: string, spec?: string) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const v = field === '' || field === undefined ? args[auto++] : /^\d+$/.test(field) ? args[Number(field)] : kw[field];
    let s = pyStr(v);
    const sm = spec ? /^(.?[<>^])?(\d+)?(?:\.(\d+)f)?$/.exec(spec) : null;
    if (sm?.[3] !== undefined) s = num('format', v).toFixed(Number(sm[3]));
    if (sm?.[2]) {
      const w = Number(sm[2]);
      const align = sm[1]?.at(-1) ?? (typeof v === 'number' ? '>' : '<');
      const fill = sm[1] && sm[1].length === 2 ? sm[1][0]! : ' ';
      if (align === '<') s = s.padEnd(w, fill);
      else if (align === '>') s = s.padStart(w, fill);
      else {
        const left = Math.floor((w - s.length) / 2);
        s = s.padStart(s.length + Math.max(0, left), fill).padEnd(w, fill);
      }
    }
    return s;
  });
}

function regexFlags(kw: Record<string, unknown>): string {
  return (truthy(kw.ignorecase) ? 'i' : '') + (truthy(kw.multiline) ? 'm' : '');
}

/** Python regexes in JavaScript: (?P<name>…) and (?P=name) are spelled (?<name>…) and \k<name>. */
export const pyRegex = (p: string): string => p.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');

function regexSearch(s: string, pattern: string, groups: unknown[], kw: Record<string, unknown>): unknown {
  const m = makeRegExp(pyRegex(pattern), regexFlags(kw)).exec(s);
  if (!m) return '';
  if (groups.length === 0) return m[0];
  return groups.map((g) => {
    const gs = String(g);
    const n = /^\\(\d+)$/.exec(gs);
    if (n) return m[Number(n[1])] ?? null;
    const named = /^\\g<(\w+)>$/.exec(gs);
    if (named) return m.groups?.[named[1]!] ?? null;
    throw new TsplayError(`regex_search: unknown argument '${gs}'`);
  });
}

function regexFindall(s: string, pattern: string, kw: Record<string, unknown>): unknown[] {
  const re = makeRegExp(pyRegex(pattern), 'g' + regexFlags(kw));
  return [...s.matchAll(re)].map((m) => (m.length <= 1 ? m[0] : m.length === 2 ? m[1] ?? '' : m.slice(1).map((g) => g ?? '')));
}

function splitext(p: string): [string, string] {
  const base = path.posix.basename(p);
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || /^\.+$/.test(base.slice(0, dot + 1))) return [p, ''];
  const cut = p.length - (base.length - dot);
  return [p.slice(0, cut), p.slice(cut)];
}

function indent(s: string, width: unknown = 4, first: unknown = false, blank: unknown = false): string {
  const pad = typeof width === 'string' ? width : ' '.repeat(num('indent', width));
  const lines = s.split('\n');
  const out = lines.map((line, i) => {
    if (i === 0 && !truthy(first)) return line;
    if (line === '' && !truthy(blank)) return line;
    return pad + line;
  });
  return out.join('\n');
}

/** Ansible's `comment` filter (the plain style and the common styles by name). */
function comment(s: string, style: string, kw: Record<string, unknown>): string {
  const styles: Record<string, { beginning?: string; decoration: string; end?: string }> = {
    plain: { decoration: '# ' }, erlang: { decoration: '% ' }, c: { decoration: '// ' },
    cblock: { beginning: '/*', decoration: ' * ', end: ' */' }, xml: { beginning: '<!--', decoration: ' - ', end: '-->' },
  };
  const st = styles[style];
  if (!st) throw new TsplayError(`comment: unknown style '${style}'`);
  const decoration = kw.decoration !== undefined ? String(kw.decoration) : st.decoration;
  const prefix = kw.prefix !== undefined ? String(kw.prefix) : '\n';
  const prefixCount = kw.prefix_count !== undefined ? toInt(kw.prefix_count) : 1;
  const postfix = kw.postfix !== undefined ? String(kw.postfix) : '\n';
  const postfixCount = kw.postfix_count !== undefined ? toInt(kw.postfix_count) : 1;
  const beginning = kw.beginning !== undefined ? String(kw.beginning) : st.beginning;
  const end = kw.end !== undefined ? String(kw.end) : st.end;
  const deco = (line: string): string => (decoration + line).replace(/\s+$/, '') === decoration.trimEnd() && line === '' ? decoration.trimEnd() : decoration + line;
  const body = s.split('\n').map(deco).join('\n');
  const pre = prefix.split('\n').map((l) => (l === '' ? decoration.trimEnd() : decoration + l));
  let out = '';
  if (beginning) out += beginning + '\n';
  out += (pre.length > 1 ? Array(prefixCount).fill(decoration.trimEnd()).join('\n') + '\n' : '');
  out += body;
  const post = postfix.split('\n');
  out += post.length > 1 ? '\n' + Array(postfixCount).fill(decoration.trimEnd()).join('\n') : '';
  if (end) out += '\n' + end;
  return out;
}

function hashOf(v: unknown, algo: string): string {
  const known: Record<string, string> = { md5: 'md5', sha1: 'sha1', sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };
  const a = known[algo];
  if (!a) throw new TsplayError(`hash: unknown algorithm '${algo}'`);
  return createHash(a).update(text('hash', v), 'utf8').digest('hex');
}

const SALT_CHARS = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function passwordHash(v: unknown, scheme: unknown = 'sha512', salt?: unknown, rounds?: unknown): string {
  if (scheme !== 'sha512' && scheme !== 'sha512_crypt') throw new TsplayError(`password_hash: only sha512 is supported, not '${String(scheme)}'`);
  const s = salt === undefined || salt === null
    ? Array.from({ length: 16 }, () => SALT_CHARS[randomInt(SALT_CHARS.length)]).join('') : String(salt);
  return sha512Crypt(text('password_hash', v), s, rounds === undefined || rounds === null ? undefined : toInt(rounds));
}

/** Python's shlex.quote, as Ansible's `quote` filter: safe words as they are, else '…' with ' as '"'"'. */
function shlexQuote(s: string): string {
  if (s === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

function b64decode(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}

/** A filter applied by name from inside another (map('int'), select('match', 'x')). */
function applyFilter(name: unknown, v: unknown, args: unknown[], kw: Record<string, unknown>, ctx: CallCtx): unknown {
  const n = String(name);
  const def = Object.hasOwn(FILTERS, n) ? FILTERS[n]! : undefined;
  if (!def) throw new TsplayError(`unknown filter '${n}'`);
  return def.fn(v, args, kw, ctx);
}
function applyTest(name: unknown, v: unknown, args: unknown[], ctx: CallCtx): boolean {
  if (name === undefined) return truthy(v);
  const n = String(name);
  const def = Object.hasOwn(TESTS, n) ? TESTS[n]! : undefined;
  if (!def) throw new TsplayError(`unknown test '${n}'`);
  return truthy(def.fn(v, args, {}, ctx));
}

const dflt: FuncDef = {
  min: 0, max: 2, undefinedOk: true, kwargs: ['default_value', 'boolean'],
  fn: (v, args, kw) => {
    const fallback = args.length > 0 ? args[0] : kw.default_value ?? '';
    return v === undefined || (truthy(args[1] ?? kw.boolean) && !truthy(v)) ? fallback : v;
  },
};
const len: FuncDef = { min: 0, max: 0, fn: (v) => lengthOf(v) };
const simple = (fn: (v: unknown) => unknown): FuncDef => ({ min: 0, max: 0, fn });
const str1 = (name: string, fn: (s: string) => unknown): FuncDef => ({ min: 0, max: 0, fn: (v) => fn(text(name, v)) });

export const FILTERS: Record<string, FuncDef> = {
  default: dflt,
  d: dflt,
  mandatory: { min: 0, max: 1, fn: (v) => v },
  int: { min: 0, max: 2, kwargs: ['default', 'base'], fn: (v, [d, base], kw) => {
    const b = base ?? kw.base;
    if (b !== undefined && typeof v === 'string') {
      const n = Number.parseInt(v.trim().replace(/^0[xob]/i, ''), toInt(b));
      return Number.isNaN(n) ? toInt(d ?? kw.default ?? 0) : n;
    }
    return toInt(v, toInt(d ?? kw.default ?? 0));
  } },
  float: { min: 0, max: 1, fn: (v, [d]) => toFloat(v, d === undefined ? 0 : toFloat(d)) },
  bool: simple((v) => (v === null ? false : toBoolOrFalse(v))),
  string: simple((v) => pyStr(v)),
  abs: simple((v) => Math.abs(num('abs', v))),
  round: { min: 0, max: 2, kwargs: ['precision', 'method'], fn: (v, [p = 0, method = 'common']) => {
    const f = 10 ** toInt(p);
    const x = num('round', v) * f;
    const r = method === 'ceil' ? Math.ceil(x) : method === 'floor' ? Math.floor(x) : Math.sign(x) * Math.round(Math.abs(x));
    return r / f;
  } },
  length: len,
  count: len,
  lower: str1('lower', (s) => s.toLowerCase()),
  upper: str1('upper', (s) => s.toUpperCase()),
  capitalize: str1('capitalize', (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase()),
  title: str1('title', (s) => s.replace(/[A-Za-z0-9]+('[a-z]+)?/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())),
  trim: { min: 0, max: 1, fn: (v, [chars]) => {
    const s = text('trim', v);
    if (chars === undefined) return s.trim();
    const set = String(chars);
    let a = 0;
    let b = s.length;
    while (a < b && set.includes(s[a]!)) a++;
    while (b > a && set.includes(s[b - 1]!)) b--;
    return s.slice(a, b);
  } },
  replace: { min: 2, max: 3, fn: (v, [a, b, count]) => {
    const s = text('replace', v);
    const from = text('replace', a);
    const to = text('replace', b);
    if (count === undefined) return s.split(from).join(to);
    const parts = s.split(from);
    const n = toInt(count);
    return parts.slice(0, n + 1).join(to) + (parts.length > n + 1 ? from + parts.slice(n + 1).join(from) : '');
  } },
  regex_replace: {
    min: 0, max: 3, kwargs: ['ignorecase', 'multiline', 'count'],
    fn: (v, [p = '', r = ''], kw) => regexReplace(text('regex_replace', v), pyRegex(text('regex_replace', p)), text('regex_replace', r), regexFlags(kw)),
  },
  regex_search: {
    min: 1, max: Infinity, kwargs: ['ignorecase', 'multiline'],
    fn: (v, [p, ...groups], kw) => {
      const r = regexSearch(text('regex_search', v), text('regex_search', p), groups, kw);
      return r === '' ? null : r;
    },
  },
  regex_findall: { min: 1, max: 1, kwargs: ['ignorecase', 'multiline'], fn: (v, [p], kw) => regexFindall(text('regex_findall', v), text('regex_findall', p), kw) },
  regex_escape: simple((v) => text('regex_escape', v).replace(/[^A-Za-z0-9_]/g, '\\$&')),
  split: {
    min: 0, max: 2,
    fn: (v, [sep, max]) => {
      const s = text('split', v);
      const parts = sep === undefined || sep === null ? s.split(/\s+/).filter((p) => p !== '') : s.split(text('split', sep));
      if (max === undefined || toInt(max) < 0) return parts;
      const n = toInt(max);
      return parts.length > n + 1 ? [...parts.slice(0, n), parts.slice(n).join(sep === undefined ? ' ' : String(sep))] : parts;
    },
  },
  join: {
    min: 0, max: 1, kwargs: ['attribute'],
    fn: (v, [sep = ''], kw) => list('join', v).map((x) => pyStr(kw.attribute === undefined ? x : needAttr('join', x, kw.attribute))).join(text('join', sep)),
  },
  first: simple((v) => list('first', v)[0]),
  last: simple((v) => list('last', v).at(-1)),
  list: simple((v) => [...list('list', v)]),
  min: { min: 0, max: 0, kwargs: ['attribute', 'case_sensitive'], fn: (v, _a, kw) => sorted(list('min', v), { attribute: kw.attribute, caseSensitive: kw.case_sensitive })[0] },
  max: { min: 0, max: 0, kwargs: ['attribute', 'case_sensitive'], fn: (v, _a, kw) => sorted(list('max', v), { attribute: kw.attribute, caseSensitive: kw.case_sensitive }).at(-1) },
  sum: { min: 0, max: 2, kwargs: ['attribute', 'start'], fn: (v, [attribute, start], kw) => {
    const attr = attribute ?? kw.attribute;
    return list('sum', v).reduce<unknown>((acc, x) => {
      const val = attr === undefined ? x : needAttr('sum', x, attr);
      if (Array.isArray(acc) && Array.isArray(val)) return [...acc, ...val];
      return num('sum', acc) + num('sum', val);
    }, start ?? kw.start ?? 0);
  } },
  sort: {
    min: 0, max: 3, kwargs: ['reverse', 'case_sensitive', 'attribute'],
    fn: (v, [reverse, caseSensitive, attribute], kw) => sorted(list('sort', v), {
      reverse: reverse ?? kw.reverse, caseSensitive: caseSensitive ?? kw.case_sensitive, attribute: attribute ?? kw.attribute,
    }),
  },
  reverse: simple((v) => (typeof v === 'string' ? [...v].reverse().join('') : [...list('reverse', v)].reverse())),
  unique: { min: 0, max: 0, kwargs: ['case_sensitive', 'attribute'], fn: (v) => uniq(list('unique', v)) },
  union: { min: 1, max: 1, fn: (v, [o]) => uniq([...list('union', v), ...list('union', o)]) },
  intersect: { min: 1, max: 1, fn: (v, [o]) => uniq(list('intersect', v).filter((x) => has(list('intersect', o), x))) },
  difference: { min: 1, max: 1, fn: (v, [o]) => uniq(list('difference', v).filter((x) => !has(list('difference', o), x))) },
  symmetric_difference: { min: 1, max: 1, fn: (v, [o]) => {
    const a = list('symmetric_difference', v);
    const b = list('symmetric_difference', o);
    return uniq([...a.filter((x) => !has(b, x)), ...b.filter((x) => !has(a, x))]);
  } },
  flatten: { min: 0, max: 1, kwargs: ['levels', 'skip_nulls'], fn: (v, [levels], kw) => {
    const l = levels ?? kw.levels;
    return flatten(list('flatten', v), l === undefined || l === null ? undefined : toInt(l), kw.skip_nulls === undefined ? true : truthy(kw.skip_nulls));
  } },
  zip: { min: 0, max: Infinity, fn: (v, others) => {
    const lists = [list('zip', v), ...others.map((o) => list('zip', o))];
    const n = Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_x, i) => tuple(lists.map((l) => l[i])));
  } },
  // itertools.product, as Ansible's product filter: every combination, the first list outermost
  product: { min: 0, max: Infinity, kwargs: ['repeat'], fn: (v, others, kw) => {
    const lists = [list('product', v), ...others.map((o) => list('product', o))];
    const pools = Array.from({ length: kw.repeat === undefined ? 1 : toInt(kw.repeat) }, () => lists).flat();
    return pools.reduce<unknown[][]>((acc, pool) => acc.flatMap((combo) => pool.map((x) => [...combo, x])), [[]]).map(tuple);
  } },
  zip_longest: { min: 0, max: Infinity, kwargs: ['fillvalue'], fn: (v, others, kw) => {
    const lists = [list('zip_longest', v), ...others.map((o) => list('zip_longest', o))];
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_x, i) => tuple(lists.map((l) => (i < l.length ? l[i] : kw.fillvalue ?? null))));
  } },
  dict2items: { min: 0, max: 0, kwargs: ['key_name', 'value_name'], fn: (v, _a, kw) =>
    Object.entries(dict('dict2items', v)).map(([k, x]) => ({ [String(kw.key_name ?? 'key')]: k, [String(kw.value_name ?? 'value')]: x })) },
  items2dict: { min: 0, max: 0, kwargs: ['key_name', 'value_name'], fn: (v, _a, kw) => {
    const out: Record<string, unknown> = {};
    for (const item of list('items2dict', v)) out[pyStr(needAttr('items2dict', item, kw.key_name ?? 'key'))] = needAttr('items2dict', item, kw.value_name ?? 'value');
    return out;
  } },
  dict: simple((v) => {
    const out: Record<string, unknown> = {};
    for (const pair of list('dict', v)) {
      const p = list('dict', pair);
      out[pyStr(p[0])] = p[1];
    }
    return out;
  }),
  items: simple((v) => Object.entries(dict('items', v)).map(tuple)),
  dictsort: { min: 0, max: 3, kwargs: ['case_sensitive', 'by', 'reverse'], fn: (v, [cs, by, rev], kw) => {
    const byValue = (by ?? kw.by) === 'value';
    const key = sortKey(truthy(cs ?? kw.case_sensitive));
    const out = Object.entries(dict('dictsort', v)).sort((a, b) => order(key(a[byValue ? 1 : 0]), key(b[byValue ? 1 : 0]), 'dictsort'));
    return (truthy(rev ?? kw.reverse) ? out.reverse() : out).map(tuple);
  } },
  combine: { min: 0, max: Infinity, kwargs: ['recursive', 'list_merge'], fn: (v, others, kw) =>
    combine([v, ...others], truthy(kw.recursive), String(kw.list_merge ?? 'replace')) },
  map: { min: 0, max: Infinity, kwargs: ['attribute', 'default'], fn: (v, [name, ...args], kw, ctx) => list('map', v).map((x) => {
    if (kw.attribute !== undefined) {
      const r = attrOf(x, kw.attribute);
      if (r !== undefined) return r;
      if ('default' in kw) return kw.default;
      throw new TsplayError(`map: '${typeName(x)} object' has no attribute '${String(kw.attribute)}'`);
    }
    return applyFilter(name, x, args, {}, ctx);
  }) },
  select: { min: 0, max: Infinity, fn: (v, [name, ...args], _kw, ctx) => list('select', v).filter((x) => applyTest(name, x, args, ctx)) },
  reject: { min: 0, max: Infinity, fn: (v, [name, ...args], _kw, ctx) => list('reject', v).filter((x) => !applyTest(name, x, args, ctx)) },
  selectattr: { min: 1, max: Infinity, fn: (v, [attr, name, ...args], _kw, ctx) =>
    list('selectattr', v).filter((x) => { const a = attrOf(x, attr); return a !== undefined && applyTest(name, a, args, ctx) || (name === 'undefined' && a === undefined); }) },
  rejectattr: { min: 1, max: Infinity, fn: (v, [attr, name, ...args], _kw, ctx) =>
    list('rejectattr', v).filter((x) => { const a = attrOf(x, attr); return name === 'defined' ? a === undefined : !(a !== undefined && applyTest(name, a, args, ctx)); }) },
  ternary: { min: 1, max: 3, fn: (v, [yes, no = false, none]) => (v === null && none !== undefined ? none : truthy(v) ? yes : no) },
  quote: simple((v) => shlexQuote(v === null || v === undefined ? '' : pyStr(v))),
  to_json: { min: 0, max: 0, kwargs: ['indent', 'sort_keys', 'ensure_ascii', 'separators'], fn: (v, _a, kw) => pyJson(v, {
    indent: kw.indent === undefined ? undefined : toInt(kw.indent), sortKeys: truthy(kw.sort_keys),
    ascii: kw.ensure_ascii === undefined ? true : truthy(kw.ensure_ascii),
    separators: Array.isArray(kw.separators) ? [String(kw.separators[0]), String(kw.separators[1])] : undefined,
  }) },
  to_nice_json: { min: 0, max: 0, kwargs: ['indent', 'sort_keys'], fn: (v, _a, kw) =>
    pyJson(v, { indent: kw.indent === undefined ? 4 : toInt(kw.indent), sortKeys: kw.sort_keys === undefined ? true : truthy(kw.sort_keys), separators: [',', ': '], ascii: true }) },
  from_json: simple((v) => {
    try {
      return JSON.parse(text('from_json', v));
    } catch (e) {
      throw new TsplayError(`from_json: ${(e as Error).message}`);
    }
  }),
  to_yaml: { min: 0, max: 0, kwargs: ['indent', 'default_flow_style'], fn: (v, _a, kw) =>
    pyYaml(v, { indent: kw.indent === undefined ? 2 : toInt(kw.indent), flowLeaves: kw.default_flow_style !== false }) },
  to_nice_yaml: { min: 0, max: 0, kwargs: ['indent'], fn: (v, _a, kw) => pyYaml(v, { indent: kw.indent === undefined ? 4 : toInt(kw.indent) }) },
  from_yaml: simple((v) => {
    try {
      return yamlLoad(text('from_yaml', v));
    } catch (e) {
      throw new TsplayError(`from_yaml: ${(e as Error).message.split('\n')[0]}`);
    }
  }),
  b64encode: str1('b64encode', (s) => Buffer.from(s, 'utf8').toString('base64')),
  b64decode: str1('b64decode', b64decode),
  hash: { min: 0, max: 1, fn: (v, [algo = 'sha1']) => hashOf(v, String(algo)) },
  checksum: simple((v) => hashOf(v, 'sha1')),
  md5: simple((v) => hashOf(v, 'md5')),
  sha1: simple((v) => hashOf(v, 'sha1')),
  password_hash: { min: 0, max: 3, kwargs: ['salt', 'rounds'], fn: (v, [scheme, salt, rounds], kw) => passwordHash(v, scheme, salt ?? kw.salt, rounds ?? kw.rounds) },
  basename: str1('basename', (s) => path.posix.basename(s)),
  dirname: str1('dirname', (s) => path.posix.dirname(s)),
  splitext: str1('splitext', (s) => tuple(splitext(s))),
  expanduser: str1('expanduser', (s) => (s === '~' || s.startsWith('~/') ? homedir() + s.slice(1) : s)),
  realpath: str1('realpath', (s) => {
    try {
      return realpathSync(s);
    } catch {
      return path.resolve(s);
    }
  }),
  indent: { min: 0, max: 3, kwargs: ['width', 'first', 'blank'], fn: (v, [w, f, b], kw) => indent(text('indent', v), w ?? kw.width ?? 4, f ?? kw.first, b ?? kw.blank) },
  comment: { min: 0, max: 1, kwargs: ['decoration', 'prefix', 'prefix_count', 'postfix', 'postfix_count', 'beginning', 'end'], fn: (v, [style = 'plain'], kw) => comment(text('comment', v), String(style), kw) },
  format: { min: 0, max: Infinity, kwargs: 'any', fn: (v, args, kw) => pyFormat(text('format', v), args, kw) },
  center: { min: 0, max: 1, fn: (v, [w = 80]) => {
    const s = text('center', v);
    const total = Math.max(0, toInt(w) - s.length);
    const left = Math.floor(total / 2) + (total % 2 && toInt(w) % 2 ? 1 : 0);
    return ' '.repeat(left) + s + ' '.repeat(total - left);
  } },
  wordcount: str1('wordcount', (s) => (s.match(/\w+/g) ?? []).length),
  random: { min: 0, max: 2, kwargs: ['start', 'step', 'seed'], fn: (v, _a, kw) => {
    if (typeof v === 'number') {
      const start = toInt(kw.start ?? 0);
      const step = toInt(kw.step ?? 1);
      const n = Math.ceil((v - start) / step);
      return start + randomInt(Math.max(1, n)) * step;
    }
    const xs = list('random', v);
    return xs[randomInt(xs.length)];
  } },
  shuffle: { min: 0, max: 0, kwargs: ['seed'], fn: (v) => {
    const xs = [...list('shuffle', v)];
    for (let i = xs.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  } },
  version_compare: { min: 1, max: 2, fn: (v, [other, op]) => versionTest(v, other, op ?? 'eq') },
  // Ansible's: '2016-06-06 20:00:00' | to_datetime, and '%Y-%m-%d' | strftime(epoch, utc=false) (time.strftime: no %f)
  to_datetime: { min: 0, max: 1, kwargs: ['format'], fn: (v, [fmt], kw) => strptime(text('to_datetime', v), String(fmt ?? kw.format ?? '%Y-%m-%d %H:%M:%S')) },
  strftime: { min: 0, max: 2, kwargs: ['second', 'utc'], fn: (v, [second, utc], kw) => {
    const s = second ?? kw.second;
    const at = s === undefined || s === null ? Date.now() / 1000 : toFloat(s, NaN);
    if (Number.isNaN(at)) throw new TsplayError(`strftime: Invalid value for epoch value (${pyStr(s)})`);
    return strftime(PyDateTime.fromEpoch(Math.floor(at), truthy(utc ?? kw.utc)), text('strftime', v), true);
  } },
  type_debug: simple((v) => ({ str: 'str', int: 'int', float: 'float', bool: 'bool', None: 'NoneType', list: 'list', dict: 'dict' } as Record<string, string>)[typeName(v)] ?? typeName(v)),
  subelements: { min: 1, max: 2, fn: (v, [key, skipMissing]) => list('subelements', v).flatMap((x) => {
    const sub = attrOf(x, key);
    if (sub === undefined) {
      if (truthy(isPlainObject(skipMissing) ? skipMissing.skip_missing : skipMissing)) return [];
      throw new TsplayError(`subelements: could not find '${String(key)}' key in iterated item`);
    }
    return list('subelements', sub).map((s) => [x, s]);
  }) },
};

// ---------------------------------------------------------------- tests

/** A registered result (`register: r`) as the result tests need it. */
function result(test: string, v: unknown): Record<string, unknown> {
  if (!isPlainObject(v)) throw new TsplayError(`the '${test}' test needs a registered result, got ${typeName(v)}`);
  return v;
}
const failed = (name: string) => (v: unknown): boolean => truthy(result(name, v).failed);
const succeeded = (name: string) => (v: unknown): boolean => !truthy(result(name, v).failed);
const changed = (name: string) => (v: unknown): boolean => {
  const r = result(name, v);
  const loop = Array.isArray(r.results) ? r.results : [];
  return truthy(r.changed) || loop.some((x) => isPlainObject(x) && truthy(x.changed));
};
const skipped = (name: string) => (v: unknown): boolean => truthy(result(name, v).skipped);
const test = (fn: (v: unknown) => boolean): FuncDef => ({ min: 0, max: 0, fn });
const version: FuncDef = { min: 1, max: 3, kwargs: ['operator', 'strict', 'version_type'], fn: (v, [other, op], kw) => versionTest(v, other, op ?? kw.operator ?? 'eq') };
const regex = (kind: 'match' | 'search'): FuncDef => ({
  min: 1, max: 1, kwargs: ['ignorecase', 'multiline'],
  fn: (v, [re], kw) => makeRegExp(kind === 'match' ? `^(?:${pyRegex(text(kind, re))})` : pyRegex(text(kind, re)), regexFlags(kw)).test(text(kind, v)),
});
const cmpTest = (op: string): FuncDef => ({ min: 1, max: 1, fn: (v, [o]) => compareOp(v, o, op) });
const subset = (a: unknown, b: unknown): boolean => list('subset', a).every((x) => has(list('subset', b), x));

export const TESTS: Record<string, FuncDef> = {
  defined: { min: 0, max: 0, undefinedOk: true, fn: (v) => v !== undefined },
  undefined: { min: 0, max: 0, undefinedOk: true, fn: (v) => v === undefined },
  none: test((v) => v === null),
  succeeded: test(succeeded('succeeded')),
  success: test(succeeded('success')),
  successful: test(succeeded('successful')),
  failed: test(failed('failed')),
  failure: test(failed('failure')),
  changed: test(changed('changed')),
  change: test(changed('change')),
  skipped: test(skipped('skipped')),
  skip: test(skipped('skip')),
  finished: test((v) => !truthy(result('finished', v).finished === 0)),
  version,
  version_compare: version,
  match: regex('match'),
  search: regex('search'),
  regex: regex('search'),
  string: test((v) => typeof v === 'string'),
  number: test((v) => typeof v === 'number'),
  integer: test((v) => typeof v === 'number' && Number.isInteger(v)),
  float: test((v) => typeof v === 'number' && !Number.isInteger(v)),
  boolean: test((v) => typeof v === 'boolean'),
  true: test((v) => v === true),
  false: test((v) => v === false),
  mapping: test(isPlainObject),
  // Jinja's sequence/iterable: strings, lists and dicts all qualify.
  sequence: test((v) => typeof v === 'string' || Array.isArray(v) || isPlainObject(v)),
  iterable: test((v) => typeof v === 'string' || Array.isArray(v) || isPlainObject(v)),
  lower: test((v) => typeof v === 'string' && v === v.toLowerCase()),
  upper: test((v) => typeof v === 'string' && v === v.toUpperCase()),
  odd: test((v) => toInt(v) % 2 !== 0),
  even: test((v) => toInt(v) % 2 === 0),
  divisibleby: { min: 1, max: 1, fn: (v, [n]) => num('divisibleby', v) % num('divisibleby', n) === 0 },
  in: { min: 1, max: 1, fn: (v, [c]) => contains(c, v) },
  contains: { min: 1, max: 1, fn: (v, [x]) => contains(v, x) },
  sameas: { min: 1, max: 1, fn: (v, [o]) => v === o },
  eq: cmpTest('=='), equalto: cmpTest('=='), '==': cmpTest('=='),
  ne: cmpTest('!='), '!=': cmpTest('!='),
  lt: cmpTest('<'), lessthan: cmpTest('<'), '<': cmpTest('<'),
  le: cmpTest('<='), '<=': cmpTest('<='),
  gt: cmpTest('>'), greaterthan: cmpTest('>'), '>': cmpTest('>'),
  ge: cmpTest('>='), '>=': cmpTest('>='),
  subset: { min: 1, max: 1, fn: (v, [o]) => subset(v, o) },
  superset: { min: 1, max: 1, fn: (v, [o]) => subset(o, v) },
  any: test((v) => list('any', v).some(truthy)),
  all: test((v) => list('all', v).every(truthy)),
  abs: test((v) => typeof v === 'string' && v.startsWith('/')),
  // Ansible's truthy/falsy: Python's bool(), after Ansible's boolean() with convert_bool ('yes' → true)
  truthy: { min: 0, max: 1, kwargs: ['convert_bool'], fn: (v, [cb], kw) => truthy(convertBool(v, cb ?? kw.convert_bool)) },
  falsy: { min: 0, max: 1, kwargs: ['convert_bool'], fn: (v, [cb], kw) => !truthy(convertBool(v, cb ?? kw.convert_bool)) },
  // Ansible's path tests, evaluated on the controller as Ansible evaluates them (~ expanded)
  exists: test((v) => pathStat(v, 'exists', true) !== undefined),
  file: test((v) => pathStat(v, 'file', true)?.isFile() === true),
  directory: test((v) => pathStat(v, 'directory', true)?.isDirectory() === true),
  link: test((v) => pathStat(v, 'link', false)?.isSymbolicLink() === true),
  uri: { min: 0, max: 1, kwargs: ['schemes'], fn: (v, [s], kw) => isUri(v, s ?? kw.schemes) },
  url: { min: 0, max: 1, kwargs: ['schemes'], fn: (v, [s], kw) => isUrl(v, s ?? kw.schemes) },
  urn: test(isUrn),
};

function convertBool(v: unknown, convert: unknown): unknown {
  return truthy(convert) ? (toBool(v) ?? v) : v;
}

/** stat (or lstat) of a controller path for the path tests; undefined when there is nothing there. */
function pathStat(v: unknown, name: string, follow: boolean): Stats | undefined {
  const p = text(name, v);
  const full = p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : p;
  try {
    return follow ? statSync(full) : lstatSync(full);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- global functions

function range(args: unknown[]): number[] {
  const [a, b, c] = args.map((x) => num('range', x));
  const [start, stop, step] = b === undefined ? [0, a!, 1] : [a!, b, c ?? 1];
  if (step === 0) throw new TsplayError('range: step must not be zero');
  const out: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
    out.push(i);
    if (out.length > 1_000_000) throw new TsplayError('range: more than 1,000,000 items');
  }
  return out;
}

export const GLOBALS: Record<string, FuncDef> = {
  // Ansible's now(utc=False, fmt=None): a datetime, or with fmt its strftime text.
  now: { min: 0, max: 2, kwargs: ['utc', 'fmt'], fn: (_v, [utc, fmt], kw) => {
    const d = PyDateTime.now(truthy(utc ?? kw.utc));
    const f = fmt ?? kw.fmt;
    return truthy(f) ? strftime(d, text('now', f)) : d;
  } },
  range: { min: 1, max: 3, fn: (_v, args) => range(args) },
  lookup: { min: 1, max: Infinity, kwargs: ['wantlist', 'errors', 'default', 'split_lines', 'lstrip', 'rstrip'], fn: (_v, [name, ...terms], kw, ctx) => {
    const r = lookupPlugin(String(name), terms, kw, ctx);
    return truthy(kw.wantlist) ? r : r.length === 1 ? r[0] : r.map((x) => pyStr(x)).join(',');
  } },
  query: { min: 1, max: Infinity, kwargs: ['errors', 'default', 'split_lines', 'lstrip', 'rstrip'], fn: (_v, [name, ...terms], kw, ctx) => lookupPlugin(String(name), terms, kw, ctx) },
  q: { min: 1, max: Infinity, kwargs: ['errors', 'default', 'split_lines', 'lstrip', 'rstrip'], fn: (_v, [name, ...terms], kw, ctx) => lookupPlugin(String(name), terms, kw, ctx) },
  dict: { min: 0, max: 1, kwargs: 'any', fn: (_v, [pairs], kw) => ({ ...(pairs === undefined ? {} : FILTERS.dict!.fn(pairs, [], {}, _ctx0) as object), ...kw }) },
};
const _ctx0: CallCtx = { vars: {} };

/** Marks dicts made by namespace(), the only values a template may assign attributes to ({% set ns.x = … %}). */
export const NS = Symbol('tsplay.namespace');
GLOBALS.namespace = { min: 0, max: 0, kwargs: 'any', fn: (_v, _a, kw) => Object.defineProperty({ ...kw }, NS, { value: true }) };

// ---------------------------------------------------------------- methods of str, list and dict

function dateOf(name: string, v: unknown): PyDateTime {
  if (!isDateTime(v)) throw new TsplayError(`'${typeName(v)}' object has no method '${name}'`);
  return v;
}
function strOf(name: string, v: unknown): string {
  if (typeof v !== 'string') throw new TsplayError(`'${typeName(v)}' object has no method '${name}'`);
  return v;
}
const strMethod = (name: string, min: number, max: number, fn: (s: string, args: unknown[]) => unknown): FuncDef =>
  ({ min, max, fn: (v, args) => fn(strOf(name, v), args) });
function strip(s: string, chars: unknown, left: boolean, right: boolean): string {
  if (chars === undefined || chars === null) return left && right ? s.trim() : left ? s.trimStart() : s.trimEnd();
  const set = String(chars);
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.includes(s[a]!)) a++;
  if (right) while (b > a && set.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}
const startsEnds = (kind: 'start' | 'end') => (s: string, [p]: unknown[]): boolean => {
  const prefixes = Array.isArray(p) ? p.map(String) : [String(p)];
  return prefixes.some((x) => (kind === 'start' ? s.startsWith(x) : s.endsWith(x)));
};

/** Called on the value it belongs to; for each name, which types it exists on is checked at run time. */
export const METHODS: Record<string, FuncDef> = {
  split: strMethod('split', 0, 2, (s, [sep, max]) => FILTERS.split!.fn(s, [sep ?? undefined, max], {}, _ctx0)),
  rsplit: strMethod('rsplit', 0, 2, (s, [sep, max]) => {
    const parts = sep === undefined || sep === null ? s.split(/\s+/).filter((p) => p !== '') : s.split(String(sep));
    if (max === undefined || toInt(max) < 0 || parts.length <= toInt(max) + 1) return parts;
    const cut = parts.length - toInt(max);
    return [parts.slice(0, cut).join(sep === undefined ? ' ' : String(sep)), ...parts.slice(cut)];
  }),
  splitlines: strMethod('splitlines', 0, 1, (s) => s.split(/\r\n|\r|\n/).filter((l, i, a) => !(i === a.length - 1 && l === ''))),
  strip: strMethod('strip', 0, 1, (s, [c]) => strip(s, c, true, true)),
  lstrip: strMethod('lstrip', 0, 1, (s, [c]) => strip(s, c, true, false)),
  rstrip: strMethod('rstrip', 0, 1, (s, [c]) => strip(s, c, false, true)),
  lower: strMethod('lower', 0, 0, (s) => s.toLowerCase()),
  upper: strMethod('upper', 0, 0, (s) => s.toUpperCase()),
  title: strMethod('title', 0, 0, (s) => FILTERS.title!.fn(s, [], {}, _ctx0)),
  capitalize: strMethod('capitalize', 0, 0, (s) => FILTERS.capitalize!.fn(s, [], {}, _ctx0)),
  startswith: strMethod('startswith', 1, 1, startsEnds('start')),
  endswith: strMethod('endswith', 1, 1, startsEnds('end')),
  replace: strMethod('replace', 2, 3, (s, args) => FILTERS.replace!.fn(s, args, {}, _ctx0)),
  find: strMethod('find', 1, 1, (s, [x]) => s.indexOf(String(x))),
  count: { min: 1, max: 1, fn: (v, [x]) => (typeof v === 'string' ? v.split(String(x)).length - 1 : list('count', v).filter((y) => deepEqual(x, y)).length) },
  isdigit: strMethod('isdigit', 0, 0, (s) => /^\d+$/.test(s)),
  isalpha: strMethod('isalpha', 0, 0, (s) => /^[A-Za-z]+$/.test(s)),
  isalnum: strMethod('isalnum', 0, 0, (s) => /^[A-Za-z0-9]+$/.test(s)),
  zfill: strMethod('zfill', 1, 1, (s, [w]) => (/^[-+]/.test(s) ? s[0] + s.slice(1).padStart(toInt(w) - 1, '0') : s.padStart(toInt(w), '0'))),
  ljust: strMethod('ljust', 1, 2, (s, [w, f = ' ']) => s.padEnd(toInt(w), String(f))),
  rjust: strMethod('rjust', 1, 2, (s, [w, f = ' ']) => s.padStart(toInt(w), String(f))),
  join: strMethod('join', 1, 1, (s, [xs]) => list('join', xs).map((x) => text('join', x)).join(s)),
  format: { min: 0, max: Infinity, kwargs: 'any', fn: (v, args, kw) => pyFormat(strOf('format', v), args, kw) },
  keys: { min: 0, max: 0, fn: (v) => Object.keys(dict('keys', v)) },
  values: { min: 0, max: 0, fn: (v) => Object.values(dict('values', v)) },
  items: { min: 0, max: 0, fn: (v) => Object.entries(dict('items', v)).map(tuple) },
  get: { min: 1, max: 2, fn: (v, [k, d = null]) => {
    const r = ownGet(dict('get', v), k);
    return r === undefined ? d : r;
  } },
  strftime: { min: 1, max: 1, fn: (v, [fmt]) => strftime(dateOf('strftime', v), text('strftime', fmt)) },
  isoformat: { min: 0, max: 1, fn: (v, [sep]) => dateOf('isoformat', v).isoformat(sep === undefined ? 'T' : text('isoformat', sep)) },
  timestamp: { min: 0, max: 0, fn: (v) => dateOf('timestamp', v).timestamp() },
  weekday: { min: 0, max: 0, fn: (v) => dateOf('weekday', v).weekday() },
  isoweekday: { min: 0, max: 0, fn: (v) => dateOf('isoweekday', v).weekday() + 1 },
  total_seconds: { min: 0, max: 0, fn: (v) => {
    if (!isTimeDelta(v)) throw new TsplayError(`'${typeName(v)}' object has no method 'total_seconds'`);
    return v.total_seconds();
  } },
  index: { min: 1, max: 1, fn: (v, [x]) => {
    const i = typeof v === 'string' ? v.indexOf(String(x)) : list('index', v).findIndex((y) => deepEqual(x, y));
    if (i < 0) throw new TsplayError(`index: ${pyStr(x)} is not in ${typeName(v)}`);
    return i;
  } },
};
