/**
 * Handlebars templating for every string of a play and for `template` sources.
 *
 * What an Ansible user can write (Jinja → Handlebars):
 *   {{ foo }}  {{ foo.bar }}  {{ hostvars.h1.x }}      attribute paths work as in Jinja
 *   {{ groups.web.[0] }}                             index: Handlebars segment literal (not .0, not [0])
 *   {{ lookup hostvars inventory_hostname }}         dynamic key: the `lookup` helper, not foo[bar]
 *   {{ item }}  {{ item.name }}  {{ ansible_loop.index }}  loop variables are ordinary variables
 *   {{ default port 5060 }}                          not {{ port | default(5060) }}: no filters
 *   {{#if (eq state "started")}}..{{else}}..{{/if}}  not {% if %}: helpers, not statements
 *   {{#each servers}}{{name}}:{{@index}} {{/each}}   loops; {{@key}} over dicts
 *   {{#if (defined x)}} / {{default x ""}}           optional values must be said to be optional
 *   {{> snippet}}                                    partials from templates/partials/
 *   \{{ literal braces }}                            instead of {% raw %} (docker --format, Go templates)
 * Strict: an undefined variable anywhere (output, #if/#each/#with/#unless, helper and hash
 * arguments) is an error naming it; `default`/`defined` are the only ways to accept absence.
 * Handlebars' own `strict` compile option is not used: ast.ts makes every read strict, and
 * Handlebars' option would also break `default`.
 * No HTML escaping. Lists and dicts written into text become JSON; null becomes ''.
 * Prototype access is off (Handlebars' runtime checks, plus names like constructor/__proto__ are
 * refused when the template is parsed). Templates are compiled once and cached by text; texts that
 * only interpolate plain paths skip Handlebars (simple.ts) with the same semantics.
 * A whole-value reference ("{{ ports }}", only whitespace around a single {{ }}) returns the value
 * with its type, as Ansible does: a list stays a list, a number a number.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { ParseError, TsplayError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { setSource, sourceOf } from '../util/yaml.js';
import { LOOKUP_OPTIONAL, makeStrict, OPTIONAL, OUT, REQUIRED, SECTION, TemplateSyntaxError } from './ast.js';
import { HELPERS, lookupOptional } from './helpers.js';
import { parseSimple, renderSimple, type SimpleTemplate } from './simple.js';
import { isPlainObject, toText, undefinedError } from './values.js';
import { OMIT } from './expr-funcs.js';
import { evalWhole, parseJinja, renderJinja, type JinjaTemplate } from './jinja.js';
import { setTemplateFileRenderer } from './lookups.js';
import { hasTemplateSyntax, syntaxOf } from './syntax.js';
import { collectUnsafe, fromUnsafe, markTaintedMember, markUnsafeMember, noteUnsafe, unsafeLiteral } from './unsafe.js';

const hb = Handlebars.create();
const builtinSection = hb.helpers['blockHelperMissing'] as Handlebars.HelperDelegate;

for (const [name, def] of Object.entries(HELPERS)) {
  hb.registerHelper(name, (...args: unknown[]) => {
    const options = args.pop() as Handlebars.HelperOptions;
    return def.fn(args, options.hash ?? {});
  });
}
hb.registerHelper(REQUIRED, (names: string, ...rest: unknown[]) => {
  const values = rest.slice(0, -1);
  const last = values.length - 1;
  values.forEach((v, i) => {
    if (v === undefined || (v === null && i < last)) throw undefinedError(names.split('\n')[i]!);
  });
  return values[last];
});
hb.registerHelper(OPTIONAL, (...rest: unknown[]) => {
  const values = rest.slice(0, -1);
  return values.some((v, i) => v === undefined || (v === null && i < values.length - 1))
    ? undefined : values[values.length - 1];
});
hb.registerHelper(LOOKUP_OPTIONAL, (obj: unknown, key: unknown) => lookupOptional(obj, key));
hb.registerHelper(OUT, (v: unknown, options: Handlebars.HelperOptions) => {
  const capture = (options.data as { tsplayCapture?: { value?: unknown } } | undefined)?.tsplayCapture;
  if (capture) {
    capture.value = v;
    return '';
  }
  return toText(v);
});
hb.registerHelper(SECTION, function (this: unknown, ...args: unknown[]) {
  return (builtinSection as (...a: unknown[]) => unknown).apply(this, args);
});
hb.registerHelper('helperMissing', (...args: unknown[]) => {
  const options = args.pop() as { name?: string };
  throw new TsplayError(`unknown helper '${options.name}'`);
});

const RUNTIME = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false };

/** A compiled template: plain interpolation (simple.ts), a strict Handlebars function, or Jinja (jinja.ts). */
type Compiled = { simple: SimpleTemplate } | { fn: Handlebars.TemplateDelegate; whole: boolean } | { jinja: JinjaTemplate };
const cache = new Map<string, Compiled>();
const fileCache = new Map<string, Compiled>();
const CACHE_MAX = 20_000;

