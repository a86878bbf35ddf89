import { homedir } from 'node:os';
import { pyStr } from '../../template/values.js';
import { toBool } from '../../util/bool.js';

/**
 * Ansible 2.14's ArgumentSpecValidator (module_utils/common/arg_spec.py, parameters.py, validation.py)
 * as the validate_argument_spec action uses it: a spec of options (type, elements, required, default,
 * choices, aliases, options with their own mutually_exclusive/required_* checks, apply_defaults) and the
 * parameters to check. Returns Ansible's error messages, in Ansible's order; the parameters are never
 * changed (the conversions and defaults apply to a copy, as Ansible's validated copy that the action drops).
 * The top level has no mutually_exclusive/required_* checks: the action gives the validator only the options.
 */
export function validateArguments(spec: Record<string, unknown>, parameters: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const params = copy(parameters) as Record<string, unknown>;
  const options = specOf(spec);

  let aliases: Map<string, string> = new Map();
  let aliasError: string | undefined;
  try {
    aliases = handleAliases(options, params);
  } catch (e) {
    aliasError = (e as Error).message;
    errors.push(aliasError);
  }
  const legal = [...aliases.keys(), ...Object.keys(options)];
  try {
    listNoLogValues(options, params);
  } catch (e) {
    errors.push((e as Error).message);
  }
  const unsupported: Unsupported = new Map();
  collectUnsupported(options, params, legal, [], unsupported, aliasError, errors);
  setDefaults(options, params, false);
  try {
    checkRequired(options, params, []);
  } catch (e) {
    errors.push((e as Error).message);
  }
  validateTypes(options, params, [], errors);
  validateValues(options, params, [], errors);
  setDefaults(options, params, true);
  validateSubSpecs(options, params, [], errors, unsupported);

  if (unsupported.size > 0) {
    const names = [...unsupported.keys()].sort();
    // Ansible names the supported parameters of the last context its loop saw
    const last = [...unsupported.values()].at(-1)!;
    let supported = [...last.params].sort().join(', ');
    if (last.aliases.length > 0) supported += ` (${[...last.aliases].sort().join(', ')})`;
    errors.push(`${names.join(', ')}. Supported parameters include: ${supported}.`);
  }
  return errors;
}

/** The spec types Ansible's DEFAULT_TYPE_VALIDATORS know. */
export const ARG_TYPES = ['str', 'list', 'dict', 'bool', 'int', 'float', 'path', 'raw', 'jsonarg', 'json', 'bytes', 'bits'] as const;

type Options = Record<string, Record<string, unknown>>;
/** Unsupported parameter names ("a", "conf.c") with what their context supports. */
type Unsupported = Map<string, { params: string[]; aliases: string[] }>;

const isDict = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function specOf(v: unknown): Options {
  if (!isDict(v)) return {};
  return Object.fromEntries(Object.entries(v).map(([k, o]) => [k, isDict(o) ? o : {}]));
}

function copy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copy);
  if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]));
  return v;
}

const inContext = (msg: string, context: string[]) => (context.length > 0 ? `${msg} found in ${context.join(' -> ')}` : msg);

/** Python's type() of a value as Ansible shows it: strings as YAML gave them (AnsibleUnicode). */
export function pyClass(v: unknown): string {
  if (typeof v === 'string') return "<class 'ansible.parsing.yaml.objects.AnsibleUnicode'>";
  if (typeof v === 'boolean') return "<class 'bool'>";
  if (typeof v === 'number') return Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>";
  if (v === null || v === undefined) return "<class 'NoneType'>";
  if (Array.isArray(v)) return "<class 'list'>";
  return "<class 'dict'>";
}

/** Python's == (1 == True == 1.0, lists and dicts by value). */
function pyEq(a: unknown, b: unknown): boolean {
  const num = (x: unknown) => (typeof x === 'boolean' ? Number(x) : x);
  if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean')) return num(a) === num(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && pyEq(a[k], b[k]));
  }
  return a === b || (a == null && b == null);
}
const pyIn = (xs: unknown[], x: unknown) => xs.some((c) => pyEq(c, x));

