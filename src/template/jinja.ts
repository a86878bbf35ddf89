import { ParseError, TsplayError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { lex, LexError } from './expr-lex.js';
import { Bad, Parser, type ENode } from './expr-parse.js';
import { ev, Frame, Macro, need, Undef } from './expr.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { searchDirs } from './lookups-lists.js';
import { NS } from './expr-funcs.js';
import { pyStrOf } from './floats.js';
import { isPlainObject, pyStr, truthy, typeName } from './values.js';
import { isDateTime, isTimeDelta } from './datetime.js';

/**
 * Jinja2 templates — `{{ }}`, `{% %}`, `{# #}` — with the environment Ansible gives them, so a
 * `.j2` renders byte for byte as Ansible's `template:` renders it:
 * - trim_blocks: the first newline after a block tag (`%}`) or a comment (`#}`) is removed;
 *   lstrip_blocks off; `{%-`, `-%}`, `{{-`, `-}}`, `{#-`, `-#}` strip whitespace on that side;
 * - keep_trailing_newline off, then Ansible's preserve_trailing_newlines: the result ends with
 *   as many newlines as the source did, when the rendering itself lost them;
 * - \r\n and \r are read as \n.
 * Statements: if/elif/else, for (tuple targets, `if` filter, else, `loop.*`), set (also the
 * block form and namespace attributes), raw, macro (callable after its definition), include. Expressions are expr-parse.ts's, evaluated by
 * expr.ts with the one function table.
 */

type TNode =
  | { k: 'text'; v: string }
  | { k: 'out'; e: ENode; line: number }
  | { k: 'if'; branches: [ENode, TNode[]][]; else?: TNode[]; line: number }
  | { k: 'for'; target: ENode; iter: ENode; filter?: ENode; body: TNode[]; else?: TNode[]; line: number }
  | { k: 'set'; target: ENode; e: ENode; line: number }
  | { k: 'setblock'; target: ENode; body: TNode[]; line: number }
  | { k: 'macro'; name: string; params: [string, ENode | undefined][]; body: TNode[]; line: number }
  | { k: 'include'; e: ENode; ignoreMissing: boolean; line: number };

export interface JinjaTemplate {
  nodes: TNode[];
  /** The source is exactly one `{{ expr }}`: its value keeps its type. */
  whole?: ENode;
  /** Newlines the source ended with (for preserve_trailing_newlines). */
  trailingNewlines: number;
}

export interface JinjaOptions {
  /** Playbook strings: string literals inside `{{ }}` keep their backslashes (Ansible's escape_backslashes). */
  rawStrings?: boolean;
}

type Tag = { kind: 'text'; v: string } | { kind: 'var' | 'block'; v: string; line: number; pos: number };

class TemplateError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

const lineAt = (s: string, pos: number): number => {
  let n = 1;
  for (let i = 0; i < pos; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
};

/** Where a tag's expression ends: skipping strings and nested brackets, at `close` or `-close`. */
function findEnd(s: string, from: number, close: string): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'") {
      i++;
      while (i < s.length && s[i] !== c) i += s[i] === '\\' ? 2 : 1;
      continue;
    }
    if (depth === 0 && s.startsWith(close, i)) return i;
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
  }
  return -1;
}

