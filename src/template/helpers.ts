import { TsplayError } from '../errors.js';
import { FILTERS, TESTS } from './expr-funcs.js';
import { compareOp, deepEqual, forbiddenError, isForbiddenName, ownGet, truthy, typeName } from './values.js';

/**
 * The helpers a Handlebars template may call. Each gets its positional arguments (Handlebars'
 * trailing options object already stripped) and the hash (`key=value` pairs). Arity is checked
 * when the template is parsed, so `{{join}}` fails at load time, not on the tenth host. A helper
 * that does the job of a Jinja filter or test calls it (expr-funcs.ts): one function table.
 */
export interface HelperDef {
  min: number;
  max: number;
  fn: (args: unknown[], hash: Record<string, unknown>) => unknown;
}

const cmp = (op: string): HelperDef => ({ min: 2, max: 2, fn: ([a, b]) => compareOp(a, b, op) });

/** A helper that does a filter's job calls that filter: positional arguments after the value, the hash as keywords. */
const filter = (name: string, min: number, max: number): HelperDef => ({
  min, max, fn: ([v, ...args], hash) => FILTERS[name]!.fn(v, args, hash, { vars: {} }),
});
const testFn = (name: string, min: number, max: number): HelperDef => ({
  min, max, fn: ([v, ...args]) => TESTS[name]!.fn(v, args, {}, { vars: {} }),
});

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
  // Jinja's default(value, boolean=false): replaces an undefined value (also a falsy one when the
  // third argument is true). The first argument may be undefined; see ast.ts.
  default: filter('default', 2, 3),
  defined: testFn('defined', 1, 1),
  join: filter('join', 1, 2),
  split: filter('split', 1, 2),
  lookup: {
    min: 2, max: 2,
    fn: ([obj, key]) => {
      const v = ownGet(obj, key);
      if (v === undefined) throw new TsplayError(`lookup: no key '${String(key)}' in ${typeName(obj)}`);
      return v;
    },
  },
  // JavaScript's JSON (compact, or indented by the second argument); Jinja's is `| to_json`.
  json: {
    min: 1, max: 2,
    fn: ([v, indent]) => JSON.stringify(v, null, typeof indent === 'number' ? indent : undefined),
  },
  upper: filter('upper', 1, 1),
  lower: filter('lower', 1, 1),
  trim: filter('trim', 1, 1),
  replace: filter('replace', 3, 3),
  regex_replace: filter('regex_replace', 3, 3),
  basename: filter('basename', 1, 1),
  dirname: filter('dirname', 1, 1),
  version: testFn('version', 2, 3),
  // Ansible's `| quote`: a value made safe to paste into a shell command.
  quote: filter('quote', 1, 1),
};

/** `lookup` as the optional first argument of `default`/`defined`: a missing key is undefined, not an error. */
export function lookupOptional(obj: unknown, key: unknown): unknown {
  if (typeof key === 'string' && isForbiddenName(key)) throw forbiddenError(key);
  return obj === undefined || obj === null ? undefined : ownGet(obj, key);
}

/** The block helpers Handlebars provides and we keep. */
export const BLOCK_HELPERS = new Set(['if', 'unless', 'each', 'with']);