/** _handle_aliases: alias → option; an alias given sets its option. Throws on a spec error, as Ansible does. */
function handleAliases(options: Options, params: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, o] of Object.entries(options)) {
    if (o.default !== undefined && o.default !== null && o.required) throw new Error(`internal error: required and default are mutually exclusive for ${k}`);
    if (o.aliases === undefined || o.aliases === null) continue;
    if (!Array.isArray(o.aliases)) throw new Error('internal error: aliases must be a list or tuple');
    for (const alias of o.aliases) {
      out.set(String(alias), k);
      if (String(alias) in params) params[k] = params[String(alias)];
    }
  }
  return out;
}

/** _list_no_log_values: its only visible effect is the TypeError on a sub-option value that is no dict. */
function listNoLogValues(options: Options, params: Record<string, unknown>): void {
  for (const [name, o] of Object.entries(options)) {
    const sub = o.options;
    if (sub === undefined || sub === null) continue;
    const value = params[name];
    if (value === undefined || value === null) continue;
    if (!(o.type === 'dict' || (o.type === 'list' && o.elements === 'dict'))) continue;
    for (let item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'string') item = toDict(item);
      if (!isDict(item)) {
        const cls = typeof item === 'boolean' ? 'bool' : typeof item === 'number' ? (Number.isInteger(item) ? 'int' : 'float') : Array.isArray(item) ? 'list' : 'NoneType';
        throw new Error(`Value '${pyStr(item)}' in the sub parameter field '${name}' must by a ${String(o.type)}, not '${cls}'`);
      }
      listNoLogValues(specOf(sub), item);
    }
  }
}

function collectUnsupported(options: Options, params: Record<string, unknown>, legal: string[], context: string[], out: Unsupported, aliasError: string | undefined, errors: string[]): void {
  const aliasNames = new Set(legal.slice(0, legal.length - Object.keys(options).length));
  for (const k of Object.keys(params)) {
    if (legal.includes(k)) continue;
    // Ansible reads the aliases again to say what is supported: a spec error stops it there
    if (aliasError !== undefined) {
      errors.push(aliasError);
      return;
    }
    out.set([...context, k].join('.'), { params: legal.filter((p) => !aliasNames.has(p)), aliases: [...aliasNames] });
  }
}

function setDefaults(options: Options, params: Record<string, unknown>, all: boolean): void {
  for (const [k, o] of Object.entries(options)) {
    const dflt = o.default ?? null;
    if (!(k in params) && (dflt !== null || all)) params[k] = dflt;
  }
}

function checkRequired(options: Options, params: Record<string, unknown>, context: string[]): void {
  const missing = Object.entries(options).filter(([k, o]) => o.required && !(k in params)).map(([k]) => k);
  if (missing.length > 0) throw new Error(inContext(`missing required arguments: ${missing.sort().join(', ')}`, context));
}

class Conversion extends Error {}

