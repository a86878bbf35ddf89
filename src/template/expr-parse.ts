import { ParseError, type Source } from '../errors.js';
import { lex, LexError, type Tok } from './expr-lex.js';
import { FILTERS, GLOBALS, METHODS, TESTS, type FuncDef } from './expr-funcs.js';
import { isForbiddenName } from './values.js';

/**
 * Jinja2's expression grammar, by Jinja's own precedence (parser.py), hand-written so that
 * nothing but this grammar exists — no JavaScript can be reached from it:
 *   a if c else b  <  or  <  and  <  not  <  comparisons (== != < > <= >= in, not in; chained)
 *   <  + -  <  ~  <  * / // %  <  **  <  unary - +  <  postfix (.x [i] [a:b] (call))  then | filter, is test
 * `not a == b` is `not (a == b)`; `-x | abs` is `(-x) | abs`; `a | int + 1` is `(a | int) + 1`.
 * Literals: numbers, 'strings' and "strings" (adjacent ones concatenate), true/True, false/False,
 * none/None, [lists], (tuples) as lists, {dicts}. Calls: the global functions in GLOBALS
 * (range, lookup, query…), and methods of Python's str/list/dict from an allow-list (METHODS).
 * Filter, test, function and method names and argument counts are checked here, at load time.
 */

/** `star`: Python's `*xs` (its items are more positional arguments, counted when the call runs). */
type Args = { args: ENode[]; kwargs: Record<string, ENode>; star?: ENode };

/** The checked tree the evaluator walks. `g`: written in parentheses. */
export type ENode = { g?: boolean } & (
  | { k: 'lit'; v: unknown; float?: boolean }
  | { k: 'var'; name: string }
  | { k: 'member'; obj: ENode; key: ENode }
  | { k: 'slice'; obj: ENode; start?: ENode; stop?: ENode; step?: ENode }
  | { k: 'list'; items: ENode[]; tuple?: boolean }
  | { k: 'dict'; items: [ENode, ENode][] }
  | { k: 'not'; arg: ENode }
  | { k: 'neg'; op: '-' | '+'; arg: ENode }
  | { k: 'bin'; op: string; l: ENode; r: ENode }
  | { k: 'cmp'; first: ENode; ops: [string, ENode][] }
  | { k: 'cond'; test: ENode; yes: ENode; no?: ENode }
  | ({ k: 'filter'; name: string; arg: ENode } & Args)
  | ({ k: 'test'; name: string; arg: ENode; negate: boolean } & Args)
  | ({ k: 'call'; name: string } & Args)
  | ({ k: 'mcall'; name: string } & Args)
  | ({ k: 'method'; obj: ENode; name: string } & Args));

export const COMPARE = new Set(['==', '!=', '<', '>', '<=', '>=']);
// `null` too: YAML's spelling, which tsplay's when: always accepted (in Jinja it is an undefined name).
const LITERALS: Record<string, unknown> = { true: true, True: true, false: false, False: false, none: null, None: null, null: null };
const TEST_NAMES: Record<string, string> = { none: 'none', None: 'none', null: 'none', true: 'true', True: 'true', false: 'false', False: 'false' };

export class Bad extends Error {
  constructor(message: string, readonly pos?: number) {
    super(message);
  }
}

export class Parser {
  private i = 0;
  /** `macros`: the names of the template's `{% macro %}`s so far (callable like functions). */
  constructor(private readonly toks: Tok[], private readonly macros?: ReadonlySet<string>) {}

  get cur(): Tok {
    return this.toks[this.i]!;
  }
  private peek(n = 1): Tok {
    return this.toks[Math.min(this.i + n, this.toks.length - 1)]!;
  }
  next(): Tok {
    const t = this.cur;
    if (t.t !== 'eof') this.i++;
    return t;
  }
  isOp(v: string): boolean {
    return this.cur.t === 'op' && this.cur.v === v;
  }
  isName(v: string): boolean {
    return this.cur.t === 'name' && this.cur.v === v;
  }
  skipOp(v: string): boolean {
    if (!this.isOp(v)) return false;
    this.i++;
    return true;
  }
  skipName(v: string): boolean {
    if (!this.isName(v)) return false;
    this.i++;
    return true;
  }
  fail(msg: string): never {
    throw new Bad(msg, this.cur.pos);
  }
  expectOp(v: string, what?: string): void {
    if (!this.skipOp(v)) this.fail(`expected '${v}'${what ? ` ${what}` : ''}, got ${describe(this.cur)}`);
  }
  expectName(): string {
    if (this.cur.t !== 'name') this.fail(`expected a name, got ${describe(this.cur)}`);
    return this.next().v as string;
  }
  get done(): boolean {
    return this.cur.t === 'eof';
  }