/** Does this string contain template syntax (`{{`, or a `{% %}` / `{# #}` Jinja tag)? */
export function isTemplate(s: string): boolean {
  return hasTemplateSyntax(s);
}

function compileHandlebars(text: string): Compiled {
  const ast = hb.parse(text);
  const { whole } = makeStrict(ast);
  return { fn: hb.compile(ast, { noEscape: true }), whole };
}

/**
 * Compile a text (cached). `file`: a template file — the `.j2`/`.jinja2` extension means Jinja
 * even for plain `{{ x }}`, `.hbs` means Handlebars; string literals keep Python's escapes
 * (Ansible's template module does not double backslashes as it does for playbook strings).
 */
function compile(text: string, where?: Source, context?: string, file?: string): Compiled {
  const store = file ? fileCache : cache;
  const key = file ? `${path.extname(file)}\0${text}` : text;
  const hit = store.get(key);
  if (hit) return hit;
  let compiled: Compiled;
  try {
    const ext = file ? path.extname(file) : '';
    const syntax = ext === '.hbs' || ext === '.handlebars' ? 'handlebars' : syntaxOf(text, where, context);
    const jinjaFile = ext === '.j2' || ext === '.jinja2' || ext === '.jinja';
    if (syntax === 'jinja' || (syntax === 'plain' && jinjaFile)) {
      compiled = { jinja: parseJinja(text, { rawStrings: !file }, where, context) };
    } else if (syntax === 'plain') {
      const simple = parseSimple(text);
      compiled = simple ? { simple } : { jinja: parseJinja(text, { rawStrings: !file }, where, context) };
    } else {
      compiled = compileHandlebars(text);
    }
  } catch (e) {
    throw syntaxError(e, text, where, context);
  }
  if (store.size >= CACHE_MAX) store.clear();
  store.set(key, compiled);
  return compiled;
}

const TOKENS: Record<string, string> = {
  EOF: 'end of template (an unclosed {{ or {{#block}}?)', INVALID: 'invalid character',
  CLOSE_BLOCK_PARAMS: "'|'", OPEN_BLOCK_PARAMS: "'as |'", SEP: "'.' or '/'", NUMBER: 'number', ID: 'name',
  STRING: 'string', OPEN_SEXPR: "'('", CLOSE_SEXPR: "')'", CLOSE: "'}}'", EQUALS: "'='",
};

