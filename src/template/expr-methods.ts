import { TsplayError } from '../errors.js';
import { isDateTime, isTimeDelta, strftime, type PyDateTime } from './datetime.js';
import { pyFormat, STRING_FILTERS } from './filters-string.js';
import { dict, list, NO_CTX, text, type FuncDef } from './func-args.js';
import { deepEqual, ownGet, pyStr, toInt, tuple, typeName } from './values.js';

/** The allow-listed methods of Python's str, list, dict and datetime (`x.split(',')`, `d.get('k')`). */

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
  split: strMethod('split', 0, 2, (s, [sep, max]) => STRING_FILTERS.split!.fn(s, [sep ?? undefined, max], {}, NO_CTX)),
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
  title: strMethod('title', 0, 0, (s) => STRING_FILTERS.title!.fn(s, [], {}, NO_CTX)),
  capitalize: strMethod('capitalize', 0, 0, (s) => STRING_FILTERS.capitalize!.fn(s, [], {}, NO_CTX)),
  startswith: strMethod('startswith', 1, 1, startsEnds('start')),
  endswith: strMethod('endswith', 1, 1, startsEnds('end')),
  replace: strMethod('replace', 2, 3, (s, args) => STRING_FILTERS.replace!.fn(s, args, {}, NO_CTX)),
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
