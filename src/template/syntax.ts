import { ParseError, type Source } from '../errors.js';
import { GLOBALS } from './expr-funcs.js';
import { HELPERS } from './helpers.js';

/**
 * Which language a text is written in, decided per `{{ }}` without guessing:
 * - Handlebars forms: `{{#…}}`, `{{/…}}`, `{{^…}}`, `{{>…}}`, `{{!…}}`, `{{else}}`, `{{{…}}}`, `{{~`,
 *   `\{{`, `@data`, `this`, `../`, segment literals `x.[0]`, and helper calls `{{name arg …}}`
 *   (a helper's name, then an argument where Jinja would need an operator);
 * - Jinja forms: `{% %}`, `{# #}`, and every other `{{ }}` that is not a plain path;
 * - plain paths `{{ x }}`, `{{ x.y }}` mean the same in both and go either way.
 * A text holding both kinds is refused with an error naming the position.
 */
export type Syntax = 'plain' | 'handlebars' | 'jinja';

const STATEMENT = /\{%[\s\S]*?%\}|(?<!\{)\{#[\s\S]*?#\}/;
const PLAIN = /^\s*[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*\s*$/;
const HBS_START = /^(?:[#/^>!~&@*]|else\s*(?:\}|$|if\b)|\s*(?:this\b|\.\.\/|@|else\s*$))/;
const HBS_INSIDE = /(?:^|[\s(])(?:\.\.\/|this[.\s}]|this$|@[A-Za-z])|\.\[|~$/;
/** Jinja keywords that cannot start a helper call. */
const JINJA_WORDS = new Set(['if', 'else', 'is', 'in']);
/** What only Jinja writes between the words of a `{{ }}`: operators, filters, commas, keywords. */
const JINJA_OPERATOR = /[|+*%~,<>]|[!=]=|\s-\s|\/\/|(?<![.\w])\/|(?<!\.)\[|\b(?:is|in|if|else|and|or|not)\b/;

function mustaches(text: string): { inner: string; pos: number }[] {
  const out: { inner: string; pos: number }[] = [];
  const re = /\{\{\{?([\s\S]*?)\}?\}\}/g;
  for (const m of text.matchAll(re)) if (text[m.index - 1] !== '\\') out.push({ inner: m[0].startsWith('{{{') ? '&' : m[1]!, pos: m.index });
  return out;
}

/** One `{{ }}`'s kind. */
export function mustacheKind(inner: string): Syntax {
  if (PLAIN.test(inner)) return 'plain';
  const s = inner.trimStart();
  if (HBS_START.test(inner) || HBS_START.test(s) || HBS_INSIDE.test(s)) return 'handlebars';
  // `{{name arg …}}`: a name, then arguments with no Jinja operator among them — a helper call
  // (an unknown helper is then reported as such). `{{ not x }}` means the same in both.
  const call = /^([A-Za-z_][\w-]*)\s+([A-Za-z_"'\d(@])/.exec(s);
  if (call && !JINJA_WORDS.has(call[1]!) && !(call[2] === '(' && Object.hasOwn(GLOBALS, call[1]!) && !Object.hasOwn(HELPERS, call[1]!))) {
    const rest = s.slice(call[1]!.length).replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
    if (!JINJA_OPERATOR.test(rest)) return 'handlebars';
  }
  return 'jinja';
}

const lineOf = (text: string, pos: number): number => text.slice(0, pos).split('\n').length;

/** The language of a whole text; `where`/`context` locate the error when both are mixed. */
export function syntaxOf(text: string, where?: Source, context?: string): Syntax {
  let hbs: number | undefined;
  let jinja: number | undefined;
  if (text.includes('\\{{')) hbs = text.indexOf('\\{{');
  const stmt = STATEMENT.exec(text);
  if (stmt) jinja = stmt.index;
  for (const m of mustaches(text)) {
    const kind = mustacheKind(m.inner);
    if (kind === 'handlebars') hbs ??= m.pos;
    else if (kind === 'jinja') jinja ??= m.pos;
  }
  if (hbs !== undefined && jinja !== undefined) {
    const at = (p: number): string => (text.includes('\n') ? `line ${lineOf(text, p)}` : `offset ${p}`);
    throw new ParseError(
      `template error: this text mixes Handlebars (${at(hbs)}: "${snippet(text, hbs)}") and Jinja (${at(jinja)}: "${snippet(text, jinja)}"); write it in one language`,
      where, context);
  }
  return hbs !== undefined ? 'handlebars' : jinja !== undefined ? 'jinja' : 'plain';
}

function snippet(text: string, pos: number): string {
  const end = text.indexOf('}}', pos);
  return text.slice(pos, end < 0 ? pos + 20 : Math.min(end + 2, pos + 40)).replace(/\n/g, '\\n');
}

/** Does a text hold template syntax Ansible would render (`{{`, `{%`…%}`, `{#`…`#}`)? */
export function hasTemplateSyntax(s: string): boolean {
  return s.includes('{{') || (s.includes('{%') && STATEMENT.test(s)) || (s.includes('{#') && STATEMENT.test(s));
}
