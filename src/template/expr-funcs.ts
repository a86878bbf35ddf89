import { TsplayError } from '../errors.js';
import { toBoolOrFalse } from '../util/bool.js';
import { PyDateTime, strftime } from './datetime.js';
import { COLLECTION_FILTERS } from './filters-collections.js';
import { DATA_FILTERS } from './filters-data.js';
import { DATETIME_FILTERS } from './filters-datetime.js';
import { IPADDR_FILTERS } from './filters-ipaddr.js';
import { MATH_FILTERS } from './filters-math.js';
import { PATH_FILTERS } from './filters-path.js';
import { STRING_FILTERS } from './filters-string.js';
import { attrOf, list, NO_CTX, num, simple, text, type CallCtx, type FuncDef } from './func-args.js';
import { TESTS } from './expr-tests.js';
import { lookupPlugin } from './lookups.js';
import { pyStr, truthy, typeName } from './values.js';

export type { CallCtx, FuncDef } from './func-args.js';
export { TESTS } from './expr-tests.js';
export { METHODS } from './expr-methods.js';

/**
 * The one function table of the template language: filters (`x | name(args)`), tests
 * (`x is name(args)`), global functions (`range()`, `lookup()`) and the allow-listed methods of
 * Python's str/list/dict (`x.split(',')`), with the meaning Jinja2 and Ansible give them. `when:`,
 * `{{ }}`, `{% %}` and the Handlebars helpers (helpers.ts) all call these. Only `default`/`d`,
 * `mandatory` and the tests `defined`/`undefined` accept an undefined input.
 *
 * The table is assembled here from its families (filters-*.ts, expr-tests.ts, expr-methods.ts);
 * the filters that apply others by name (map, select…) and the global functions live here with it.
 */

/** What `omit` evaluates to; renderDeep drops dict keys and list items with this value. */
export const OMIT = '__omit_place_holder__tsplay';

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

export const FILTERS: Record<string, FuncDef> = {
  default: dflt,
  d: dflt,
  mandatory: { min: 0, max: 1, fn: (v) => v },
  bool: simple((v) => (v === null ? false : toBoolOrFalse(v))),
  string: simple((v) => pyStr(v)),
  type_debug: simple((v) => ({ str: 'str', int: 'int', float: 'float', bool: 'bool', None: 'NoneType', list: 'list', dict: 'dict' } as Record<string, string>)[typeName(v)] ?? typeName(v)),
  // Ansible's ternary touches only the value it returns (a RedHat-only branch may read an undefined key)
  ternary: { min: 1, max: 3, undefinedArgsOk: true, fn: (v, [yes, no = false, none]) => (v === null && none !== undefined ? none : truthy(v) ? yes : no) },
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
  ...MATH_FILTERS,
  ...STRING_FILTERS,
  ...COLLECTION_FILTERS,
  ...DATA_FILTERS,
  ...PATH_FILTERS,
  ...DATETIME_FILTERS,
  ...IPADDR_FILTERS,
};

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

/** The keywords every lookup plugin call takes (lookup() also takes wantlist). */
const LOOKUP_KWARGS = ['errors', 'default', 'split_lines', 'lstrip', 'rstrip'];
const query: FuncDef = { min: 1, max: Infinity, kwargs: LOOKUP_KWARGS, fn: (_v, [name, ...terms], kw, ctx) => lookupPlugin(String(name), terms, kw, ctx) };

export const GLOBALS: Record<string, FuncDef> = {
  // Ansible's now(utc=False, fmt=None): a datetime, or with fmt its strftime text.
  now: { min: 0, max: 2, kwargs: ['utc', 'fmt'], fn: (_v, [utc, fmt], kw) => {
    const d = PyDateTime.now(truthy(utc ?? kw.utc));
    const f = fmt ?? kw.fmt;
    return truthy(f) ? strftime(d, text('now', f)) : d;
  } },
  range: { min: 1, max: 3, fn: (_v, args) => range(args) },
  lookup: { min: 1, max: Infinity, kwargs: ['wantlist', ...LOOKUP_KWARGS], fn: (_v, [name, ...terms], kw, ctx) => {
    const r = lookupPlugin(String(name), terms, kw, ctx);
    return truthy(kw.wantlist) ? r : r.length === 1 ? r[0] : r.map((x) => pyStr(x)).join(',');
  } },
  query,
  q: query,
  dict: { min: 0, max: 1, kwargs: 'any', fn: (_v, [pairs], kw) => ({ ...(pairs === undefined ? {} : FILTERS.dict!.fn(pairs, [], {}, NO_CTX) as object), ...kw }) },
};

/** Marks dicts made by namespace(), the only values a template may assign attributes to ({% set ns.x = … %}). */
export const NS = Symbol('tsplay.namespace');

GLOBALS.namespace = { min: 0, max: 0, kwargs: 'any', fn: (_v, _a, kw) => Object.defineProperty({ ...kw }, NS, { value: true }) };