/** DEFAULT_TYPE_VALIDATORS: the converted value, or a Conversion error with the checker's message. */
function convert(type: string, v: unknown): unknown {
  const cannot = (what: string): never => {
    throw new Conversion(`${pyClass(v)} cannot be converted to ${what}`);
  };
  switch (type) {
    case 'str':
      return typeof v === 'string' ? v : pyStr(v);
    case 'path':
      return expandPath(typeof v === 'string' ? v : pyStr(v));
    case 'raw':
      return v;
    case 'list':
      if (Array.isArray(v)) return v;
      if (typeof v === 'string') return v.split(',');
      if (typeof v === 'number' || typeof v === 'boolean') return [pyStr(v)];
      return cannot('a list');
    case 'dict':
      if (isDict(v)) return v;
      if (typeof v === 'string') return toDict(v);
      return cannot('a dict');
    case 'bool': {
      if (typeof v === 'boolean') return v;
      if (typeof v !== 'string' && typeof v !== 'number') return cannot('a bool');
      const b = toBool(v, { emptyIsFalse: false });
      if (b !== undefined) return b;
      throw new Conversion(`The value '${pyStr(v)}' is not a valid boolean.  Valid booleans include: ${VALID_BOOLEANS}`);
    }
    case 'int':
      if (typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v))) return v;
      if (typeof v === 'string' && /^\s*[-+]?\d+(_\d+)*\s*$/.test(v)) return Number.parseInt(v.replace(/_/g, ''), 10);
      return cannot('an int');
    case 'float':
      if (typeof v === 'number') return v;
      if (typeof v === 'boolean') return Number(v);
      if (typeof v === 'string' && PY_FLOAT.test(v)) return Number(v.trim().replace(/_/g, '').replace(/^([-+]?)inf(inity)?$/i, '$1Infinity'));
      return cannot('a float');
    case 'jsonarg':
    case 'json':
      if (typeof v === 'string') return v.trim();
      if (Array.isArray(v) || isDict(v)) return JSON.stringify(v);
      return cannot('a json string');
    case 'bytes':
    case 'bits':
      try {
        return humanToBytes(v, type === 'bits');
      } catch {
        throw new Conversion(`${pyClass(v)} cannot be converted to a ${type === 'bits' ? 'Bit' : 'Byte'} value`);
      }
    default:
      // Ansible calls the missing checker
      throw new Conversion("'NoneType' object is not callable");
  }
}

/** How boolean() lists them (a frozenset: Python's order varies from run to run; this is one of them). */
const VALID_BOOLEANS = "'false', '1', 1, 0, 'f', 'true', 't', 'off', '0', 'n', 'yes', 'on', 'y', 'no'";
const PY_FLOAT = /^\s*[-+]?(?:(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*(?:[eE][-+]?\d(?:_?\d)*)?|\d(?:_?\d)*\.(?:[eE][-+]?\d(?:_?\d)*)?|inf(?:inity)?|nan)\s*$/i;

function expandPath(p: string): string {
  const vars = p.replace(/\$(\w+)|\$\{(\w+)\}/g, (m, a: string | undefined, b: string | undefined) => process.env[(a ?? b)!] ?? m);
  return vars === '~' || vars.startsWith('~/') ? homedir() + vars.slice(1) : vars;
}

/** check_type_dict for a string: JSON (`{...}`) or k=v words. */
function toDict(s: string): Record<string, unknown> {
  if (s.startsWith('{')) {
    try {
      const d = JSON.parse(s) as unknown;
      if (isDict(d)) return d;
    } catch {
      // Ansible then tries Python's literal_eval
    }
    throw new Conversion('unable to evaluate string as dictionary');
  }
  if (!s.includes('=')) throw new Conversion('dictionary requested, could not parse JSON or key=value');
  const fields: string[] = [];
  let buf = '';
  let quote: string | false = false;
  let escape = false;
  for (const c of s.trim()) {
    if (escape) {
      buf += c;
      escape = false;
    } else if (c === '\\') escape = true;
    else if (!quote && (c === "'" || c === '"')) quote = c;
    else if (quote && quote === c) quote = false;
    else if (!quote && (c === ',' || c === ' ')) {
      if (buf) fields.push(buf);
      buf = '';
    } else buf += c;
  }
  if (buf) fields.push(buf);
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const i = f.indexOf('=');
    if (i < 0) throw new Conversion(`dictionary update sequence element #${fields.indexOf(f)} has length 1; 2 is required`);
    out[f.slice(0, i)] = f.slice(i + 1);
  }
  return out;
}

/** human_to_bytes: a number, or a number with a unit (K, KB, M, Mb…). */
function humanToBytes(v: unknown, bits: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^\s*(\d*\.?\d+)\s*([A-Za-z]+)?\s*$/.exec(String(v));
  if (!m) throw new Error('bad size');
  const unit = (m[2] ?? '').toUpperCase();
  const power = 'BKMGTPEZY'.indexOf(unit[0] ?? 'B');
  if (power < 0 || (unit.length > 1 && unit.slice(1) !== 'B') || (bits && unit.length > 1 && m[2]!.slice(-1) !== 'b')) throw new Error('bad unit');
  return Math.round(Number(m[1]) * 1024 ** power);
}

