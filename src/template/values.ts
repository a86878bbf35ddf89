import { TsplayError, type Source } from '../errors.js';
import { dateAttr, isDateTime, isTimeDelta } from './datetime.js';
import { noteUnsafe, unsafeLiteral } from './unsafe.js';
import { pythonRegExp } from '../util/py-regex.js';

/**
 * Value semantics shared by the Handlebars helpers and the `when:` language, chosen to
 * match what Ansible (Jinja2 on Python) does, so a condition means the same in both places:
 * - truthiness is Python's: false, None, 0, '', [] and {} are false;
 * - equality is deep (lists and dicts compare by content), and 1 == '1' is false;
 * - ordering (< <= > >=) works between two numbers, two strings or two lists; anything else
 *   is an error that suggests `| int` (Python 3 raises TypeError, Ansible users know it);
 * - only own properties of plain objects and indexes of arrays/strings can be read, and the
 *   names that lead to prototypes are refused outright.
 */

/** Names that could reach a prototype or a constructor: refused in every lookup. */
const FORBIDDEN = new Set([
  '__proto__', 'constructor', 'prototype',
  ...Object.getOwnPropertyNames(Object.prototype),
]);

export function isForbiddenName(name: string): boolean {
  return FORBIDDEN.has(name);
}

export function forbiddenError(name: string, where?: Source, context?: string): TsplayError {
  return new TsplayError(`access to '${name}' is not allowed`, { where, context });
}

export function undefinedError(name: string, where?: Source, context?: string): TsplayError {
  return new TsplayError(`undefined variable '${name}'`, { where, context });
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Python's name for a value's type, for error messages an Ansible user recognises. */
export function typeName(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'None';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  if (isPlainObject(v)) return 'dict';
  if (isDateTime(v)) return 'datetime';
  if (isTimeDelta(v)) return 'timedelta';
  return typeof v;
}

export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  if (isTimeDelta(v)) return v.us !== 0;
  return Boolean(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  if ((isDateTime(a) && isDateTime(b)) || (isTimeDelta(a) && isTimeDelta(b))) return a.us === b.us;
  return false;
}

/** -1/0/1 ordering of two values of the same kind; throws on mixed kinds. */
export function order(a: unknown, b: unknown, op: string): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (deepEqual(a[i], b[i])) continue;
      return order(a[i], b[i], op);
    }
    return a.length - b.length;
  }
  if ((isDateTime(a) && isDateTime(b)) || (isTimeDelta(a) && isTimeDelta(b))) return Math.sign(a.us - b.us);
  throw new TsplayError(
    `cannot compare ${typeName(a)} with ${typeName(b)} using '${op}' (convert first, e.g. "| int")`,
  );
}

/** Apply a comparison operator, in any of the spellings Ansible accepts. */
export function compareOp(a: unknown, b: unknown, op: string): boolean {
  switch (op) {
    case '==': case '=': case 'eq': return deepEqual(a, b);
    case '!=': case '<>': case 'ne': return !deepEqual(a, b);
    case '<': case 'lt': return order(a, b, op) < 0;
    case '<=': case 'le': return order(a, b, op) <= 0;
    case '>': case 'gt': return order(a, b, op) > 0;
    case '>=': case 'ge': return order(a, b, op) >= 0;
  }
  throw new TsplayError(`unknown comparison operator '${op}'`);
}

export const COMPARISON_OPS = ['<', '<=', '>', '>=', '==', '=', '!=', '<>', 'lt', 'le', 'gt', 'ge', 'eq', 'ne'];

/**
 * Loose version comparison like Ansible's `version` test (LooseVersion): the string is split
 * into runs of digits (compared as numbers) and runs of letters (compared as text);
 * separators are ignored, so 4.0.10 > 4.0.9 and 1.2-3 == 1.2.3. A number outranks letters
 * (4.0.1 > 4.0.rc1), and a longer version with an equal prefix is newer (1.2.1 > 1.2).
 */
export function compareVersions(a: string, b: string): number {
  const pa = versionParts(a);
  const pb = versionParts(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : 1;
    return typeof x === 'number' ? 1 : -1;
  }
  return Math.sign(pa.length - pb.length);
}

function versionParts(v: string): (number | string)[] {
  return (v.match(/\d+|[a-zA-Z]+/g) ?? []).map((p) => (/^\d/.test(p) ? Number(p) : p));
}

export function versionTest(a: unknown, b: unknown, op: unknown = 'eq'): boolean {
  if (typeof op !== 'string' || !COMPARISON_OPS.includes(op)) {
    throw new TsplayError(`version: unknown operator '${String(op)}' (use one of ${COMPARISON_OPS.join(' ')})`);
  }
  if (a === undefined || a === null || b === undefined || b === null) {
    throw new TsplayError(`version: cannot compare '${String(a)}' with '${String(b)}'`);
  }
  const c = compareVersions(String(a), String(b));
  return compareOp(c, 0, op);
}

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Jinja's `int` filter: '3' → 3, '3.7' → 3, 'x' → the default (0). */
export function toInt(v: unknown, dflt = 0): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : dflt;
  if (typeof v === 'string') {
    const s = v.trim();
    if (INT_RE.test(s)) return Number.parseInt(s, 10);
    if (FLOAT_RE.test(s)) return Math.trunc(Number.parseFloat(s));
  }
  return dflt;
}

