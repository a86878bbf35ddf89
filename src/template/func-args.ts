import { TsplayError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { isPlainObject, ownGet, pyStr, typeName } from './values.js';

/**
 * What every entry of the function table (expr-funcs.ts) is made of: its definition, the context a
 * call gets, and the readers of its arguments that fail with Jinja's message for a wrong type.
 */

export interface CallCtx {
  vars: Vars;
  where?: Source;
}

export interface FuncDef {
  min: number;
  max: number;
  /** Keyword arguments it accepts (`map(attribute='x')`); 'any': every name. */
  kwargs?: string[] | 'any';
  /** May receive an undefined input (represented as `undefined`). */
  undefinedOk?: boolean;
  /** Gets undefined arguments as they are (Undef), as Jinja passes its lazy Undefined: only one it returns fails, when used. */
  undefinedArgsOk?: boolean;
  fn: (v: unknown, args: unknown[], kw: Record<string, unknown>, ctx: CallCtx) => unknown;
}

/** The context of a call made from inside another function (a method calling its filter). */
export const NO_CTX: CallCtx = { vars: {} };

export const text = (name: string, v: unknown): string => {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return pyStr(v);
  throw new TsplayError(`${name}: expected a string, got ${typeName(v)}`);
};

export const list = (name: string, v: unknown): unknown[] => {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isPlainObject(v)) return Object.keys(v);
  throw new TsplayError(`${name}: expected a list, got ${typeName(v)}`);
};

export const num = (name: string, v: unknown): number => {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new TsplayError(`${name}: expected a number, got ${typeName(v)}`);
};

export const dict = (name: string, v: unknown): Record<string, unknown> => {
  if (isPlainObject(v)) return v;
  throw new TsplayError(`${name}: expected a dict, got ${typeName(v)}`);
};

/** Jinja's attribute lookup for filters (`attribute='a.b'`, `'0'`): dotted, integers index lists. */
export function attrOf(v: unknown, attr: unknown): unknown {
  let cur = v;
  for (const part of String(attr).split('.')) {
    cur = ownGet(cur, /^\d+$/.test(part) ? Number(part) : part);
    if (cur === undefined) return undefined;
  }
  return cur;
}

export const needAttr = (name: string, v: unknown, attr: unknown): unknown => {
  const r = attrOf(v, attr);
  if (r === undefined) throw new TsplayError(`${name}: '${typeName(v)} object' has no attribute '${String(attr)}'`);
  return r;
};

/** A filter of its input alone (no arguments). */
export const simple = (fn: (v: unknown) => unknown): FuncDef => ({ min: 0, max: 0, fn });

/** A filter of its input as a string (no arguments). */
export const str1 = (name: string, fn: (s: string) => unknown): FuncDef => ({ min: 0, max: 0, fn: (v) => fn(text(name, v)) });
