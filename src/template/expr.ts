import { ParseError, TsplayError, type Source } from '../errors.js';
import { markOwned } from './template-owned.js';
import type { Vars } from '../types.js';
import { FILTERS, GLOBALS, METHODS, OMIT, TESTS, type CallCtx, type FuncDef } from './expr-funcs.js';
import { parseExpr, type ENode } from './expr-parse.js';
import { pyStrOf } from './floats.js';
import { dateArith, isDateTime, isTimeDelta } from './datetime.js';
import { asRead, compareOp, contains, isPlainObject, ownGet, pyStr, truthy, tuple, typeName, undefinedError } from './values.js';

/**
 * The one evaluator of the template language: `when:` (also changed_when, failed_when, until,
 * assert.that), `{{ }}` expressions and `{% %}` statements (jinja.ts) all walk the tree of
 * expr-parse.ts here, calling the one function table of expr-funcs.ts, with Python's value
 * semantics (values.ts). Undefined is a value here (like Jinja's Undefined) so that
 * `x is defined`, `x.y is defined` and `x | default(1)` work, but using it in any other way is an
 * error naming the variable. `omit` is Ansible's placeholder (renderDeep drops what equals it).
 */

export interface CompiledExpr {
  src: string;
  evaluate(vars: Vars, where?: Source): unknown;
}

/**
 * An undefined variable, remembered by the name the user wrote. `cause`: a lazy var whose own
 * template reads an undefined variable is itself undefined (as in Ansible: `x is defined` is
 * false), and using it reports the inner reason.
 */
export class Undef {
  constructor(readonly name: string, readonly cause?: TsplayError) {}
}

export function need<T>(v: T | Undef): T {
  if (v instanceof Undef) throw v.cause ?? undefinedError(v.name);
  return v;
}

/** A template's `{% macro %}`: called with positional and keyword arguments, gives its rendered text. */
export class Macro {
  constructor(readonly name: string, readonly invoke: (args: unknown[], kw: Record<string, unknown>) => string) {}
}

/**
 * Where names are looked up: template-local names (`{% set %}`, loop variables) over the play's
 * variables. `where` locates lookups' relative files and error messages.
 */
export class Frame {
  readonly locals = new Map<string, unknown>();
  constructor(readonly vars: Vars, readonly parent?: Frame, readonly where?: Source) {}
  child(): Frame {
    return new Frame(this.vars, this, this.where);
  }
  /** The variables a lookup('vars') or a nested template sees: locals over the play's vars. */
  flat(): Vars {
    let f: Frame | undefined = this;
    const layers: Map<string, unknown>[] = [];
    for (; f; f = f.parent) if (f.locals.size) layers.push(f.locals);
    if (!layers.length) return this.vars;
    const out: Vars = {};
    for (const k of Object.keys(this.vars)) {
      Object.defineProperty(out, k, { get: () => this.vars[k], enumerable: true, configurable: true });
    }
    for (const l of layers.reverse()) for (const [k, v] of l) Object.defineProperty(out, k, { value: v, enumerable: true, configurable: true });
    return out;
  }
}

function readVar(frame: Frame, name: string): unknown {
  for (let f: Frame | undefined = frame; f; f = f.parent) {
    if (f.locals.has(name)) return f.locals.get(name);
  }
  const vars = frame.vars;
  if (!Object.hasOwn(vars, name)) return name === 'omit' ? OMIT : new Undef(name);
  let v: unknown;
  try {
    v = vars[name];
  } catch (e) {
    if (e instanceof TsplayError && e.message.startsWith('undefined variable ')) return new Undef(name, e);
    throw e;
  }
  return v === undefined ? new Undef(name) : asRead(v);
}

/** How a member access reads in messages: a.b, a[0], a['x y']. */
function withKey(base: string, key: unknown): string {
  return typeof key === 'string' && /^[A-Za-z_]\w*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}
function nameOf(n: ENode): string {
  if (n.k === 'var') return n.name;
  if (n.k === 'member') return withKey(nameOf(n.obj), n.key.k === 'lit' ? n.key.v : '…');
  return '(value)';
}

function arith(op: string, a: unknown, b: unknown): unknown {
  if (op === '~') return pyStr(a) + pyStr(b);
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  }
  if (op === '*') {
    if (typeof a === 'string' && typeof b === 'number') return a.repeat(Math.max(0, b));
    if (Array.isArray(a) && typeof b === 'number') return Array.from({ length: Math.max(0, b) }, () => a).flat();
  }
  const date = dateArith(op, a, b);
  if (date) return date;
  if (op === '%' && typeof a === 'string') return FILTERS.format!.fn(a, Array.isArray(b) ? b : [b], {}, { vars: {} });
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  if (typeof x !== 'number' || typeof y !== 'number') {
    throw new TsplayError(`unsupported operand types for ${op}: ${typeName(a)} and ${typeName(b)}`);
  }
  if ((op === '/' || op === '//' || op === '%') && y === 0) throw new TsplayError('division by zero');
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    case '/': return x / y;
    case '//': return Math.floor(x / y);
    case '**': return x ** y;
    default: return x - y * Math.floor(x / y); // Python's %: the sign of the divisor
  }
}

