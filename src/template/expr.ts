import { ParseError, TsplayError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { FILTERS, TESTS } from './expr-funcs.js';
import { parseExpr, type ENode } from './expr-parse.js';
import { compareOp, contains, ownGet, pyStr, truthy, typeName, undefinedError } from './values.js';

/**
 * Evaluates the `when:` language (also changed_when, failed_when, until, assert.that); the
 * grammar is in expr-parse.ts, filters and tests in expr-funcs.ts, value semantics in values.ts.
 * Undefined is a value here (like Jinja's Undefined) so that `x is defined`, `x.y is defined`
 * and `x | default(1)` work, but using it in any other way is an error naming the variable.
 * Comparing a number with a string (`'10' < 9`) is an error, as in Python 3; equality between
 * them is simply false.
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
class Undef {
  constructor(readonly name: string, readonly cause?: TsplayError) {}
}

function need<T>(v: T | Undef): T {
  if (v instanceof Undef) throw v.cause ?? undefinedError(v.name);
  return v;
}

function readVar(vars: Vars, name: string): unknown {
  if (!Object.hasOwn(vars, name)) return new Undef(name);
  let v: unknown;
  try {
    v = vars[name];
  } catch (e) {
    if (e instanceof TsplayError && e.message.startsWith('undefined variable ')) return new Undef(name, e);
    throw e;
  }
  return v === undefined ? new Undef(name) : v;
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
  if (typeof a !== 'number' || typeof b !== 'number') {
    throw new TsplayError(`unsupported operand types for ${op}: ${typeName(a)} and ${typeName(b)}`);
  }
  if ((op === '/' || op === '//' || op === '%') && b === 0) throw new TsplayError('division by zero');
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '//': return Math.floor(a / b);
    default: return a - b * Math.floor(a / b); // Python's %: the sign of the divisor
  }
}

function ev(n: ENode, vars: Vars): unknown {
  switch (n.k) {
    case 'lit':
      return n.v;
    case 'var':
      return readVar(vars, n.name);
    case 'member': {
      const obj = ev(n.obj, vars);
      const key = need(ev(n.key, vars));
      if (obj instanceof Undef) return new Undef(withKey(obj.name, key), obj.cause);
      const v = ownGet(obj, key);
      return v === undefined ? new Undef(withKey(nameOf(n.obj), key)) : v;
    }
    case 'list':
      return n.items.map((i) => need(ev(i, vars)));
    case 'not':
      return !truthy(need(ev(n.arg, vars)));
    case 'neg': {
      const v = need(ev(n.arg, vars));
      if (typeof v !== 'number') throw new TsplayError(`bad operand type for unary ${n.op}: ${typeName(v)}`);
      return n.op === '-' ? -v : v;
    }
    case 'bin':
      return binary(n, vars);
    case 'filter': {
      const def = FILTERS[n.name]!;
      const v = ev(n.arg, vars);
      return def.fn(def.undefinedOk && v instanceof Undef ? undefined : need(v), n.args.map((a) => need(ev(a, vars))));
    }
    case 'test': {
      const def = TESTS[n.name]!;
      const v = ev(n.arg, vars);
      const r = def.fn(def.undefinedOk && v instanceof Undef ? undefined : need(v), n.args.map((a) => need(ev(a, vars))));
      return n.negate ? !r : Boolean(r);
    }
  }
}

function binary(n: Extract<ENode, { k: 'bin' }>, vars: Vars): unknown {
  switch (n.op) {
    case 'and': {
      const l = need(ev(n.l, vars));
      return truthy(l) ? need(ev(n.r, vars)) : l;
    }
    case 'or': {
      const l = need(ev(n.l, vars));
      return truthy(l) ? l : need(ev(n.r, vars));
    }
    case 'in':
      return contains(need(ev(n.r, vars)), need(ev(n.l, vars)));
    case 'not in':
      return !contains(need(ev(n.r, vars)), need(ev(n.l, vars)));
    case '==': case '!=': case '<': case '>': case '<=': case '>=': {
      if (n.chain && n.l.k === 'bin') { // a < b < c: (a < b) and (b < c)
        return truthy(ev(n.l, vars)) && compareOp(need(ev(n.l.r, vars)), need(ev(n.r, vars)), n.op);
      }
      return compareOp(need(ev(n.l, vars)), need(ev(n.r, vars)), n.op);
    }
    default:
      return arith(n.op, need(ev(n.l, vars)), need(ev(n.r, vars)));
  }
}

/** Attach the location and the expression to an error raised while evaluating. */
function located(e: unknown, src: string, where?: Source): TsplayError {
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
        return need(ev(root, vars));
      } catch (e) {
        throw located(e, src, at ?? where);
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
