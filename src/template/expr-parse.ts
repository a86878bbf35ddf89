import jsep from 'jsep';
import { ParseError, type Source } from '../errors.js';
import { FILTERS, TESTS, type FuncDef } from './expr-funcs.js';
import { isForbiddenName } from './values.js';

/**
 * The `when:` language, parsed by jsep reconfigured to read Jinja-like expressions:
 *   or < and < not < comparisons (== != < > <= >= in, not in) < + - ~ < * / // % < is, is not < | filter
 * like Jinja/Python: `not a == b` is `not (a == b)`, `x is defined and y`, `a | int + 1` is `(a|int) + 1`.
 * Chained comparisons (`1 < x <= 3`) mean what they mean in Python.
 * Literals: numbers, 'strings' and "strings", true/True/false/False, none/None/null, [lists],
 * (tuples) as lists. No function calls, no `this`, no assignment, no `?:`, and the names that lead
 * to prototypes (__proto__, constructor, prototype, toString…) are refused here, at parse time.
 * jsep is configured globally, once, when this module loads: tsplay has no other jsep user.
 */

jsep.removeAllBinaryOps();
jsep.removeAllUnaryOps();
jsep.removeAllLiterals();
jsep.removeIdentifierChar('$');
for (const [op, prec] of [
  ['or', 1], ['and', 2],
  ['==', 6], ['!=', 6], ['<', 6], ['>', 6], ['<=', 6], ['>=', 6], ['in', 6], ['not in', 6],
  ['+', 9], ['-', 9], ['~', 9], ['*', 10], ['/', 10], ['//', 10], ['%', 10],
  ['is', 12], ['is not', 12], ['|', 13],
] as const) jsep.addBinaryOp(op, prec);
for (const op of ['not', '-', '+']) jsep.addUnaryOp(op);
for (const [name, value] of [
  ['true', true], ['True', true], ['false', false], ['False', false], ['none', null], ['None', null], ['null', null],
] as const) jsep.addLiteral(name, value);
// Mark parenthesised groups, so that `(not a) == b` is not rewritten like `not a == b`.
jsep.hooks.add('gobble-token', function markGroups(env) {
  if (this.code !== 40) return; // '('
  const inner = this.gobbleGroup() as jsep.Expression | false;
  if (!inner) this.throwError('empty parentheses');
  env.node = this.gobbleTokenProperty({ type: 'Group', expression: inner });
});

/** The checked tree the evaluator walks. `g`: written in parentheses. */
export type ENode = { g?: boolean } & (
  | { k: 'lit'; v: unknown }
  | { k: 'var'; name: string }
  | { k: 'member'; obj: ENode; key: ENode }
  | { k: 'list'; items: ENode[] }
  | { k: 'not'; arg: ENode }
  | { k: 'neg'; op: '-' | '+'; arg: ENode }
  | { k: 'bin'; op: string; l: ENode; r: ENode; chain?: boolean }
  | { k: 'filter'; name: string; arg: ENode; args: ENode[] }
  | { k: 'test'; name: string; arg: ENode; args: ENode[]; negate: boolean });

export const COMPARE = new Set(['==', '!=', '<', '>', '<=', '>=']);
const TEST_LITERALS: Record<string, string> = {
  none: 'none', None: 'none', null: 'none', true: 'true', True: 'true', false: 'false', False: 'false',
};

class Bad extends Error {}
const bad = (msg: string): never => {
  throw new Bad(msg);
};

/** `not` binds tighter in jsep than in Python: lift an unparenthesised `not x` above the operator. */
function lift(l: ENode, build: (inner: ENode) => ENode): ENode {
  return l.k === 'not' && !l.g ? { k: 'not', arg: lift(l.arg, build) } : build(l);
}

function call(node: jsep.Expression): { name: string; args: jsep.Expression[] } {
  if (node.type === 'Identifier') return { name: node.name as string, args: [] };
  if (node.type === 'Literal' && TEST_LITERALS[node.raw as string]) return { name: TEST_LITERALS[node.raw as string]!, args: [] };
  if (node.type === 'CallExpression' && (node.callee as jsep.Expression).type === 'Identifier') {
    return { name: (node.callee as jsep.Identifier).name, args: node.arguments as jsep.Expression[] };
  }
  return bad('expected a name after | or is');
}