function slice(v: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (typeof v !== 'string' && !Array.isArray(v)) throw new TsplayError(`cannot slice ${typeName(v)}`);
  const items = typeof v === 'string' ? [...v] : v;
  const n = items.length;
  const st = step === undefined || step === null ? 1 : Number(step);
  if (!Number.isInteger(st) || st === 0) throw new TsplayError('slice step must be a non-zero integer');
  const norm = (x: unknown, dflt: number, lo: number, hi: number): number => {
    if (x === undefined || x === null) return dflt;
    let i = Number(x);
    if (!Number.isInteger(i)) throw new TsplayError(`slice indices must be integers, not ${typeName(x)}`);
    if (i < 0) i += n;
    return Math.min(Math.max(i, lo), hi);
  };
  const out: unknown[] = [];
  if (st > 0) {
    for (let i = norm(start, 0, 0, n), e = norm(stop, n, 0, n); i < e; i += st) out.push(items[i]);
  } else {
    for (let i = norm(start, n - 1, -1, n - 1), e = norm(stop, -1, -1, n - 1); i > e; i += st) out.push(items[i]);
  }
  return typeof v === 'string' ? out.join('') : out;
}

type CallNode = { args: ENode[]; kwargs: Record<string, ENode>; star?: ENode; name?: string };

function callArgs(n: CallNode, frame: Frame, undefinedOk = false): [unknown[], Record<string, unknown>] {
  const arg = (a: ENode) => (undefinedOk ? ev(a, frame) : need(ev(a, frame)));
  const kw: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(n.kwargs)) kw[k] = arg(a);
  const args = n.args.map(arg);
  if (n.star) {
    const more = need(ev(n.star, frame));
    if (typeof more === 'string' || Array.isArray(more)) args.push(...more);
    else if (isPlainObject(more)) args.push(...Object.keys(more));
    else throw new TsplayError(`the argument after * must be an iterable, not ${typeName(more)}`);
  }
  return [args, kw];
}

function apply(def: FuncDef, input: unknown, n: CallNode, frame: Frame): unknown {
  const [args, kw] = callArgs(n, frame, def.undefinedArgsOk);
  if (n.star && (args.length < def.min || args.length > def.max)) {
    throw new TsplayError(`'${n.name ?? '?'}' takes ${def.min === def.max ? def.min : `${def.min} to ${def.max}`} arguments, got ${args.length}`);
  }
  const ctx: CallCtx = { vars: frame.vars, where: frame.where };
  return def.fn(def.undefinedOk && input instanceof Undef ? undefined : need(input), args, kw, ctx);
}

