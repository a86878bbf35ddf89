/**
 * Tokens of a Jinja2 expression (the text inside `{{ }}`, `{% if … %}`, a `when:`), as Jinja's
 * own lexer cuts them. `raw`: string literals keep their backslashes — Ansible doubles them inside
 * `{{ }}` of playbook strings before Jinja reads them, so `'\d'` there means backslash-d.
 */
export type Tok =
  | { t: 'name'; v: string; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'num'; v: number; pos: number; float?: boolean }
  | { t: 'op'; v: string; pos: number }
  | { t: 'eof'; v: ''; pos: number };

export class LexError extends Error {
  constructor(message: string, readonly pos: number) {
    super(message);
  }
}

const OPS = ['//', '**', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '~', '|', '.', ',', ':', '(', ')', '[', ']', '{', '}', '='];
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(?:\d[\d_]*)?(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?/y;
const SPACE = /\s+/y;

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '' };

/** Python's string escapes, as Jinja applies them to a literal. */
function unescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[\s\S])/g, (m, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    return ESCAPES[e] ?? m;
  });
}

export function lex(src: string, raw = false): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    SPACE.lastIndex = i;
    if (SPACE.test(src)) {
      i = SPACE.lastIndex;
      if (i >= src.length) break;
    }
    const c = src[i]!;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new LexError('unclosed string literal', i);
      const body = src.slice(i + 1, j);
      out.push({ t: 'str', v: raw ? body : unescape(body), pos: i });
      i = j + 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? '') && !/[\w)\]]/.test(src[i - 1] ?? ''))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src)![0];
      // `x.0.1` is two integer subscripts, not a float: after a '.', read digits only.
      const prev = out.at(-1);
      const text = prev?.t === 'op' && prev.v === '.' ? /^\d+/.exec(m)![0] : m;
      out.push(/[.eE]/.test(text) ? { t: 'num', v: Number(text.replace(/_/g, '')), pos: i, float: true } : { t: 'num', v: Number(text.replace(/_/g, '')), pos: i });
      i += text.length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(src);
    if (name) {
      out.push({ t: 'name', v: name[0], pos: i });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new LexError(`unexpected character '${c}'`, i);
    out.push({ t: 'op', v: op, pos: i });
    i += op.length;
  }
  out.push({ t: 'eof', v: '', pos: src.length });
  return out;
}