function syntaxError(e: unknown, text: string, where?: Source, context?: string): ParseError {
  if (e instanceof ParseError && e.where) return e;
  if (e instanceof TsplayError) return new ParseError(e.message, where, context);
  const err = e as Error & { lineNumber?: number };
  let msg: string;
  let line: number | undefined;
  // Handlebars' parser errors span four lines (excerpt, caret, expected tokens): keep the gist.
  const parse = /^Parse error on line (\d+):\n(.*)\n-*\^\n.*got '([^']+)'/s.exec(err.message ?? '');
  if (e instanceof TemplateSyntaxError) {
    msg = e.message;
    line = e.line;
  } else if (parse) {
    line = Number(parse[1]);
    const token = parse[3]!;
    msg = `unexpected ${TOKENS[token] ?? token.toLowerCase()} near "${parse[2]!.trim()}"`;
    if (token === 'NUMBER' && /\.\d/.test(parse[2]!)) msg += ' (index a list with a segment literal: items.[0])';
  } else {
    msg = String(err.message ?? e).split('\n')[0]!.replace(/ - \d+:\d+$/, '');
    line = err.lineNumber;
  }
  if (line !== undefined && text.includes('\n')) msg += ` (template line ${line})`;
  return new ParseError(`template error: ${msg}`, where, context);
}

/** Re-throw an error raised while rendering with our location attached. */
function located(e: unknown, where?: Source, context?: string): TsplayError {
  if (e instanceof TsplayError) {
    if (e.where) return e;
    return e instanceof ParseError
      ? new ParseError(e.message, where, context)
      : new TsplayError(e.message, { code: e.code, where, context });
  }
  const message = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  return new TsplayError(`template error: ${message}`, { where, context });
}

/** Parse-check a template at load time (no variables needed): throws ParseError naming `where` and the problem. */
export function checkTemplate(text: string, where?: Source, context?: string): void {
  if (isTemplate(text) && unsafeLiteral(text) === undefined) compile(text, where, context);
}

/** Parse-check a template file (`--syntax-check`): throws ParseError naming the file and the template line. */
export function checkTemplateFile(text: string, file: string): void {
  if (isTemplate(text)) compile(text, { file, line: 1 }, undefined, file);
}

/** Run a template; `keepType`: a whole-value reference returns the raw value. */
function run(c: Compiled, vars: Vars, keepType: boolean, where?: Source, context?: string): unknown {
  try {
    if ('simple' in c) return renderSimple(c.simple, vars, keepType);
    if ('jinja' in c) return keepType && c.jinja.whole ? evalWhole(c.jinja, vars, where) : renderJinja(c.jinja, vars, where);
    if (!(keepType && c.whole)) return c.fn(vars, RUNTIME);
    const box: { value?: unknown } = {};
    c.fn(vars, { ...RUNTIME, data: { tsplayCapture: box } });
    return box.value;
  } catch (e) {
    throw located(e, where, context);
  }
}

/**
 * Render one string. A whole-value reference returns the value with its type; otherwise a string.
 * Strict: an undefined variable throws TsplayError "undefined variable 'x'" naming where and context.
 */
export function renderValue(text: string, vars: Vars, where?: Source, context?: string): unknown {
  // The cache holds only templates: a hit skips the scan for template syntax.
  const c = cache.get(text);
  if (c) return run(c, vars, true, where, context);
  if (!isTemplate(text)) return text;
  const unsafe = unsafeLiteral(text);
  if (unsafe !== undefined) {
    noteUnsafe([unsafe]);
    return unsafe;
  }
  return run(compile(text, where, context), vars, true, where, context);
}

/** Always a string (template module sources). */
export function renderText(text: string, vars: Vars, where?: Source, context?: string): string {
  if (!isTemplate(text)) return text;
  const unsafe = unsafeLiteral(text);
  if (unsafe !== undefined) {
    noteUnsafe([unsafe]);
    return unsafe;
  }
  return run(compile(text, where, context), vars, false, where, context) as string;
}

/**
 * Render a template file (the `template` module, `lookup('template')`): always text. Jinja with
 * Ansible's template environment; Handlebars when the file is `.hbs` or uses Handlebars forms.
 * Errors name the file and the template line.
 */
export function renderFile(text: string, vars: Vars, file: string): string {
  if (!isTemplate(text)) return text;
  const where = { file, line: 1 };
  return run(compile(text, where, undefined, file), vars, false, where) as string;
}
setTemplateFileRenderer((text, vars, where) => renderFile(text, vars, where.file));