/** Jinja's `float` filter: '3.5' → 3.5, 'x' → the default (0.0). */
export function toFloat(v: unknown, dflt = 0): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && FLOAT_RE.test(v.trim())) return Number.parseFloat(v.trim());
  return dflt;
}

const TUPLE = Symbol('tsplay.tuple');

/** Mark a list as a Python tuple (zip, items(), `(a, b)`): the same list, written `(a, b)` by str(). */
export function tuple<T>(xs: T[]): T[] {
  Object.defineProperty(xs, TUPLE, { value: true });
  return xs;
}
const isTuple = (v: unknown[]): boolean => (v as { [TUPLE]?: boolean })[TUPLE] === true;

/** Python's repr(): 'quoted' strings, True/False/None, [lists] and {dicts} of reprs. */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') {
    const q = v.includes("'") && !v.includes('"') ? '"' : "'";
    let out = '';
    for (const ch of v) {
      const c = ch.codePointAt(0)!;
      if (ch === '\\') out += '\\\\';
      else if (ch === q) out += '\\' + q;
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
      else out += ch;
    }
    return q + out + q;
  }
  if (Array.isArray(v)) {
    if (isTuple(v)) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(', ')})`;
    return `[${v.map(pyRepr).join(', ')}]`;
  }
  if (isDateTime(v) || isTimeDelta(v)) return v.repr();
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  }
  return pyStr(v);
}

/** Python's str(): True/False/None, lists and dicts as their repr. */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyNum(v);
  if (isDateTime(v) || isTimeDelta(v)) return v.toString();
  if (typeof v === 'object') return pyRepr(v);
  return String(v);
}

/** Python's repr of a number: inf, nan, and exponents written 1e+16 / 1e-05. */
function pyNum(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const a = Math.abs(n);
  if (a >= 1e16 || a < 1e-4) {
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(n);
}

/** How Jinja (and a plain `{{ x }}`) writes a value into text, as Ansible does: Python's str(), None as ''. */
export function pyText(v: unknown): string {
  return v === null || v === undefined ? '' : pyStr(v);
}

/** How Handlebars writes a value into rendered text: null as '', lists and dicts as JSON, the rest as-is. */
export function toText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * Read `obj[key]` the safe way: own properties of plain objects, integer indexes of arrays
 * and strings (negative counts from the end, as in Python). Returns `undefined` when absent.
 */
export function ownGet(obj: unknown, key: unknown): unknown {
  if (typeof key === 'string' && isForbiddenName(key)) throw forbiddenError(key);
  if (Array.isArray(obj) || typeof obj === 'string') {
    const i = typeof key === 'number' ? key : typeof key === 'string' && INT_RE.test(key) ? Number(key) : NaN;
    if (!Number.isInteger(i)) return undefined;
    const idx = i < 0 ? obj.length + i : i;
    return idx >= 0 && idx < obj.length ? obj[idx] : undefined;
  }
  if (isPlainObject(obj) && (typeof key === 'string' || typeof key === 'number')) {
    const k = String(key);
    return Object.hasOwn(obj, k) ? asRead(obj[k]) : undefined;
  }
  if (isDateTime(obj) || isTimeDelta(obj)) return dateAttr(obj, key);
  return undefined;
}

/**
 * A value as a template reads it: an !unsafe text kept unrendered in data (an inventory or
 * include_vars value seen through hostvars) reads as its literal.
 */
export function asRead(v: unknown): unknown {
  if (typeof v !== 'string' || v.charCodeAt(0) !== 123 /* { */) return v;
  const lit = unsafeLiteral(v);
  if (lit === undefined) return v;
  noteUnsafe([lit]);
  return lit;
}

/** Python's `x in y`: substring, list membership or dict key. */
export function contains(container: unknown, item: unknown): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') {
      throw new TsplayError(`'in <str>' requires a str on the left, not ${typeName(item)}`);
    }
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => deepEqual(x, item));
  if (isPlainObject(container)) {
    return (typeof item === 'string' || typeof item === 'number') && Object.hasOwn(container, String(item));
  }
  throw new TsplayError(`'in' needs a str, list or dict on the right, not ${typeName(container)}`);
}

export function lengthOf(v: unknown): number {
  if (typeof v === 'string' || Array.isArray(v)) return v.length;
  if (isPlainObject(v)) return Object.keys(v).length;
  throw new TsplayError(`length: ${typeName(v)} has no length`);
}

/** Python-style regex replacement: `\1` and `\g<name>` back-references become JavaScript's `$1`/`$<name>`. */
export function regexReplace(s: string, pattern: string, replacement: string, flags = ''): string {
  const js = replacement
    .replace(/\$/g, '$$$$')
    .replace(/\\g<(\w+)>/g, (_m, n: string) => (/^\d+$/.test(n) ? `$${n}` : `$<${n}>`))
    .replace(/\\(\d+)/g, '$$$1');
  return s.replace(makeRegExp(pattern, 'g' + flags), js);
}

/** A Python-syntax pattern compiled, or a one-line error naming it. */
export function makeRegExp(pattern: string, flags = '', anchored = false): RegExp {
  try {
    return pythonRegExp(pattern, flags, anchored);
  } catch (e) {
    throw new TsplayError(`invalid regular expression '${pattern}': ${(e as Error).message}`);
  }
}
