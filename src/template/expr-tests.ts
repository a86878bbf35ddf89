import { TsplayError } from '../errors.js';
import { toBool } from '../util/bool.js';
import { has } from './filters-collections.js';
import { PATH_TESTS } from './filters-path.js';
import { isUri, isUrl, isUrn } from './uri.js';
import { regexFlags } from './filters-string.js';
import { list, num, type FuncDef } from './func-args.js';
import { compareOp, contains, isPlainObject, makeRegExp, pyStr, toInt, truthy, typeName, versionTest } from './values.js';

/** The tests (`x is name(args)`): of registered results, types, versions, regexes, comparisons, paths. */

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

// As Ansible's regex test: value and pattern through to_text, so a registered result (a dict) is searched as Python prints it
const regex = (kind: 'match' | 'search'): FuncDef => ({
  min: 1, max: 1, kwargs: ['ignorecase', 'multiline'],
  fn: (v, [re], kw) => makeRegExp(pyStr(re), regexFlags(kw), kind === 'match').test(pyStr(v)),
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
  ...PATH_TESTS,
  // Ansible's uri tests (plugins/test/uri.py)
  uri: { min: 0, max: 1, kwargs: ['schemes'], fn: (v, [s], kw) => isUri(v, s ?? kw.schemes) },
  url: { min: 0, max: 1, kwargs: ['schemes'], fn: (v, [s], kw) => isUrl(v, s ?? kw.schemes) },
  urn: test(isUrn),
};

/** truthy/falsy's convert_bool: Ansible's boolean() where it reads the value, else the value as is ('' stays ''). */
function convertBool(v: unknown, convert: unknown): unknown {
  return truthy(convert) ? (toBool(v, { emptyIsFalse: false }) ?? v) : v;
}
