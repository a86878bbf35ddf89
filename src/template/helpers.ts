import path from 'node:path';
import { TsplayError } from '../errors.js';
import { quote } from '../util/quote.js';
import {
  compareOp, deepEqual, forbiddenError, isForbiddenName, ownGet, regexReplace, toText, truthy, typeName, versionTest,
} from './values.js';

/**
 * The helpers a template may call. Each gets its positional arguments (Handlebars' trailing
 * options object already stripped) and the hash (`key=value` pairs). Arity is checked when the
 * template is parsed, so `{{join}}` fails at load time, not on the tenth host.
 */
export interface HelperDef {
  min: number;
  max: number;
  fn: (args: unknown[], hash: Record<string, unknown>) => unknown;
}

const str = (name: string, v: unknown): string => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new TsplayError(`${name}: expected a string, got ${typeName(v)}`);
};

const cmp = (op: string): HelperDef => ({ min: 2, max: 2, fn: ([a, b]) => compareOp(a, b, op) });

export const HELPERS: Record<string, HelperDef> = {
  eq: { min: 2, max: 2, fn: ([a, b]) => deepEqual(a, b) },
  ne: { min: 2, max: 2, fn: ([a, b]) => !deepEqual(a, b) },
  lt: cmp('<'),
  gt: cmp('>'),
  le: cmp('<='),
  ge: cmp('>='),
  // Python's and/or: the deciding operand, so `{{or port 5060}}` works as a fallback too.
  and: { min: 1, max: Infinity, fn: (args) => args.find((a) => !truthy(a)) ?? args[args.length - 1] },
  or: { min: 1, max: Infinity, fn: (args) => args.find((a) => truthy(a)) ?? args[args.length - 1] },
  not: { min: 1, max: 1, fn: ([a]) => !truthy(a) },
  // Like Jinja's default(value, boolean=false): replaces an undefined value (also a falsy one
  // when the third argument is true). The first argument may be undefined; see ast.ts.
  default: {
    min: 2, max: 3,
    fn: ([v, fallback, falsy]) => (v === undefined || (truthy(falsy) && !truthy(v)) ? fallback : v),
  },
  defined: { min: 1, max: 1, fn: ([v]) => v !== undefined },
  join: {
    min: 1, max: 2,
    fn: ([list, sep]) => {
      if (!Array.isArray(list)) throw new TsplayError(`join: expected a list, got ${typeName(list)}`);
      return list.map(toText).join(sep === undefined ? '' : str('join', sep));
    },
  },
  split: {
    min: 1, max: 2,
    fn: ([s, sep]) => {
      const text = str('split', s);
      if (sep === undefined) return text.split(/\s+/).filter((p) => p !== '');
      return text.split(str('split', sep));
    },
  },
  lookup: {
    min: 2, max: 2,
    fn: ([obj, key]) => {
      const v = ownGet(obj, key);
      if (v === undefined) throw new TsplayError(`lookup: no key '${String(key)}' in ${typeName(obj)}`);
      return v;
    },
  },
  json: {
    min: 1, max: 2,
    fn: ([v, indent]) => JSON.stringify(v, null, typeof indent === 'number' ? indent : undefined),
  },
  upper: { min: 1, max: 1, fn: ([s]) => str('upper', s).toUpperCase() },
  lower: { min: 1, max: 1, fn: ([s]) => str('lower', s).toLowerCase() },
  trim: { min: 1, max: 1, fn: ([s]) => str('trim', s).trim() },
  replace: {
    min: 3, max: 3,
    fn: ([s, from, to]) => str('replace', s).split(str('replace', from)).join(str('replace', to)),
  },
  regex_replace: {
    min: 3, max: 3,
    fn: ([s, pattern, repl], hash) => {
      const flags = (truthy(hash.ignorecase) ? 'i' : '') + (truthy(hash.multiline) ? 'm' : '');
      return regexReplace(str('regex_replace', s), str('regex_replace', pattern), str('regex_replace', repl), flags);
    },
  },
  basename: { min: 1, max: 1, fn: ([p]) => path.posix.basename(str('basename', p)) },
  dirname: { min: 1, max: 1, fn: ([p]) => path.posix.dirname(str('dirname', p)) },
  version: { min: 2, max: 3, fn: ([a, b, op]) => versionTest(a, b, op ?? 'eq') },
  // Ansible's `| quote`: a value made safe to paste into a shell command (the one quoting helper).
  quote: { min: 1, max: 1, fn: ([v]) => quote(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : toText(v)) },
};

/** `lookup` as the optional first argument of `default`/`defined`: a missing key is undefined, not an error. */
export function lookupOptional(obj: unknown, key: unknown): unknown {
  if (typeof key === 'string' && isForbiddenName(key)) throw forbiddenError(key);
  return obj === undefined || obj === null ? undefined : ownGet(obj, key);
}

/** The block helpers Handlebars provides and we keep. */
export const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