function checkArity(kind: string, name: string, def: FuncDef, n: number): void {
  if (n < def.min || n > def.max) {
    const want = def.min === def.max ? `${def.min}` : `${def.min} to ${def.max}`;
    bad(`${kind} '${name}' takes ${want} argument${def.max === 1 ? '' : 's'}, got ${n}`);
  }
}

function convert(n: jsep.Expression): ENode {
  switch (n.type) {
    case 'Literal':
      if (n.value instanceof RegExp) bad('regular expression literals are not supported');
      return { k: 'lit', v: n.value };
    case 'Identifier': {
      const name = n.name as string;
      if (isForbiddenName(name)) bad(`access to '${name}' is not allowed`);
      return { k: 'var', name };
    }
    case 'MemberExpression': {
      if (n.optional) bad("'?.' is not supported (use | default or 'is defined')");
      const prop = n.property as jsep.Expression;
      if (!n.computed && isForbiddenName(prop.name as string)) bad(`access to '${String(prop.name)}' is not allowed`);
      const key: ENode = n.computed ? convert(prop) : { k: 'lit', v: prop.name };
      return { k: 'member', obj: convert(n.object as jsep.Expression), key };
    }
    case 'ArrayExpression':
      return { k: 'list', items: (n.elements as (jsep.Expression | null)[]).map((e) => (e ? convert(e) : bad('empty list element'))) };
    case 'Group': {
      const inner = n.expression as jsep.Expression;
      const node = inner.type === 'SequenceExpression'
        ? { k: 'list' as const, items: (inner.expressions as jsep.Expression[]).map(convert) }
        : convert(inner);
      return { ...node, g: true };
    }
    case 'UnaryExpression': {
      const arg = convert(n.argument as jsep.Expression);
      return n.operator === 'not' ? { k: 'not', arg } : { k: 'neg', op: n.operator as '-' | '+', arg };
    }
    case 'BinaryExpression':
      return binary(n as jsep.BinaryExpression);
    case 'CallExpression': {
      const callee = n.callee as jsep.Expression;
      const name = callee.type === 'Identifier' ? `${String(callee.name)}(...)` : 'a.method(...)';
      return bad(`function calls like ${name} are not supported (use a filter "x | f(...)" or a test "x is t(...)")`);
    }
    case 'ThisExpression':
      return bad("'this' is not supported");
    case 'ConditionalExpression':
      return bad("'?:' is not supported");
    case 'Compound':
      return bad('two expressions without an operator between them (a misspelt operator?)');
    default:
      return bad(`unsupported syntax (${n.type})`);
  }
}

function binary(n: jsep.BinaryExpression): ENode {
  const op = n.operator;
  const l = convert(n.left);
  if (op === '|') {
    const { name, args } = call(n.right);
    const def = Object.hasOwn(FILTERS, name) ? FILTERS[name]! : bad(`unknown filter '${name}'`);
    checkArity('filter', name, def, args.length);
    const cargs = args.map(convert);
    return lift(l, (arg) => ({ k: 'filter', name, arg, args: cargs }));
  }
  if (op === 'is' || op === 'is not') {
    let right = n.right;
    let negate = op === 'is not';
    if (right.type === 'UnaryExpression' && right.operator === 'not') { // `is  not` with extra spaces
      right = right.argument as jsep.Expression;
      negate = !negate;
    }
    const { name, args } = call(right);
    const def = Object.hasOwn(TESTS, name) ? TESTS[name]! : bad(`unknown test '${name}'`);
    checkArity('test', name, def, args.length);
    const cargs = args.map(convert);
    return lift(l, (arg) => ({ k: 'test', name, arg, args: cargs, negate }));
  }
  const r = convert(n.right);
  if (op === 'and' || op === 'or') return { k: 'bin', op, l, r };
  return lift(l, (x) => ({
    k: 'bin', op, l: x, r,
    chain: COMPARE.has(op) && x.k === 'bin' && COMPARE.has(x.op) && !x.g,
  }));
}

/** Parse and check one expression; errors are ParseErrors naming where and the expression. */
export function parseExpr(src: string, where?: Source): ENode {
  if (src.trim() === '') throw new ParseError('empty expression', where);
  if (src.includes('{{')) {
    throw new ParseError(`do not put {{ }} inside an expression, write the variable name: "${src}"`, where);
  }
  try {
    return convert(jsep(src));
  } catch (e) {
    const msg = e instanceof Bad ? e.message : (e as Error).message;
    throw new ParseError(`cannot parse expression "${src}": ${msg}`, where);
  }
}
