import type Handlebars from 'handlebars';
import { BLOCK_HELPERS, HELPERS } from './helpers.js';
import { isForbiddenName } from './values.js';

// Make the global `hbs` AST types of the handlebars package visible.
export type HbsProgram = ReturnType<typeof Handlebars.parse>;
type Node = hbs.AST.Node;
type Expr = hbs.AST.Expression;
type Path = hbs.AST.PathExpression;
type Sub = hbs.AST.SubExpression;
type Hash = hbs.AST.Hash;

/**
 * Rewrites a parsed template so that Handlebars can no longer be lenient:
 * - every variable read (`{{x}}`, `{{#if x}}`, `{{#each x}}`, helper and hash arguments, partial
 *   contexts) goes through `__tsplay_v`, which receives each prefix of the path (a, a.b, a.b.c)
 *   and throws "undefined variable 'a.b'" naming the first missing part;
 * - the optional value of `default`/`defined` goes through `__tsplay_opt` instead (undefined allowed);
 * - every `{{...}}` output goes through `__tsplay_out`, which writes lists/dicts as JSON and can
 *   capture the raw value (for the type-keeping whole-value rule);
 * - helper names and argument counts, block helpers, and names that reach prototypes are checked
 *   here, so a typo fails when the playbook loads.
 * A bare `{{version}}` always reads the variable, even when a helper has that name: Ansible vars
 * named like helpers (version, join, default) are common and helpers need arguments anyway.
 */

export class TemplateSyntaxError extends Error {
  constructor(message: string, readonly line?: number, readonly column?: number) {
    super(message);
  }
}

export const OUT = '__tsplay_out';
export const REQUIRED = '__tsplay_v';
export const OPTIONAL = '__tsplay_opt';
export const LOOKUP_OPTIONAL = '__tsplay_lookup_opt';
export const SECTION = '__tsplay_section';

function fail(message: string, node: Node): never {
  throw new TemplateSyntaxError(message, node.loc?.start.line, node.loc?.start.column);
}

const helperPath = (name: string, loc: hbs.AST.SourceLocation): Path =>
  ({ type: 'PathExpression', data: false, depth: 0, parts: [name], original: name, loc });

const stringLit = (value: string, loc: hbs.AST.SourceLocation): hbs.AST.StringLiteral =>
  ({ type: 'StringLiteral', value, original: value, loc });

const subExpr = (name: string, params: Expr[], loc: hbs.AST.SourceLocation, hash?: Hash): Sub =>
  ({ type: 'SubExpression', path: helperPath(name, loc), params, hash: hash as Hash, loc });

/** The name a user reads in messages: `@index`, `../x`, `this.a.b`, `groups.web.0`. */
function pathHead(p: Path): string {
  const scoped = /^(?:\.\/|this\.?)/.exec(p.original)?.[0] ?? '';
  return (p.data ? '@' : '') + '../'.repeat(p.depth) + (scoped.startsWith('this') ? 'this.' : scoped);
}

/** Each prefix of a path as its own path node: a, a.b, a.b.c. */
function prefixes(p: Path): Path[] {
  for (const part of p.parts) if (isForbiddenName(part)) fail(`access to '${part}' is not allowed`, p);
  const scoped = /^(?:\.\/|this\b)/.test(p.original) ? 'this.' : '';
  return p.parts.map((_part, i) => ({
    ...p,
    parts: p.parts.slice(0, i + 1),
    original: scoped + p.parts.slice(0, i + 1).join('.'),
  }));
}

function required(p: Path): Expr {
  if (p.parts.length === 0) return p; // `this`, `.`, `..`: the context itself
  const head = pathHead(p);
  const names = p.parts.map((_x, i) => head + p.parts.slice(0, i + 1).join('.')).join('\n');
  return subExpr(REQUIRED, [stringLit(names, p.loc), ...prefixes(p)], p.loc);
}

function optional(e: Expr): Expr {
  if (e.type === 'PathExpression') {
    const p = e as Path;
    return p.parts.length === 0 ? p : subExpr(OPTIONAL, prefixes(p), p.loc);
  }
  if (e.type === 'SubExpression' && (e as Sub).path.original === 'lookup') {
    const s = e as Sub;
    checkArity('lookup', s.params.length, s);
    return subExpr(LOOKUP_OPTIONAL, [optional(s.params[0]!), value(s.params[1]!)], s.loc);
  }
  return value(e);
}