export function ev(n: ENode, frame: Frame): unknown {
  switch (n.k) {
    case 'lit':
      return n.v;
    case 'var':
      return readVar(frame, n.name);
    case 'member': {
      const obj = ev(n.obj, frame);
      const key = need(ev(n.key, frame));
      if (obj instanceof Undef) return new Undef(withKey(obj.name, key), obj.cause);
      const v = ownGet(obj, key);
      return v === undefined ? new Undef(withKey(nameOf(n.obj), key)) : v;
    }
    case 'slice':
      return slice(need(ev(n.obj, frame)), n.start && need(ev(n.start, frame)), n.stop && need(ev(n.stop, frame)), n.step && need(ev(n.step, frame)));
    case 'list': {
      const items = n.items.map((i) => need(ev(i, frame)));
      return n.tuple ? tuple(items) : markOwned(items);
    }
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of n.items) out[pyStr(need(ev(k, frame)))] = need(ev(v, frame));
      return markOwned(out);
    }
    case 'not':
      return !truthy(need(ev(n.arg, frame)));
    case 'neg': {
      const v = need(ev(n.arg, frame));
      const x = typeof v === 'boolean' ? Number(v) : v;
      if (typeof x !== 'number') throw new TsplayError(`bad operand type for unary ${n.op}: ${typeName(v)}`);
      return n.op === '-' ? -x : x;
    }
    case 'bin':
      if (n.op === 'and') {
        const l = need(ev(n.l, frame));
        return truthy(l) ? need(ev(n.r, frame)) : l;
      }
      if (n.op === 'or') {
        const l = need(ev(n.l, frame));
        return truthy(l) ? l : need(ev(n.r, frame));
      }
      if (n.op === '~') return pyStrOf(n.l, need(ev(n.l, frame))) + pyStrOf(n.r, need(ev(n.r, frame)));
      return arith(n.op, need(ev(n.l, frame)), need(ev(n.r, frame)));
    case 'cmp': {
      let l = need(ev(n.first, frame));
      for (const [op, rn] of n.ops) {
        const r = need(ev(rn, frame));
        const ok = op === 'in' ? contains(r, l) : op === 'not in' ? !contains(r, l) : compareOp(l, r, op);
        if (!ok) return false;
        l = r;
      }
      return true;
    }
    case 'cond':
      if (truthy(need(ev(n.test, frame)))) return ev(n.yes, frame);
      return n.no ? ev(n.no, frame) : new Undef('(an inline if without else)');
    case 'filter':
      if (n.name === 'string') return pyStrOf(n.arg, need(ev(n.arg, frame)));
      return apply(FILTERS[n.name]!, ev(n.arg, frame), n, frame);
    case 'test': {
      const r = truthy(apply(TESTS[n.name]!, ev(n.arg, frame), n, frame));
      return n.negate ? !r : r;
    }
    case 'call':
      return apply(GLOBALS[n.name]!, null, n, frame);
    case 'mcall': {
      const m = need(readVar(frame, n.name));
      if (!(m instanceof Macro)) throw new TsplayError(`'${n.name}' is not a macro`);
      const [args, kw] = callArgs(n, frame);
      return m.invoke(args, kw);
    }
    case 'method': {
      const obj = need(ev(n.obj, frame));
      if (typeof obj !== 'string' && !Array.isArray(obj) && !isPlainObject(obj) && !isDateTime(obj) && !isTimeDelta(obj)) {
        throw new TsplayError(`'${typeName(obj)}' object has no method '${n.name}'`);
      }
      return apply(METHODS[n.name]!, obj, n, frame);
    }
  }
}

/** Attach the location and the expression to an error raised while evaluating. */
export function locatedExprError(e: unknown, src: string, where?: Source): TsplayError {
  if (e instanceof TsplayError) {
    if (e.where) return e;
    return new TsplayError(`${e.message} (in expression: ${src})`, { code: e.code, where });
  }
  return new TsplayError(`cannot evaluate expression: ${src}: ${(e as Error).message}`, { where });
}

const cache = new Map<string, ENode>();
const CACHE_MAX = 20_000;

/** Compile a when:/changed_when/failed_when/until/assert expression (cached). Parse errors → ParseError naming where and the expression. */
export function compileExpr(src: string, where?: Source): CompiledExpr {
  let tree = cache.get(src);
  if (!tree) {
    tree = parseExpr(src, where);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(src, tree);
  }
  const root = tree;
  return {
    src,
    evaluate(vars: Vars, at?: Source): unknown {
      try {
        return need(ev(root, new Frame(vars, undefined, at ?? where)));
      } catch (e) {
        throw locatedExprError(e, src, at ?? where);
      }
    },
  };
}

/** `when: "{{ x }}"` as some Ansible users write it: the braces are dropped. */
function unwrap(s: string): string {
  const m = /^\s*\{\{(.*)\}\}\s*$/s.exec(s);
  return m && !m[1]!.includes('{{') && !m[1]!.includes('}}') ? m[1]! : s;
}

function conditions(cond: unknown, where?: Source): (boolean | string)[] {
  if (cond === null || cond === undefined) return []; // an empty `when:` is true, as in Ansible
  if (typeof cond === 'boolean') return [cond];
  if (typeof cond === 'number') return [cond !== 0];
  if (typeof cond === 'string') return [unwrap(cond)];
  if (Array.isArray(cond)) return cond.flatMap((c) => conditions(c, where));
  throw new ParseError(`a condition must be a string, a boolean or a list of them, not ${typeName(cond)}`, where);
}

/** Evaluate a condition: a bool, a string expression, or a list (AND). Undefined variables → TsplayError naming the variable. */
export function evalCondition(cond: unknown, vars: Vars, where?: Source): boolean {
  for (const c of conditions(cond, where)) {
    const ok = typeof c === 'boolean' ? c : truthy(compileExpr(c, where).evaluate(vars, where));
    if (!ok) return false;
  }
  return true;
}

/** Load-time check of a condition (parse only). */
export function checkCondition(cond: unknown, where?: Source): void {
  for (const c of conditions(cond, where)) if (typeof c === 'string') compileExpr(c, where);
}
