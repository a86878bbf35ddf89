import { ParseError, type Source } from '../errors.js';
import { toBool } from '../util/bool.js';

/**
 * A module argument error that Ansible's module reports with its own words: found when the task runs
 * (the task is under ignore_errors, a rescue or a condition), the task fails with `moduleMsg` as its msg.
 */
export class ArgumentError extends ParseError {
  constructor(message: string, readonly moduleMsg: string, where?: Source) {
    super(message, where);
  }
}

/** Argument types, named as in Ansible's argument_spec. */
export type ArgType = 'str' | 'int' | 'float' | 'bool' | 'list' | 'dict' | 'path' | 'raw';

export interface ArgSpec {
  type: ArgType;
  required?: boolean;
  default?: unknown;
  choices?: readonly unknown[];
  aliases?: readonly string[];
  /** For lists: the type of each element. A comma-separated string is split, as Ansible does. */
  elements?: ArgType;
}

export type ArgSpecs = Record<string, ArgSpec>;

const TEMPLATE = /\{\{|\{%/;

/**
 * A value still to be rendered: at load time, a string holding a template passes any check on its
 * type or shape (it is checked again, rendered, at run time).
 */
export function unrendered(v: unknown, loadTime: boolean): boolean {
  return loadTime && typeof v === 'string' && TEMPLATE.test(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  return typeof v;
}

function convert(
  module: string,
  key: string,
  spec: { type: ArgType; elements?: ArgType },
  v: unknown,
  where: Source,
  loadTime: boolean,
): unknown {
  const bad = (want: string): never => {
    throw new ParseError(`${module}: argument '${key}' must be ${want}, got ${typeName(v)} ${JSON.stringify(v)}`, where);
  };
  if (unrendered(v, loadTime)) return v;
  switch (spec.type) {
    case 'raw':
      return v;
    case 'str':
    case 'path':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      return bad('a string');
    case 'int': {
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
      return bad('an integer');
    }
    case 'float': {
      if (typeof v === 'number') return v;
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
      return bad('a number');
    }
    case 'bool': {
      const b = toBool(v);
      return b === undefined ? bad('a boolean') : b;
    }
    case 'list': {
      let list: unknown[];
      if (Array.isArray(v)) list = v;
      else if (typeof v === 'string') list = v === '' ? [] : v.split(',').map((s) => s.trim());
      else if (typeof v === 'number' || typeof v === 'boolean') list = [v];
      else return bad('a list');
      if (!spec.elements) return list;
      return list.map((item, i) => convert(module, `${key}[${i}]`, { type: spec.elements! }, item, where, loadTime));
    }
    case 'dict': {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
      if (typeof v === 'string') {
        const trimmed = v.trim();
        if (trimmed.startsWith('{')) {
          try {
            const parsed = JSON.parse(trimmed);
            if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed;
          } catch {
            /* falls through to the error */
          }
        }
      }
      return bad('a dictionary');
    }
  }
}

/**
 * Validate a module's arguments against its spec: unknown keys, missing required ones, wrong types and
 * values outside `choices` are errors naming the module, the argument and where it is written.
 * Returns a new object with defaults filled in and aliases resolved to the canonical name.
 */
export function parseArgs<T = Record<string, unknown>>(
  module: string,
  specs: ArgSpecs,
  raw: unknown,
  where: Source,
  loadTime = false,
): T {
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ParseError(`${module}: arguments must be a dictionary, got ${typeName(raw)}`, where);
  }
  const input = raw as Record<string, unknown>;
  const canonical = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) {
    canonical.set(name, name);
    for (const a of spec.aliases ?? []) canonical.set(a, name);
  }
  const out: Record<string, unknown> = {};
  // At load time a template that may render to `omit` (`{{ x | default(omit) }}`) may not be there at
  // all when the task runs: it is neither counted as given (mutually exclusive arguments) nor as missing.
  const mayBeOmitted = new Set<string>();
  for (const [key, value] of Object.entries(input)) {
    const name = canonical.get(key);
    if (!name) {
      const known = [...Object.keys(specs)].sort().join(', ');
      throw new ParseError(`${module}: unsupported argument '${key}' (supported: ${known})`, where);
    }
    if (name in out) throw new ParseError(`${module}: argument '${name}' given twice (as '${key}')`, where);
    const spec = specs[name]!;
    if (value === null || value === undefined) continue;
    if (loadTime && typeof value === 'string' && value.includes('{{') && /\bomit\b/.test(value)) {
      mayBeOmitted.add(name);
      continue;
    }
    const converted = convert(module, key, spec, value, where, loadTime);
    if (spec.choices && !unrendered(converted, loadTime)) {
      if (!spec.choices.includes(converted)) {
        throw new ParseError(
          `${module}: argument '${key}' must be one of ${spec.choices.map((c) => JSON.stringify(c)).join(', ')}, got ${JSON.stringify(value)}`,
          where,
        );
      }
    }
    out[name] = converted;
  }
  const missing = Object.entries(specs).filter(([name, spec]) => spec.required && !(name in out) && !mayBeOmitted.has(name)).map(([name]) => name);
  if (missing.length > 0) {
    const names = missing.map((n) => `'${n}'`).join(', ');
    throw new ArgumentError(`${module}: missing required argument${missing.length > 1 ? 's' : ''} ${names}`, `missing required arguments: ${missing.join(', ')}`, where);
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (!(name in out) && !mayBeOmitted.has(name) && spec.default !== undefined) out[name] = spec.default;
  }
  return out as T;
}

/** Exactly one (or at most one, when `required` is false) of these keys may be given. */
export function exclusive(module: string, args: Record<string, unknown>, keys: string[], where: Source, required = true): void {
  const given = keys.filter((k) => args[k] !== undefined);
  if (given.length > 1) throw new ParseError(`${module}: arguments ${given.map((k) => `'${k}'`).join(' and ')} are mutually exclusive`, where);
  if (required && given.length === 0) throw new ParseError(`${module}: one of ${keys.map((k) => `'${k}'`).join(', ')} is required`, where);
}