  /** A whole expression, with the inline `a if c else b`. */
  expression(withCond = true): ENode {
    const node = this.or();
    if (withCond && this.isName('if')) {
      this.next();
      const test = this.or();
      const no = this.skipName('else') ? this.expression() : undefined;
      return { k: 'cond', test, yes: node, no };
    }
    return node;
  }

  /** A tuple without parentheses (`{% for a, b in … %}` targets and `{% set %}` values). */
  tuple(simpleNames = false, withCond = true): ENode {
    const items: ENode[] = [];
    let comma = false;
    do {
      if (items.length && (this.done || this.isName('in') || this.isOp(')') || this.isOp('='))) break;
      items.push(simpleNames ? this.targetName() : this.expression(withCond));
      comma = this.isOp(',');
    } while (this.skipOp(','));
    return items.length === 1 && !comma ? items[0]! : { k: 'list', items };
  }

  private targetName(): ENode {
    const name = this.expectName();
    if (isForbiddenName(name)) this.fail(`access to '${name}' is not allowed`);
    return { k: 'var', name };
  }

  private or(): ENode {
    let l = this.and();
    while (this.skipName('or')) l = { k: 'bin', op: 'or', l, r: this.and() };
    return l;
  }
  private and(): ENode {
    let l = this.not();
    while (this.skipName('and')) l = { k: 'bin', op: 'and', l, r: this.not() };
    return l;
  }
  private not(): ENode {
    if (this.isName('not') && !(this.peek().t === 'name' && this.peek().v === 'in')) {
      this.next();
      return { k: 'not', arg: this.not() };
    }
    return this.compare();
  }
  private compare(): ENode {
    const first = this.math1();
    const ops: [string, ENode][] = [];
    for (;;) {
      if (this.cur.t === 'op' && COMPARE.has(this.cur.v)) ops.push([this.next().v as string, this.math1()]);
      else if (this.skipName('in')) ops.push(['in', this.math1()]);
      else if (this.isName('not') && this.peek().t === 'name' && this.peek().v === 'in') {
        this.i += 2;
        ops.push(['not in', this.math1()]);
      } else break;
    }
    return ops.length ? { k: 'cmp', first, ops } : first;
  }
  private math1(): ENode {
    let l = this.concat();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().v as string;
      l = { k: 'bin', op, l, r: this.concat() };
    }
    return l;
  }
  private concat(): ENode {
    let l = this.math2();
    while (this.skipOp('~')) l = { k: 'bin', op: '~', l, r: this.math2() };
    return l;
  }
  private math2(): ENode {
    let l = this.pow();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const op = this.next().v as string;
      l = { k: 'bin', op, l, r: this.pow() };
    }
    return l;
  }
  private pow(): ENode {
    let l = this.unary(true);
    while (this.skipOp('**')) l = { k: 'bin', op: '**', l, r: this.unary(true) };
    return l;
  }
  private unary(withFilter: boolean): ENode {
    let node: ENode;
    if (this.isOp('-') || this.isOp('+')) {
      const op = this.next().v as '-' | '+';
      node = { k: 'neg', op, arg: this.unary(false) };
    } else {
      node = this.postfix(this.primary());
    }
    return withFilter ? this.filters(node) : node;
  }

  private primary(): ENode {
    const t = this.cur;
    if (t.t === 'name') {
      this.next();
      if (Object.hasOwn(LITERALS, t.v)) return { k: 'lit', v: LITERALS[t.v] };
      if (isForbiddenName(t.v)) throw new Bad(`access to '${t.v}' is not allowed`, t.pos);
      if (this.isOp('(') && this.macros?.has(t.v)) return { k: 'mcall', name: t.v, ...this.callArgs() };
      if (this.isOp('(')) {
        if (!Object.hasOwn(GLOBALS, t.v)) this.fail(`unknown function '${t.v}()' (use a filter "x | f(...)" or a test "x is t(...)")`);
        const a = this.callArgs();
        checkArity('function', t.v, GLOBALS[t.v]!, a);
        return { k: 'call', name: t.v, ...a };
      }
      return { k: 'var', name: t.v };
    }
    if (t.t === 'str') {
      let v = '';
      while (this.cur.t === 'str') v += this.next().v;
      return { k: 'lit', v };
    }
    if (t.t === 'num') {
      this.next();
      return t.float ? { k: 'lit', v: t.v, float: true } : { k: 'lit', v: t.v };
    }
    if (this.skipOp('(')) {
      if (this.skipOp(')')) return { k: 'list', items: [], g: true, tuple: true };
      const start = this.i;
      const node = this.tuple();
      this.expectOp(')', 'to close (');
      const isTuple = node.k === 'list' && this.toks.slice(start, this.i).some((t) => t.t === 'op' && t.v === ',') && !(node.g);
      return isTuple ? { ...node, g: true, tuple: true } : { ...node, g: true };
    }
    if (this.skipOp('[')) {
      const items: ENode[] = [];
      while (!this.isOp(']')) {
        items.push(this.expression());
        if (!this.skipOp(',')) break;
      }
      this.expectOp(']', 'to close [');
      return { k: 'list', items };
    }
    if (this.skipOp('{')) {
      const items: [ENode, ENode][] = [];
      while (!this.isOp('}')) {
        const key = this.expression();
        this.expectOp(':', 'in a dict literal');
        items.push([key, this.expression()]);
        if (!this.skipOp(',')) break;
      }
      this.expectOp('}', 'to close {');
      return { k: 'dict', items };
    }
    if (t.t === 'eof') this.fail('unexpected end of expression');
    return this.fail(`unexpected ${describe(t)}`);
  }

  private postfix(node: ENode): ENode {
    for (;;) {
      if (this.skipOp('.')) {
        const t = this.next();
        if (t.t === 'num' && Number.isInteger(t.v)) {
          node = { k: 'member', obj: node, key: { k: 'lit', v: t.v } };
          continue;
        }
        if (t.t !== 'name') throw new Bad(`expected a name after '.', got ${describe(t)}`, t.pos);
        if (isForbiddenName(t.v)) throw new Bad(`access to '${t.v}' is not allowed`, t.pos);
        if (this.isOp('(')) {
          const a = this.callArgs();
          if (!Object.hasOwn(METHODS, t.v)) throw new Bad(`method '.${t.v}()' is not supported (allowed: ${Object.keys(METHODS).join(', ')})`, t.pos);
          checkArity('method', t.v, METHODS[t.v]!, a);
          node = { k: 'method', obj: node, name: t.v, ...a };
          continue;
        }
        node = { k: 'member', obj: node, key: { k: 'lit', v: t.v } };
      } else if (this.skipOp('[')) {
        node = this.subscript(node);
      } else if (this.isOp('(')) {
        this.fail('only functions and allowed methods can be called');
      } else {
        return node;
      }
    }
  }

  private subscript(obj: ENode): ENode {
    const part = (): ENode | undefined => (this.isOp(':') || this.isOp(']') ? undefined : this.expression());
    const start = part();
    if (!this.skipOp(':')) {
      if (!start) this.fail('empty subscript');
      this.expectOp(']', 'to close [');
      return { k: 'member', obj, key: start };
    }
    const stop = part();
    const step = this.skipOp(':') ? part() : undefined;
    this.expectOp(']', 'to close [');
    return { k: 'slice', obj, start, stop, step };
  }

  callArgs(): Args {
    this.expectOp('(');
    const args: ENode[] = [];
    const kwargs: Record<string, ENode> = {};
    let star: ENode | undefined;
    while (!this.isOp(')')) {
      if (this.isOp('*')) {
        // Jinja: one *args, after the positional arguments (keyword arguments may come before it)
        this.next();
        if (star) this.fail('only one *argument is allowed');
        star = this.expression();
      } else if (this.cur.t === 'name' && this.peek().t === 'op' && this.peek().v === '=') {
        const key = this.next().v as string;
        this.next();
        kwargs[key] = this.expression();
      } else {
        if (Object.keys(kwargs).length || star) this.fail(`a positional argument after ${star ? 'a *argument' : 'a keyword argument'}`);
        args.push(this.expression());
      }
      if (!this.skipOp(',')) break;
    }
    this.expectOp(')', 'to close the argument list');
    return star ? { args, kwargs, star } : { args, kwargs };
  }

  private filters(node: ENode): ENode {
    for (;;) {
      if (this.skipOp('|')) {
        const name = this.dottedName('|');
        if (!Object.hasOwn(FILTERS, name)) this.fail(`unknown filter '${name}'`);
        const a = this.isOp('(') ? this.callArgs() : { args: [], kwargs: {} };
        checkArity('filter', name, FILTERS[name]!, a);
        node = { k: 'filter', name, arg: node, ...a };
      } else if (this.isName('is')) {
        this.next();
        const negate = this.skipName('not');
        const name = this.cur.t === 'name' && TEST_NAMES[this.cur.v] ? TEST_NAMES[this.next().v as string]! : this.dottedName('is');
        if (!Object.hasOwn(TESTS, name)) this.fail(`unknown test '${name}'`);
        let a: Args = { args: [], kwargs: {} };
        if (this.isOp('(')) a = this.callArgs();
        else if ((['name', 'str', 'num'].includes(this.cur.t) || this.isOp('[') || this.isOp('{'))
          && !['else', 'or', 'and', 'if'].includes(String(this.cur.v))) {
          a = { args: [this.postfix(this.primary())], kwargs: {} };
        }
        checkArity('test', name, TESTS[name]!, a);
        node = { k: 'test', name, arg: node, negate, ...a };
      } else {
        return node;
      }
    }
  }

  /** A filter or test name; Ansible's FQCNs (ansible.builtin.x, community.general.x) name the same function. */
  private dottedName(after: string): string {
    if (this.cur.t !== 'name') this.fail(`expected a name after ${after}, got ${describe(this.cur)}`);
    const parts = [this.next().v as string];
    while (this.isOp('.') && this.peek().t === 'name') {
      this.next();
      parts.push(this.next().v as string);
    }
    return parts.at(-1)!;
  }
}