/** Cut the source into text, `{{ }}` and `{% %}` pieces, applying whitespace control, trim_blocks, raw and comments. */
function tokenize(src: string): Tag[] {
  const out: Tag[] = [];
  let text = '';
  let i = 0;
  let stripNext = false; // a `-%}` / `-}}` / `-#}`: strip the whitespace that follows
  let trimNewline = false; // trim_blocks: drop one newline right after `%}` / `#}`
  const pushText = (t: string): void => {
    let v = t;
    if (stripNext) v = v.replace(/^\s+/, '');
    else if (trimNewline && v.startsWith('\n')) v = v.slice(1);
    stripNext = false;
    trimNewline = false;
    text += v;
  };
  const flushText = (strip: boolean): void => {
    if (strip) text = text.replace(/\s+$/, '');
    if (text) out.push({ kind: 'text', v: text });
    text = '';
  };
  while (i < src.length) {
    const open = src.slice(i).search(/\{[{%#]/);
    if (open < 0) {
      pushText(src.slice(i));
      break;
    }
    const at = i + open;
    pushText(src.slice(i, at));
    const type = src[at + 1]!;
    const strip = src[at + 2] === '-';
    const bodyStart = at + 2 + (strip || src[at + 2] === '+' ? 1 : 0);
    const line = lineAt(src, at);
    if (type === '#') {
      const end = src.indexOf('#}', bodyStart);
      if (end < 0) throw new TemplateError('unclosed comment {#', line);
      flushText(strip);
      stripNext = src[end - 1] === '-';
      trimNewline = !stripNext;
      i = end + 2;
      continue;
    }
    const close = type === '{' ? '}}' : '%}';
    const end = findEnd(src, bodyStart, close);
    if (end < 0) throw new TemplateError(`unclosed ${type === '{' ? '{{' : '{%'}`, line);
    const endStrip = src[end - 1] === '-' && end - 1 >= bodyStart;
    const body = src.slice(bodyStart, endStrip ? end - 1 : end);
    flushText(strip);
    i = end + 2;
    if (type === '%' && /^\s*raw\s*$/.test(body)) {
      const m = /\{%(-?)\s*endraw\s*(-?)%\}/.exec(src.slice(i));
      if (!m) throw new TemplateError('{% raw %} without {% endraw %}', line);
      let raw = src.slice(i, i + m.index);
      // Jinja's raw_begin has no trim_blocks suffix: the newline after {% raw %} stays.
      if (endStrip) raw = raw.replace(/^\s+/, '');
      if (m[1]) raw = raw.replace(/\s+$/, '');
      text += raw;
      i += m.index + m[0].length;
      stripNext = m[2] === '-';
      trimNewline = !stripNext;
      continue;
    }
    out.push({ kind: type === '{' ? 'var' : 'block', v: body, line, pos: bodyStart });
    stripNext = endStrip;
    trimNewline = type === '%' && !endStrip;
  }
  flushText(false);
  return out;
}

function exprOf(src: string, line: number, raw: boolean, macros?: ReadonlySet<string>): ENode {
  try {
    const p = new Parser(lex(src, raw), macros);
    const e = p.expression();
    if (!p.done) p.fail(`unexpected '${String(p.cur.v)}' after a complete expression`);
    return e;
  } catch (e) {
    if (e instanceof Bad || e instanceof LexError) throw new TemplateError(`${e.message} in "{{${src}}}"`, line);
    throw e;
  }
}

/** The statement tree, from the tag list. */
function build(tags: Tag[], opts: JinjaOptions): TNode[] {
  let i = 0;
  const macros = new Set<string>();
  const block = (ends: string[]): { nodes: TNode[]; end: string; parser?: Parser; line: number } => {
    const nodes: TNode[] = [];
    while (i < tags.length) {
      const tag = tags[i++]!;
      if (tag.kind === 'text') {
        nodes.push({ k: 'text', v: tag.v });
        continue;
      }
      if (tag.kind === 'var') {
        if (tag.v.trim() === '') throw new TemplateError('empty {{ }}', tag.line);
        nodes.push({ k: 'out', e: exprOf(tag.v, tag.line, opts.rawStrings === true, macros), line: tag.line });
        continue;
      }
      let p: Parser;
      try {
        p = new Parser(lex(tag.v), macros);
      } catch (e) {
        throw new TemplateError((e as Error).message, tag.line);
      }
      const kw = p.cur.t === 'name' ? (p.next().v as string) : '';
      if (ends.includes(kw)) return { nodes, end: kw, parser: p, line: tag.line };
      try {
        nodes.push(statement(kw, p, tag.line));
      } catch (e) {
        if (e instanceof Bad || e instanceof LexError) throw new TemplateError(`${e.message} in "{%${tag.v}%}"`, tag.line);
        throw e;
      }
    }
    if (ends.length) throw new TemplateError(`missing {% ${ends.at(-1)} %}`, tags.length ? lastLine(tags) : 1);
    return { nodes, end: '', line: 0 };
  };
  const finish = (p: Parser | undefined, what: string): void => {
    if (p && !p.done) p.fail(`unexpected '${String(p.cur.v)}' after ${what}`);
  };
  const statement = (kw: string, p: Parser, line: number): TNode => {
    switch (kw) {
      case 'if': {
        const branches: [ENode, TNode[]][] = [];
        let cond = p.expression();
        finish(p, 'the condition');
        for (;;) {
          const b = block(['elif', 'else', 'endif']);
          branches.push([cond, b.nodes]);
          if (b.end === 'elif') {
            cond = b.parser!.expression();
            finish(b.parser, 'the condition');
            continue;
          }
          if (b.end === 'else') {
            finish(b.parser, 'else');
            const e = block(['endif']);
            finish(e.parser, 'endif');
            return { k: 'if', branches, else: e.nodes, line };
          }
          finish(b.parser, 'endif');
          return { k: 'if', branches, line };
        }
      }
      case 'for': {
        const target = p.tuple(true);
        if (!p.skipName('in')) p.fail("expected 'in' in {% for %}");
        const iter = p.tuple(false, false);
        const filter = p.skipName('if') ? p.expression(false) : undefined;
        p.skipName('recursive');
        finish(p, 'the loop');
        const b = block(['else', 'endfor']);
        if (b.end === 'else') {
          finish(b.parser, 'else');
          const e = block(['endfor']);
          finish(e.parser, 'endfor');
          return { k: 'for', target, iter, filter, body: b.nodes, else: e.nodes, line };
        }
        finish(b.parser, 'endfor');
        return { k: 'for', target, iter, filter, body: b.nodes, line };
      }
      case 'set': {
        const target = setTarget(p);
        if (p.skipOp('=')) {
          const e = p.tuple();
          finish(p, 'the value');
          return { k: 'set', target, e, line };
        }
        finish(p, 'the name');
        const b = block(['endset']);
        finish(b.parser, 'endset');
        return { k: 'setblock', target, body: b.nodes, line };
      }
      case 'macro': {
        const name = p.expectName();
        macros.add(name);
        const params: [string, ENode | undefined][] = [];
        if (!p.skipOp('(')) p.fail("expected '(' after the macro name");
        while (!p.skipOp(')')) {
          if (params.length && !p.skipOp(',')) p.fail("expected ',' or ')' in the macro's parameters");
          if (p.skipOp(')')) break;
          const param = p.expectName();
          params.push([param, p.skipOp('=') ? p.expression() : undefined]);
        }
        finish(p, 'the macro parameters');
        const b = block(['endmacro']);
        finish(b.parser, 'endmacro');
        return { k: 'macro', name, params, body: b.nodes, line };
      }
      case 'include': {
        const e = p.expression();
        let ignoreMissing = false;
        if (p.skipName('ignore')) {
          if (!p.skipName('missing')) p.fail("expected 'missing' after 'ignore'");
          ignoreMissing = true;
        }
        if (p.skipName('with') || p.skipName('without')) {
          if (!p.skipName('context')) p.fail("expected 'context'");
        }
        finish(p, 'the template name');
        return { k: 'include', e, ignoreMissing, line };
      }
      case '':
        return p.fail('a statement needs a name');
      default:
        return p.fail(`unknown statement '{% ${kw} %}' (supported: if, for, set, raw, macro, include)`);
    }
  };
  return block([]).nodes;
}

function setTarget(p: Parser): ENode {
  const first = p.expectName();
  if (p.skipOp('.')) return { k: 'member', obj: { k: 'var', name: first }, key: { k: 'lit', v: p.expectName() } };
  const names: ENode[] = [{ k: 'var', name: first }];
  while (p.skipOp(',')) names.push({ k: 'var', name: p.expectName() });
  return names.length === 1 ? names[0]! : { k: 'list', items: names };
}

function lastLine(tags: Tag[]): number {
  for (let i = tags.length - 1; i >= 0; i--) {
    const t = tags[i]!;
    if (t.kind !== 'text') return t.line;
  }
  return 1;
}

/** Parse a Jinja template. Syntax errors are ParseErrors naming `where` and the template line. */
export function parseJinja(src: string, opts: JinjaOptions = {}, where?: Source, context?: string): JinjaTemplate {
  const norm = src.includes('\r') ? src.replace(/\r\n?/g, '\n') : src;
  const trailingNewlines = /\n*$/.exec(norm)![0].length;
  const body = norm.endsWith('\n') ? norm.slice(0, -1) : norm;
  try {
    const tags = tokenize(body);
    const nodes = build(tags, opts);
    const only = nodes[0];
    const whole = trailingNewlines === 0 && tags.length === 1 && only?.k === 'out' && norm.startsWith('{{') && norm.endsWith('}}')
      ? only.e : undefined;
    return { nodes, whole, trailingNewlines };
  } catch (e) {
    if (e instanceof TemplateError) {
      const at = norm.includes('\n') ? ` (template line ${e.line})` : '';
      throw new ParseError(`template error: ${e.message}${at}`, where, context);
    }
    throw e;
  }
}


function iterate(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isPlainObject(v)) return Object.keys(v);
  throw new TsplayError(`'${typeName(v)}' object is not iterable`);
}

function assign(target: ENode, value: unknown, frame: Frame): void {
  if (target.k === 'var') {
    frame.locals.set(target.name, value);
    return;
  }
  if (target.k === 'list') {
    const vals = iterate(value);
    if (vals.length !== target.items.length) {
      throw new TsplayError(`cannot unpack ${vals.length} values into ${target.items.length} names`);
    }
    target.items.forEach((t, i) => assign(t, vals[i], frame));
    return;
  }
  if (target.k === 'member' && target.obj.k === 'var') {
    const ns = need(ev(target.obj, frame));
    if (!isPlainObject(ns) || !(ns as { [NS]?: true })[NS]) throw new TsplayError(`cannot assign to '${target.obj.name}.…': only a namespace() can be assigned attributes`);
    Object.defineProperty(ns, String((target.key as { v: unknown }).v), { value, enumerable: true, writable: true, configurable: true });
  }
}


function renderNodes(nodes: TNode[], frame: Frame, out: string[]): void {
  for (const n of nodes) {
    switch (n.k) {
      case 'text':
        out.push(n.v);
        break;
      case 'out': {
        const v = ev(n.e, frame);
        const x = v instanceof Undef && v.name === '(an inline if without else)' ? null : need(v);
        out.push(x === null || x === undefined ? '' : pyStrOf(n.e, x));
        break;
      }
      case 'if': {
        const hit = n.branches.find(([cond]) => truthy(need(ev(cond, frame))));
        if (hit) renderNodes(hit[1], frame, out);
        else if (n.else) renderNodes(n.else, frame, out);
        break;
      }
      case 'for': {
        let items = iterate(need(ev(n.iter, frame)));
        if (n.filter) {
          items = items.filter((item) => {
            const f = frame.child();
            assign(n.target, item, f);
            return truthy(need(ev(n.filter!, f)));
          });
        }
        if (items.length === 0) {
          if (n.else) renderNodes(n.else, frame, out);
          break;
        }
        const length = items.length;
        items.forEach((item, i) => {
          const f = frame.child();
          f.locals.set('loop', {
            index: i + 1, index0: i, revindex: length - i, revindex0: length - i - 1,
            first: i === 0, last: i === length - 1, length, depth: 1, depth0: 0,
            previtem: i > 0 ? items[i - 1] : undefined, nextitem: i < length - 1 ? items[i + 1] : undefined,
          });
          assign(n.target, item, f);
          renderNodes(n.body, f, out);
        });
        break;
      }
      case 'set':
        assign(n.target, need(ev(n.e, frame)), frame);
        break;
      case 'setblock': {
        const inner: string[] = [];
        renderNodes(n.body, frame.child(), inner);
        assign(n.target, inner.join(''), frame);
        break;
      }
      case 'macro':
        frame.locals.set(n.name, macro(n, frame));
        break;
      case 'include':
        include(n, frame, out);
        break;
    }
  }
}

/** A `{% macro %}` as a value: its body rendered in a frame of the definition's, with the arguments bound. */
function macro(n: Extract<TNode, { k: 'macro' }>, def: Frame): Macro {
  return new Macro(n.name, (args, kw) => {
    if (args.length > n.params.length) throw new TsplayError(`macro '${n.name}' takes not more than ${n.params.length} argument(s), got ${args.length}`);
    const f = def.child();
    n.params.forEach(([name, dflt], i) => {
      if (i < args.length) {
        if (Object.hasOwn(kw, name)) throw new TsplayError(`macro '${n.name}' got multiple values for argument '${name}'`);
        f.locals.set(name, args[i]);
      } else if (Object.hasOwn(kw, name)) f.locals.set(name, kw[name]);
      else f.locals.set(name, dflt ? need(ev(dflt, f)) : new Undef(name));
    });
    const bad = Object.keys(kw).find((k) => !n.params.some(([p]) => p === k));
    if (bad) throw new TsplayError(`macro '${n.name}' takes no keyword argument '${bad}'`);
    const out: string[] = [];
    renderNodes(n.body, f, out);
    return out.join('');
  });
}

/** `{% include 'x.j2' %}`: another template beside this one (or in a templates/ folder), with this context. */
function include(n: Extract<TNode, { k: 'include' }>, frame: Frame, out: string[]): void {
  const names = need(ev(n.e, frame));
  const list = (Array.isArray(names) ? names : [names]).map((x) => String(x));
  const here = frame.where?.file;
  const dirs = [...(here ? [dirname(here)] : []), ...searchDirs('templates', { vars: frame.vars, where: frame.where })];
  for (const name of list) {
    const file = isAbsolute(name) ? name : dirs.map((d) => join(d, name)).find((p) => existsSync(p) && statSync(p).isFile());
    if (!file || !existsSync(file)) continue;
    const t = parseJinja(readFileSync(file, 'utf8'), {}, { file, line: 1 });
    // Jinja renders an included template without its final newline (keep_trailing_newline is off).
    renderNodes(t.nodes, new Frame(frame.flat(), undefined, { file, line: 1 }), out);
    return;
  }
  if (!n.ignoreMissing) throw new TsplayError(`include: template ${list.map((x) => `'${x}'`).join(', ')} not found (searched ${dirs.join(', ')})`);
}

/** Render to text (template files, and strings with text around their `{{ }}`). */
export function renderJinja(t: JinjaTemplate, vars: Vars, where?: Source): string {
  const out: string[] = [];
  renderNodes(t.nodes, new Frame(vars, undefined, where), out);
  let res = out.join('');
  // Ansible's preserve_trailing_newlines: Jinja dropped the source's last newline; put back what is missing.
  const have = /\n*$/.exec(res)![0].length;
  if (t.trailingNewlines > have) res += '\n'.repeat(t.trailingNewlines - have);
  return res;
}

/** The typed value of a template that is exactly one `{{ expr }}`. */
export function evalWhole(t: JinjaTemplate, vars: Vars, where?: Source): unknown {
  const v = need(ev(t.whole!, new Frame(vars, undefined, where)));
  // A datetime (or a list of them) leaves the template as text, as Ansible's (non-native) templating returns it.
  const dated = (x: unknown): boolean => isDateTime(x) || isTimeDelta(x);
  return dated(v) || (Array.isArray(v) && v.some(dated)) ? pyStr(v) : v;
}