function validateTypes(options: Options, params: Record<string, unknown>, context: string[], errors: string[]): void {
  for (const [k, o] of Object.entries(options)) {
    if (!(k in params)) continue;
    const value = params[k];
    if (value === null || value === undefined) continue;
    const wanted = typeof o.type === 'string' ? o.type : 'str';
    try {
      params[k] = convert(wanted, value);
      const elements = o.elements;
      if (typeof elements === 'string' && elements !== '') {
        const converted = params[k];
        if (wanted !== 'list' || !Array.isArray(converted)) {
          let msg = `Invalid type ${wanted} for option '${pyStr(converted)}'`;
          if (context.length > 0) msg += ` found in '${context.join(' -> ')}'.`;
          errors.push(`${msg}, elements value check is supported only with 'list' type`);
        }
        const items = Array.isArray(converted) ? converted : typeof converted === 'string' ? [...converted] : isDict(converted) ? Object.keys(converted) : [];
        params[k] = validateElements(elements, k, items, context, errors);
      }
    } catch (e) {
      if (!(e instanceof Conversion)) throw e;
      let msg = `argument '${k}' is of type ${pyClass(value)}`;
      if (context.length > 0) msg += ` found in '${context.join(' -> ')}'.`;
      errors.push(`${msg} and we were unable to convert to ${wanted}: ${e.message}`);
    }
  }
}

function validateElements(type: string, option: string, values: unknown[], context: string[], errors: string[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    try {
      out.push(convert(type, v));
    } catch (e) {
      if (!(e instanceof Conversion)) throw e;
      let msg = `Elements value for option '${option}'`;
      if (context.length > 0) msg += ` found in '${context.join(' -> ')}'`;
      errors.push(`${msg} is of type ${pyClass(v)} and we were unable to convert to ${type}: ${e.message}`);
    }
  }
  return out;
}

function validateValues(options: Options, params: Record<string, unknown>, context: string[], errors: string[]): void {
  for (const [k, o] of Object.entries(options)) {
    const choices = o.choices;
    if (choices === undefined || choices === null) continue;
    if (!Array.isArray(choices)) {
      errors.push(inContext(`internal error: choices for argument ${k} are not iterable: ${pyStr(choices)}`, context));
      continue;
    }
    if (!(k in params)) continue;
    const shown = choices.map(pyStr).join(', ');
    const value = params[k];
    if (Array.isArray(value)) {
      const diff = value.filter((x) => !pyIn(choices, x));
      if (diff.length > 0) errors.push(inContext(`value of ${k} must be one or more of: ${shown}. Got no match for: ${diff.map(pyStr).join(', ')}`, context));
    } else if (!pyIn(choices, value)) {
      // 'False'/'True' stand for the one boolean-like choice there is (Ansible's BOOLEANS_FALSE/TRUE)
      for (const [word, set] of [['False', [false, 'n', 'no', 'off', '0', 'false', 'f']], ['True', [true, 'y', 'yes', 'on', '1', 'true', 't']]] as const) {
        if (params[k] !== word) continue;
        const overlap = choices.filter((c) => pyIn([...set], c));
        if (overlap.length === 1) params[k] = overlap[0];
      }
      if (!pyIn(choices, params[k])) errors.push(inContext(`value of ${k} must be one of: ${shown}, got: ${pyStr(params[k])}`, context));
    }
  }
}

/** count_terms: how many of the names (a string is one name) are given. */
const names = (term: unknown) => (Array.isArray(term) ? term.map(String) : [String(term)]);
const countTerms = (terms: unknown, params: Record<string, unknown>) => [...new Set(names(terms))].filter((t) => t in params).length;
const termList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** check_mutually_exclusive, then the _ADDITIONAL_CHECKS, each with Ansible's first message. */
function checkMutuallyExclusive(terms: unknown, params: Record<string, unknown>, context: string[]): string | undefined {
  const hits = termList(terms).filter((t) => countTerms(t, params) > 1);
  return hits.length > 0 ? inContext(`parameters are mutually exclusive: ${hits.map((t) => names(t).join('|')).join(', ')}`, context) : undefined;
}