function describe(t: Tok): string {
  if (t.t === 'eof') return 'end of expression';
  if (t.t === 'str') return 'a string';
  if (t.t === 'num') return `'${t.v}'`;
  return `'${t.v}'`;
}

function checkArity(kind: string, name: string, def: FuncDef, a: Args): void {
  const n = a.args.length;
  // with a *argument the count is known when the call runs (expr.ts checks it then)
  if (n > def.max || (n < def.min && !a.star)) {
    const want = def.min === def.max ? `${def.min}` : def.max === Infinity ? `at least ${def.min}` : `${def.min} to ${def.max}`;
    throw new Bad(`${kind} '${name}' takes ${want} argument${def.max === 1 ? '' : 's'}, got ${n}`);
  }
  for (const k of Object.keys(a.kwargs)) {
    if (def.kwargs !== 'any' && !def.kwargs?.includes(k)) throw new Bad(`${kind} '${name}' has no argument '${k}'`);
  }
}

/** Parse and check one expression; errors are ParseErrors naming where and the expression. */
export function parseExpr(src: string, where?: Source, raw = false): ENode {
  if (src.trim() === '') throw new ParseError('empty expression', where);
  if (src.includes('{{')) {
    throw new ParseError(`do not put {{ }} inside an expression, write the variable name: "${src}"`, where);
  }
  try {
    const p = new Parser(lex(src, raw));
    const node = p.expression();
    if (!p.done) {
      if (p.isOp('=')) p.fail("unexpected '=' (compare with ==)");
      p.fail(`unexpected ${describe(p.cur)} after a complete expression (a missing operator?)`);
    }
    return node;
  } catch (e) {
    if (e instanceof Bad || e instanceof LexError) throw new ParseError(`cannot parse expression "${src}": ${e.message}`, where);
    throw e;
  }
}
