import { TsplayError } from '../errors.js';
import { list, needAttr, num, simple, str1, text, type FuncDef } from './func-args.js';
import { urlsplitFilter } from './uri.js';
import { makeRegExp, pyStr, regexReplace, toInt, truthy } from './values.js';

/** Filters of text: case, trim and replace, regexes, split and join, quoting, layout and format. */

/** Python's str.format / %-format for the `format` filter: {} {0} {name} and %s %d %r. */
export function pyFormat(fmt: string, args: unknown[], kw: Record<string, unknown>): string {
  if (/%[-#0 +\d.]*[sdifrx]/.test(fmt) && !/\{\}/.test(fmt)) {
    let i = 0;
    return fmt.replace(/%([-#0 +]*)(\d+)?(?:\.(\d+))?([sdifrx%])/g, (_m, flags: string, width?: string, prec?: string, c?: string) => {
      if (c === '%') return '%';
      const v = args[i++];
      let s = c === 'd' || c === 'i' ? String(Math.trunc(num('format', v)))
        : c === 'f' ? num('format', v).toFixed(prec === undefined ? 6 : Number(prec))
          : c === 'x' ? Math.trunc(num('format', v)).toString(16)
            : c === 'r' ? JSON.stringify(v) : pyStr(v);
      if (width) s = flags.includes('-') ? s.padEnd(Number(width)) : s.padStart(Number(width), flags.includes('0') ? '0' : ' ');
      return s;
    });
  }
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}:!]*)(?::([^{}]*))?\}/g, (m, field?: string, spec?: string) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const v = field === '' || field === undefined ? args[auto++] : /^\d+$/.test(field) ? args[Number(field)] : kw[field];
    let s = pyStr(v);
    const sm = spec ? /^(.?[<>^])?(\d+)?(?:\.(\d+)f)?$/.exec(spec) : null;
    if (sm?.[3] !== undefined) s = num('format', v).toFixed(Number(sm[3]));
    if (sm?.[2]) {
      const w = Number(sm[2]);
      const align = sm[1]?.at(-1) ?? (typeof v === 'number' ? '>' : '<');
      const fill = sm[1] && sm[1].length === 2 ? sm[1][0]! : ' ';
      if (align === '<') s = s.padEnd(w, fill);
      else if (align === '>') s = s.padStart(w, fill);
      else {
        const left = Math.floor((w - s.length) / 2);
        s = s.padStart(s.length + Math.max(0, left), fill).padEnd(w, fill);
      }
    }
    return s;
  });
}

export function regexFlags(kw: Record<string, unknown>): string {
  return (truthy(kw.ignorecase) ? 'i' : '') + (truthy(kw.multiline) ? 'm' : '');
}

function regexSearch(s: string, pattern: string, groups: unknown[], kw: Record<string, unknown>): unknown {
  const m = makeRegExp(pattern, regexFlags(kw)).exec(s);
  if (!m) return '';
  if (groups.length === 0) return m[0];
  return groups.map((g) => {
    const gs = String(g);
    const n = /^\\(\d+)$/.exec(gs);
    if (n) return m[Number(n[1])] ?? null;
    const named = /^\\g<(\w+)>$/.exec(gs);
    if (named) return m.groups?.[named[1]!] ?? null;
    throw new TsplayError(`regex_search: unknown argument '${gs}'`);
  });
}

function regexFindall(s: string, pattern: string, kw: Record<string, unknown>): unknown[] {
  const re = makeRegExp(pattern, 'g' + regexFlags(kw));
  return [...s.matchAll(re)].map((m) => (m.length <= 1 ? m[0] : m.length === 2 ? m[1] ?? '' : m.slice(1).map((g) => g ?? '')));
}

function indent(s: string, width: unknown = 4, first: unknown = false, blank: unknown = false): string {
  const pad = typeof width === 'string' ? width : ' '.repeat(num('indent', width));
  const lines = s.split('\n');
  const out = lines.map((line, i) => {
    if (i === 0 && !truthy(first)) return line;
    if (line === '' && !truthy(blank)) return line;
    return pad + line;
  });
  return out.join('\n');
}

/** Ansible's `comment` filter (the plain style and the common styles by name). */
function comment(s: string, style: string, kw: Record<string, unknown>): string {
  const styles: Record<string, { beginning?: string; decoration: string; end?: string }> = {
    plain: { decoration: '# ' }, erlang: { decoration: '% ' }, c: { decoration: '// ' },
    cblock: { beginning: '/*', decoration: ' * ', end: ' */' }, xml: { beginning: '<!--', decoration: ' - ', end: '-->' },
  };
  const st = styles[style];
  if (!st) throw new TsplayError(`comment: unknown style '${style}'`);
  const decoration = kw.decoration !== undefined ? String(kw.decoration) : st.decoration;
  const prefix = kw.prefix !== undefined ? String(kw.prefix) : '\n';
  const prefixCount = kw.prefix_count !== undefined ? toInt(kw.prefix_count) : 1;
  const postfix = kw.postfix !== undefined ? String(kw.postfix) : '\n';
  const postfixCount = kw.postfix_count !== undefined ? toInt(kw.postfix_count) : 1;
  const beginning = kw.beginning !== undefined ? String(kw.beginning) : st.beginning;
  const end = kw.end !== undefined ? String(kw.end) : st.end;
  const deco = (line: string): string => (decoration + line).replace(/\s+$/, '') === decoration.trimEnd() && line === '' ? decoration.trimEnd() : decoration + line;
  const body = s.split('\n').map(deco).join('\n');
  const pre = prefix.split('\n').map((l) => (l === '' ? decoration.trimEnd() : decoration + l));
  let out = '';
  if (beginning) out += beginning + '\n';
  out += (pre.length > 1 ? Array(prefixCount).fill(decoration.trimEnd()).join('\n') + '\n' : '');
  out += body;
  const post = postfix.split('\n');
  out += post.length > 1 ? '\n' + Array(postfixCount).fill(decoration.trimEnd()).join('\n') : '';
  if (end) out += '\n' + end;
  return out;
}

