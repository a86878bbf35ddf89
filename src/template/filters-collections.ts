import { randomInt } from 'node:crypto';
import { TsplayError } from '../errors.js';
import { attrOf, dict, list, needAttr, num, simple, type FuncDef } from './func-args.js';
import { deepEqual, isPlainObject, lengthOf, order, pyStr, toInt, truthy, tuple } from './values.js';

/** Filters of lists and dicts: size, order, set operations, flattening, zipping, dict conversions, combine. */

const sortKey = (caseSensitive: boolean) => (v: unknown): unknown => (!caseSensitive && typeof v === 'string' ? v.toLowerCase() : v);

function sorted(xs: unknown[], opts: { reverse?: unknown; attribute?: unknown; caseSensitive?: unknown } = {}): unknown[] {
  const key = sortKey(truthy(opts.caseSensitive));
  const get = (x: unknown): unknown => key(opts.attribute === undefined ? x : needAttr('sort', x, opts.attribute));
  const out = [...xs].sort((a, b) => order(get(a), get(b), 'sort'));
  return truthy(opts.reverse) ? out.reverse() : out;
}

const uniq = (xs: unknown[]): unknown[] => xs.filter((x, i) => xs.findIndex((y) => deepEqual(x, y)) === i);

export const has = (xs: unknown[], x: unknown): boolean => xs.some((y) => deepEqual(x, y));

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

const len: FuncDef = { min: 0, max: 0, fn: (v) => lengthOf(v) };

export const COLLECTION_FILTERS: Record<string, FuncDef> = {
  length: len,
  count: len,
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
  subelements: { min: 1, max: 2, fn: (v, [key, skipMissing]) => list('subelements', v).flatMap((x) => {
    const sub = attrOf(x, key);
    if (sub === undefined) {
      if (truthy(isPlainObject(skipMissing) ? skipMissing.skip_missing : skipMissing)) return [];
      throw new TsplayError(`subelements: could not find '${String(key)}' key in iterated item`);
    }
    return list('subelements', sub).map((s) => [x, s]);
  }) },
  shuffle: { min: 0, max: 0, kwargs: ['seed'], fn: (v) => {
    const xs = [...list('shuffle', v)];
    for (let i = xs.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  } },
};
