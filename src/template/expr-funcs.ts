import path from 'node:path';
import { TsplayError } from '../errors.js';
import {
  deepEqual, isPlainObject, lengthOf, makeRegExp, order, pyStr, regexReplace, toBool, toFloat, toInt, toText,
  truthy, typeName, versionTest,
} from './values.js';

/**
 * Filters (`x | name(args)`) and tests (`x is name(args)`) of the `when:` language, with the
 * meaning Jinja/Ansible give them. Only `default`/`d` (filters) and `defined`/`undefined` (tests)
 * accept an undefined value; every other one makes an undefined input an error.
 */
export interface FuncDef {
  min: number;
  max: number;
  /** May receive an undefined input (represented as `undefined`). */
  undefinedOk?: boolean;
  fn: (v: unknown, args: unknown[]) => unknown;
}

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
  throw new TsplayError(`${name}: expected a number, got ${typeName(v)}`);
};
const sorted = (xs: unknown[]): unknown[] => [...xs].sort((a, b) => order(a, b, 'sort'));

const dflt: FuncDef = {
  min: 0, max: 2, undefinedOk: true,
  fn: (v, [fallback = '', falsy]) => (v === undefined || (truthy(falsy) && !truthy(v)) ? fallback : v),
};
const len: FuncDef = { min: 0, max: 0, fn: (v) => lengthOf(v) };

export const FILTERS: Record<string, FuncDef> = {
  int: { min: 0, max: 1, fn: (v, [d]) => toInt(v, d === undefined ? 0 : toInt(d)) },
  float: { min: 0, max: 1, fn: (v, [d]) => toFloat(v, d === undefined ? 0 : toFloat(d)) },
  bool: { min: 0, max: 0, fn: (v) => toBool(v) },
  string: { min: 0, max: 0, fn: (v) => pyStr(v) },
  length: len,
  count: len,
  default: dflt,
  d: dflt,
  lower: { min: 0, max: 0, fn: (v) => text('lower', v).toLowerCase() },
  upper: { min: 0, max: 0, fn: (v) => text('upper', v).toUpperCase() },
  trim: { min: 0, max: 0, fn: (v) => text('trim', v).trim() },
  list: { min: 0, max: 0, fn: (v) => [...list('list', v)] },
  first: { min: 0, max: 0, fn: (v) => list('first', v)[0] },
  last: { min: 0, max: 0, fn: (v) => list('last', v).at(-1) },
  join: { min: 0, max: 1, fn: (v, [sep = '']) => list('join', v).map(toText).join(text('join', sep)) },
  unique: {
    min: 0, max: 0,
    fn: (v) => list('unique', v).filter((x, i, xs) => xs.findIndex((y) => deepEqual(x, y)) === i),
  },
  sort: { min: 0, max: 0, fn: (v) => sorted(list('sort', v)) },
  min: { min: 0, max: 0, fn: (v) => sorted(list('min', v))[0] },
  max: { min: 0, max: 0, fn: (v) => sorted(list('max', v)).at(-1) },
  abs: { min: 0, max: 0, fn: (v) => Math.abs(num('abs', v)) },
  replace: {
    min: 2, max: 2,
    fn: (v, [a, b]) => text('replace', v).split(text('replace', a)).join(text('replace', b)),
  },
  split: {
    min: 0, max: 1,
    fn: (v, [sep]) => sep === undefined
      ? text('split', v).split(/\s+/).filter((p) => p !== '')
      : text('split', v).split(text('split', sep)),
  },
  regex_replace: {
    min: 2, max: 2,
    fn: (v, [p, r]) => regexReplace(text('regex_replace', v), text('regex_replace', p), text('regex_replace', r)),
  },
  basename: { min: 0, max: 0, fn: (v) => path.posix.basename(text('basename', v)) },
  dirname: { min: 0, max: 0, fn: (v) => path.posix.dirname(text('dirname', v)) },
};

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
const version: FuncDef = { min: 1, max: 2, fn: (v, [other, op]) => versionTest(v, other, op ?? 'eq') };
const regex = (anchored: boolean): FuncDef => ({
  min: 1, max: 1,
  fn: (v, [re]) => makeRegExp(anchored ? `^(?:${text('match', re)})` : text('search', re)).test(text('match', v)),
});

export const TESTS: Record<string, FuncDef> = {
  defined: { min: 0, max: 0, undefinedOk: true, fn: (v) => v !== undefined },
  undefined: { min: 0, max: 0, undefinedOk: true, fn: (v) => v === undefined },
  none: test((v) => v === null),
  succeeded: test(succeeded('succeeded')),
  success: test(succeeded('success')),
  failed: test(failed('failed')),
  failure: test(failed('failure')),
  changed: test(changed('changed')),
  change: test(changed('change')),
  skipped: test(skipped('skipped')),
  skip: test(skipped('skip')),
  version,
  version_compare: version,
  match: regex(true),
  search: regex(false),
  regex: regex(false),
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
};