/** Python's shlex.quote, as Ansible's `quote` filter: safe words as they are, else '…' with ' as '"'"'. */
function shlexQuote(s: string): string {
  if (s === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'"'"'`)}'`;
}

export const STRING_FILTERS: Record<string, FuncDef> = {
  urlsplit: { min: 0, max: 1, fn: (v, [query]) => urlsplitFilter(v, query) },
  lower: str1('lower', (s) => s.toLowerCase()),
  upper: str1('upper', (s) => s.toUpperCase()),
  capitalize: str1('capitalize', (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase()),
  title: str1('title', (s) => s.replace(/[A-Za-z0-9]+('[a-z]+)?/g, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase())),
  trim: { min: 0, max: 1, fn: (v, [chars]) => {
    const s = text('trim', v);
    if (chars === undefined) return s.trim();
    const set = String(chars);
    let a = 0;
    let b = s.length;
    while (a < b && set.includes(s[a]!)) a++;
    while (b > a && set.includes(s[b - 1]!)) b--;
    return s.slice(a, b);
  } },
  replace: { min: 2, max: 3, fn: (v, [a, b, count]) => {
    const s = text('replace', v);
    const from = text('replace', a);
    const to = text('replace', b);
    if (count === undefined) return s.split(from).join(to);
    const parts = s.split(from);
    const n = toInt(count);
    return parts.slice(0, n + 1).join(to) + (parts.length > n + 1 ? from + parts.slice(n + 1).join(from) : '');
  } },
  regex_replace: {
    min: 0, max: 3, kwargs: ['ignorecase', 'multiline', 'count'],
    fn: (v, [p = '', r = ''], kw) => regexReplace(text('regex_replace', v), text('regex_replace', p), text('regex_replace', r), regexFlags(kw)),
  },
  regex_search: {
    min: 1, max: Infinity, kwargs: ['ignorecase', 'multiline'],
    fn: (v, [p, ...groups], kw) => {
      const r = regexSearch(text('regex_search', v), text('regex_search', p), groups, kw);
      return r === '' ? null : r;
    },
  },
  regex_findall: { min: 1, max: 1, kwargs: ['ignorecase', 'multiline'], fn: (v, [p], kw) => regexFindall(text('regex_findall', v), text('regex_findall', p), kw) },
  regex_escape: simple((v) => text('regex_escape', v).replace(/[^A-Za-z0-9_]/g, '\\$&')),
  split: {
    min: 0, max: 2,
    fn: (v, [sep, max]) => {
      const s = text('split', v);
      const parts = sep === undefined || sep === null ? s.split(/\s+/).filter((p) => p !== '') : s.split(text('split', sep));
      if (max === undefined || toInt(max) < 0) return parts;
      const n = toInt(max);
      return parts.length > n + 1 ? [...parts.slice(0, n), parts.slice(n).join(sep === undefined ? ' ' : String(sep))] : parts;
    },
  },
  join: {
    min: 0, max: 1, kwargs: ['attribute'],
    fn: (v, [sep = ''], kw) => list('join', v).map((x) => pyStr(kw.attribute === undefined ? x : needAttr('join', x, kw.attribute))).join(text('join', sep)),
  },
  quote: simple((v) => shlexQuote(v === null || v === undefined ? '' : pyStr(v))),
  indent: { min: 0, max: 3, kwargs: ['width', 'first', 'blank'], fn: (v, [w, f, b], kw) => indent(text('indent', v), w ?? kw.width ?? 4, f ?? kw.first, b ?? kw.blank) },
  comment: { min: 0, max: 1, kwargs: ['decoration', 'prefix', 'prefix_count', 'postfix', 'postfix_count', 'beginning', 'end'], fn: (v, [style = 'plain'], kw) => comment(text('comment', v), String(style), kw) },
  format: { min: 0, max: Infinity, kwargs: 'any', fn: (v, args, kw) => pyFormat(text('format', v), args, kw) },
  center: { min: 0, max: 1, fn: (v, [w = 80]) => {
    const s = text('center', v);
    const total = Math.max(0, toInt(w) - s.length);
    const left = Math.floor(total / 2) + (total % 2 && toInt(w) % 2 ? 1 : 0);
    return ' '.repeat(left) + s + ' '.repeat(total - left);
  } },
  wordcount: str1('wordcount', (s) => (s.match(/\w+/g) ?? []).length),
};