/**
 * Render every string inside a value (objects/arrays deep), keys untouched; source positions kept.
 * A member rendered from an `!unsafe` value is marked so (unsafe.ts isUnsafeMember), and a member
 * whose render read any unsafe value is marked tainted (isTaintedMember).
 */
export function renderDeep(value: unknown, vars: Vars, where?: Source, context?: string): unknown {
  if (typeof value === 'string') return renderValue(value, vars, sourceOf(value) ?? where, context);
  if (Array.isArray(value)) {
    const here = sourceOf(value) ?? where;
    // Ansible's omit: an item or key whose value is `omit` is left out.
    const out: unknown[] = [];
    for (const v of value) {
      const [r, unsafe, tainted] = renderMember(v, vars, here, context);
      if (r === OMIT) continue;
      if (unsafe) markUnsafeMember(out, out.length);
      if (tainted) markTaintedMember(out, out.length);
      out.push(r);
    }
    setSource(out, sourceOf(value));
    return out;
  }
  if (isPlainObject(value)) {
    const here = sourceOf(value) ?? where;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const [r, unsafe, tainted] = renderMember(v, vars, here, context);
      if (r === OMIT) continue;
      out[k] = r;
      if (unsafe) markUnsafeMember(out, k);
      if (tainted) markTaintedMember(out, k);
    }
    setSource(out, sourceOf(value));
    return out;
  }
  return value;
}

/** One member of a list or dict, rendered; whether its text came from an unsafe value; whether its render read one. */
function renderMember(v: unknown, vars: Vars, where: Source | undefined, context: string | undefined): [unknown, boolean, boolean] {
  if (typeof v !== 'string') {
    const [r, , tainted] = collectUnsafe(() => renderDeep(v, vars, where, context));
    return [r, false, tainted];
  }
  if (!isTemplate(v)) return [v, false, false];
  const [r, literals, tainted] = collectUnsafe(() => renderValue(v, vars, sourceOf(v) ?? where, context));
  return [r, fromUnsafe(r, literals), tainted];
}

/** Does a value hold a template anywhere inside (strings, lists, dicts)? */
export function containsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return isTemplate(value);
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (isPlainObject(value)) return Object.values(value).some(containsTemplate);
  return false;
}

const PARTIAL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Register partials from a directory (templates/partials/*.hbs|*.j2|*.txt…): the name is the
 * path below `dir` without its extension (`sip/trunk.hbs` → `{{> sip/trunk}}`). A missing
 * directory is fine; a partial that does not parse is a ParseError naming its file.
 */
export function registerPartialsDir(dir: string): void {
  if (!existsSync(dir)) return;
  const walk = (sub: string): void => {
    for (const entry of readdirSync(path.join(dir, sub)).sort()) {
      const rel = sub ? `${sub}/${entry}` : entry;
      const full = path.join(dir, rel);
      if (statSync(full).isDirectory()) {
        walk(rel);
        continue;
      }
      const name = rel.replace(/\.[^./]+$/, '');
      if (!name.split('/').every((seg) => PARTIAL_NAME.test(seg))) continue; // editor backups, dotfiles
      const where = { file: full, line: 1 };
      const text = readFileSync(full, 'utf8');
      // Partials always go through Handlebars: they are invoked by it, with its scope and options.
      let fn: Handlebars.TemplateDelegate;
      try {
        const ast = hb.parse(text);
        makeStrict(ast);
        fn = hb.compile(ast, { noEscape: true });
      } catch (e) {
        throw syntaxError(e, text, where);
      }
      hb.registerPartial(name, (ctx: unknown, opts?: Handlebars.RuntimeOptions) => {
        try {
          return fn(ctx, opts);
        } catch (e) {
          throw located(e, where, `partial '${name}'`);
        }
      });
    }
  };
  walk('');
}