function value(e: Expr): Expr {
  if (e.type === 'PathExpression') return required(e as Path);
  if (e.type === 'SubExpression') return helperCall(e as Sub);
  return e; // literals
}

function hashValues(hash: Hash | undefined): Hash | undefined {
  if (!hash) return hash;
  for (const pair of hash.pairs) pair.value = value(pair.value);
  return hash;
}

function checkArity(name: string, n: number, node: Node): void {
  const def = HELPERS[name]!;
  if (n < def.min || n > def.max) {
    const want = def.min === def.max ? `${def.min}` : def.max === Infinity ? `at least ${def.min}` : `${def.min} to ${def.max}`;
    fail(`helper '${name}' takes ${want} argument${def.max === 1 ? '' : 's'}, got ${n}`, node);
  }
}

function helperName(path: Expr): string {
  const p = path as Path;
  if (path.type !== 'PathExpression' || p.data || p.depth > 0 || p.parts.length !== 1) {
    fail(`'${String(p.original)}' is not a helper name`, path);
  }
  return p.parts[0]!;
}

function helperCall(s: Sub): Sub {
  const name = helperName(s.path);
  if (!Object.hasOwn(HELPERS, name)) fail(`unknown helper '${name}'`, s);
  checkArity(name, s.params.length, s);
  s.params = s.params.map((p, i) =>
    (name === 'default' && i === 0) || name === 'defined' ? optional(p) : value(p));
  s.hash = hashValues(s.hash) as Hash;
  return s;
}

function mustache(m: hbs.AST.MustacheStatement): void {
  if (m.type !== 'MustacheStatement') fail('decorators are not supported', m);
  const hasArgs = m.params.length > 0 || (m.hash?.pairs.length ?? 0) > 0;
  let inner: Expr;
  if (!hasArgs && m.path.type === 'PathExpression') inner = required(m.path as Path);
  else if (!hasArgs) inner = m.path;
  else inner = helperCall({ type: 'SubExpression', path: m.path as Path, params: m.params, hash: m.hash, loc: m.loc });
  m.path = helperPath(OUT, m.loc);
  m.params = [inner];
  m.hash = undefined as unknown as Hash;
}

function block(b: hbs.AST.BlockStatement): void {
  if ((b.type as string) === 'DecoratorBlock') fail('decorators are not supported', b);
  const name = b.path.original;
  const simple = b.path.type === 'PathExpression' && !b.path.data && b.path.depth === 0 && b.path.parts.length === 1;
  if (simple && BLOCK_HELPERS.has(name)) {
    if (b.params.length !== 1) fail(`#${name} takes 1 argument, got ${b.params.length}`, b);
    b.params = b.params.map(value);
    b.hash = hashValues(b.hash) as Hash;
  } else if (b.params.length === 0 && !b.hash && b.path.type === 'PathExpression') {
    // Mustache-style section {{#list}}...{{/list}}: the variable must exist.
    b.params = [required(b.path)];
    b.path = helperPath(SECTION, b.loc);
  } else {
    fail(`unknown block helper '#${name}' (use #if, #unless, #each or #with)`, b);
  }
  if (b.program) program(b.program);
  if (b.inverse) program(b.inverse);
}

function partial(p: hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement): void {
  if (p.name.type === 'SubExpression') p.name = helperCall(p.name as Sub);
  p.params = p.params.map(value);
  p.hash = hashValues(p.hash) as Hash;
  if (p.type === 'PartialBlockStatement') program(p.program);
}

function program(prog: hbs.AST.Program): void {
  for (const st of prog.body) {
    switch (st.type) {
      case 'MustacheStatement': mustache(st as hbs.AST.MustacheStatement); break;
      case 'BlockStatement': case 'DecoratorBlock': block(st as hbs.AST.BlockStatement); break;
      case 'PartialStatement': case 'PartialBlockStatement': partial(st as hbs.AST.PartialStatement); break;
      case 'ContentStatement': case 'CommentStatement': break;
      case 'Decorator': fail('decorators are not supported', st); break;
      default: fail(`unsupported template construct ${st.type}`, st);
    }
  }
}

/**
 * Rewrite in place. Returns whether the template is a whole-value reference: exactly one
 * `{{...}}` and nothing around it, whose raw value (list, number…) is the result.
 */
export function makeStrict(prog: hbs.AST.Program): { whole: boolean } {
  program(prog);
  return { whole: prog.body.length === 1 && prog.body[0]!.type === 'MustacheStatement' };
}