function additionalChecks(o: Record<string, unknown>, params: Record<string, unknown>, context: string[]): string[] {
  const out: string[] = [];
  const together = termList(o.required_together).find((t) => {
    const counts = names(t).map((f) => countTerms(f, params));
    return counts.some((c) => c > 0) && counts.includes(0);
  });
  if (together !== undefined) out.push(inContext(`parameters are required together: ${names(together).join(', ')}`, context));
  const oneOf = termList(o.required_one_of).find((t) => countTerms(t, params) === 0);
  if (oneOf !== undefined) out.push(inContext(`one of the following is required: ${names(oneOf).join(', ')}`, context));
  for (const req of termList(o.required_if)) {
    if (!Array.isArray(req) || req.length < 3) continue;
    const [key, val, requirements, isOneOf] = req as [string, unknown, unknown, unknown];
    const reqs = Array.isArray(requirements) ? requirements : [requirements];
    if (!(String(key) in params && pyEq(params[String(key)], val))) continue;
    const missing = reqs.filter((r) => countTerms(r, params) === 0);
    if (missing.length > 0 && missing.length >= (isOneOf ? reqs.length : 0)) {
      out.push(inContext(`${String(key)} is ${pyStr(val)} but ${isOneOf ? 'any' : 'all'} of the following are missing: ${missing.map(String).join(', ')}`, context));
      break;
    }
  }
  if (isDict(o.required_by)) {
    for (const [key, value] of Object.entries(o.required_by)) {
      if (params[key] === undefined || params[key] === null) continue;
      const missing = (typeof value === 'string' ? [value] : termList(value).map(String)).filter((r) => params[r] === undefined || params[r] === null);
      if (missing.length > 0) {
        out.push(inContext(`missing parameter(s) required by '${key}': ${missing.join(', ')}`, context));
        break;
      }
    }
  }
  return out;
}

/** _validate_sub_spec: the `options` of dict options and of lists of dicts, recursively. */
function validateSubSpecs(options: Options, params: Record<string, unknown>, context: string[], errors: string[], unsupported: Unsupported): void {
  for (const [k, o] of Object.entries(options)) {
    if (!(o.type === 'dict' || (o.type === 'list' && o.elements === 'dict'))) continue;
    const sub = o.options;
    if (o.apply_defaults) {
      if (sub === undefined || sub === null) continue;
      if (params[k] === undefined || params[k] === null) params[k] = {};
    } else if (sub === undefined || sub === null || !(k in params) || params[k] === null || params[k] === undefined) continue;
    const subSpec = specOf(sub);
    const inner = [...context, k];
    const value = params[k];
    const elements = Array.isArray(value) ? value : [value];
    for (const subParams of elements) {
      if (!isDict(subParams)) {
        errors.push(`value of '${k}' must be of type dict or list of dicts`);
        continue;
      }
      let aliases = new Map<string, string>();
      let aliasError: string | undefined;
      try {
        aliases = handleAliases(subSpec, subParams);
      } catch (e) {
        aliasError = (e as Error).message;
        errors.push(aliasError);
      }
      try {
        listNoLogValues(subSpec, subParams);
      } catch (e) {
        errors.push((e as Error).message);
      }
      collectUnsupported(subSpec, subParams, [...aliases.keys(), ...Object.keys(subSpec)], inner, unsupported, aliasError, errors);
      const exclusive = checkMutuallyExclusive(o.mutually_exclusive, subParams, inner);
      if (exclusive) errors.push(exclusive);
      setDefaults(subSpec, subParams, false);
      try {
        checkRequired(subSpec, subParams, inner);
      } catch (e) {
        errors.push((e as Error).message);
      }
      validateTypes(subSpec, subParams, inner, errors);
      validateValues(subSpec, subParams, inner, errors);
      errors.push(...additionalChecks(o, subParams, inner));
      setDefaults(subSpec, subParams, true);
      validateSubSpecs(subSpec, subParams, inner, errors, unsupported);
    }
  }
}
