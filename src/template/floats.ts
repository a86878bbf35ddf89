import type { ENode } from './expr-parse.js';
import { pyStr } from './values.js';

/**
 * Python's float with an integral value prints as `2.0`; a JavaScript number cannot say whether
 * it is one. The expression that made it can: a float literal (`1.0`, `1e3`), `/`, `| float`,
 * `| round` of a non-int, and `+ - * // % **` or unary minus with a float operand give floats,
 * as in Python. Where an expression's value is written as text (`{{ }}`, `~`, `| string`),
 * an integral number from such an expression is written as Python writes the float.
 * (A float inside a list or dict, or passed through a variable, still prints as an integer.)
 */
const known = new WeakMap<ENode, boolean>();

/** Statically certain to be a float when it is a number. */
export function floatTyped(n: ENode): boolean {
  let r = known.get(n);
  if (r === undefined) {
    r = decide(n);
    known.set(n, r);
  }
  return r;
}

/** Filters whose result is an int whatever their input. */
const INT_RESULTS = new Set(['int', 'length', 'count', 'wordcount']);

function decide(n: ENode): boolean {
  switch (n.k) {
    case 'lit':
      return n.float === true;
    case 'bin':
      if (n.op === '/') return true;
      if (['+', '-', '*', '//', '%', '**'].includes(n.op)) return floatTyped(n.l) || floatTyped(n.r);
      return false;
    case 'neg':
      return floatTyped(n.arg);
    case 'cond':
      return floatTyped(n.yes) && (n.no === undefined || floatTyped(n.no));
    case 'filter':
      if (n.name === 'float') return true;
      // Jinja's round gives round(x, precision): an int stays an int, anything else is a float.
      if (n.name === 'round') return !(n.arg.k === 'lit' && !n.arg.float) && !(n.arg.k === 'filter' && INT_RESULTS.has(n.arg.name));
      if (n.name === 'abs') return floatTyped(n.arg);
      return false;
    default:
      return false;
  }
}

/** Python's str() of the value of `n`: an integral float keeps its `.0`. */
export function pyStrOf(n: ENode, v: unknown): string {
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e16 && floatTyped(n)) return Object.is(v, -0) ? '-0.0' : `${v}.0`;
  return pyStr(v);
}
