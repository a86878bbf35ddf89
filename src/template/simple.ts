import { TemplateSyntaxError } from './ast.js';
import { OMIT } from './expr-funcs.js';
import { asRead, isForbiddenName, pyText, undefinedError } from './values.js';

/**
 * Most strings in a playbook only interpolate variables ("systemctl restart {{ unit }}").
 * Handlebars needs ~0.2 ms to parse and ~1 ms to compile each distinct text, which a playbook
 * of thousands of tasks would feel at load time; these simple texts are handled here instead,
 * with exactly the semantics the strict Handlebars path gives them (see ast.ts and render.ts):
 * own properties only, each prefix of a path must exist. A plain `{{ x }}` means the same in Jinja and
 * Handlebars, and is written into text as Ansible writes it: Python's str() (True, ['a', 'b']), None as ''.
 * Anything else (helpers, blocks, `this`, `../`, `@data`, `{{{`, escapes) goes to Handlebars.
 */

const SEG = String.raw`(?:[A-Za-z_][\w-]*|\[[^\]\n]*\])`;
const MUSTACHE = new RegExp(String.raw`\{\{\s*(${SEG}(?:\.${SEG})*)\s*\}\}`, 'g');
/** Words Handlebars reads as keywords or literals, not variable names. */
const KEYWORDS = new Set(['this', 'true', 'false', 'null', 'undefined', 'else']);

export interface SimpleTemplate {
  /** Literal text and variable paths, alternating: text, path, text, …, text. */
  texts: string[];
  paths: string[][];
  /** Exactly one reference and nothing around it: the value keeps its type. */
  whole: boolean;
}

/** The simple form of a template, or undefined when it needs Handlebars. Throws on forbidden names. */
export function parseSimple(text: string): SimpleTemplate | undefined {
  if (text.includes('{{{') || text.includes('\\{{')) return undefined;
  const texts: string[] = [];
  const paths: string[][] = [];
  let last = 0;
  for (const m of text.matchAll(MUSTACHE)) {
    const segments = m[1]!.split(/\.(?![^[]*\])/).map((s) => (s.startsWith('[') ? s.slice(1, -1) : s));
    if (KEYWORDS.has(m[1]!.split('.')[0]!)) return undefined;
    texts.push(text.slice(last, m.index));
    paths.push(segments);
    last = m.index + m[0].length;
  }
  texts.push(text.slice(last));
  if (texts.some((t) => t.includes('{{'))) return undefined;
  for (const p of paths) for (const seg of p) if (isForbiddenName(seg)) throw new TemplateSyntaxError(`access to '${seg}' is not allowed`);
  const whole = paths.length === 1 && texts[0] === '' && texts[1] === '';
  return { texts, paths, whole };
}

/** Handlebars' lookupProperty without prototype access: own properties (and string length) only. */
function lookup(parent: unknown, name: string): unknown {
  const v = (parent as Record<string, unknown>)[name];
  if (v === null || v === undefined) return v;
  return Object.prototype.hasOwnProperty.call(parent, name) ? v : undefined;
}

function resolve(path: string[], vars: unknown): unknown {
  // Ansible's `omit`, unless a variable of that name shadows it (as the Jinja path reads it, expr.ts)
  if (path.length === 1 && path[0] === 'omit' && !Object.hasOwn(vars as object, 'omit')) return OMIT;
  let cur = vars;
  for (let i = 0; i < path.length; i++) {
    cur = lookup(cur, path[i]!);
    if (cur === undefined || (cur === null && i < path.length - 1)) {
      throw undefinedError(path.slice(0, i + 1).join('.'));
    }
  }
  return asRead(cur);
}

export function renderSimple(t: SimpleTemplate, vars: unknown, keepType: boolean): unknown {
  if (keepType && t.whole) return resolve(t.paths[0]!, vars);
  let out = t.texts[0]!;
  for (let i = 0; i < t.paths.length; i++) out += pyText(resolve(t.paths[i]!, vars)) + t.texts[i + 1]!;
  return out;
}
