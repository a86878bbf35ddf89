/**
 * The part of Python's `ast.literal_eval` that Ansible applies to INI values: ints (decimal
 * without leading zeros, 0x/0o/0b, `_` separators), floats, True/False/None, strings with
 * escapes (adjacent strings concatenate), lists, tuples (become lists), dicts, unary +/-.
 * Anything else is "not a literal" and Ansible keeps the raw text: `literalEval` returns
 * `undefined` for that case.
 */
type Token = { kind: 'num'; value: number } | { kind: 'str'; value: string } | { kind: 'name'; value: string } | { kind: 'op'; value: string };

/** Thrown (as one shared value, no stack trace to build) when the text is not a literal. */
const NOT_LITERAL = Symbol('not a literal');


const NUMBER =
  /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][+-]?[0-9](?:_?[0-9])*)?)/;

function parseNumber(text: string): number {
  const t = text.replace(/_/g, '');
  if (/^0[xX]/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[oO]/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0[bB]/.test(t)) return parseInt(t.slice(2), 2);
  if (/^[0-9]+$/.test(t)) {
    // Python 3: "05" is a syntax error, "00" is zero
    if (t.length > 1 && t[0] === '0' && !/^0+$/.test(t)) throw NOT_LITERAL;
    return Number(t);
  }
  return Number(t);
}

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '' };

function unescape(body: string, raw: boolean, bytes: boolean): string {
  if (raw) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = body[++i];
    if (n === undefined) throw NOT_LITERAL;
    if (n in SIMPLE_ESCAPES) out += SIMPLE_ESCAPES[n];
    else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out += String.fromCodePoint(parseInt(m, 8));
      i += m.length - 1;
    } else if (n === 'x' || (!bytes && (n === 'u' || n === 'U'))) {
      const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw NOT_LITERAL;
      out += String.fromCodePoint(parseInt(hex, 16));
      i += len;
    } else out += '\\' + n; // unknown escapes keep their backslash, as in Python
  }
  return out;
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    const ws = /^[ \t\f]+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    const str = /^([rRbBuU]{0,2})('''|"""|'|")/.exec(rest);
    if (str && /^(?:[rR]?[bB]?|[bB]?[rR]?|[uU]?)$/.test(str[1]!)) {
      const prefix = str[1]!.toLowerCase();
      const q = str[2]!;
      let j = str[0].length;
      let body = '';
      for (;;) {
        if (j >= rest.length) throw NOT_LITERAL;
        if (rest.startsWith(q, j)) break;
        const ch = rest[j]!;
        if (ch === '\n' && q.length === 1) throw NOT_LITERAL;
        if (ch === '\\') {
          body += rest.slice(j, j + 2);
          j += 2;
          continue;
        }
        body += ch;
        j++;
      }
      tokens.push({ kind: 'str', value: unescape(body, prefix.includes('r'), prefix.includes('b')) });
      i += j + q.length;
      continue;
    }
    const num = NUMBER.exec(rest);
    if (num && num[0] !== '') {
      const after = rest[num[0].length];
      // 1j (complex), 1abc, 12L: not literals Ansible can use
      if (after !== undefined && /[A-Za-z0-9_]/.test(after)) throw NOT_LITERAL;
      tokens.push({ kind: 'num', value: parseNumber(num[0]) });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (name) {
      tokens.push({ kind: 'name', value: name[0] });
      i += name[0].length;
      continue;
    }
    if ('[](){},:+-'.includes(rest[0]!)) {
      tokens.push({ kind: 'op', value: rest[0]! });
      i++;
      continue;
    }
    throw NOT_LITERAL;
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private isOp(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'op' && t.value === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) throw NOT_LITERAL;
    this.pos++;
  }

  /** A top-level expression: `1, 2` is a tuple as in Python. */
  top(): unknown {
    const first = this.value();
    if (!this.isOp(',')) {
      if (this.pos !== this.tokens.length) throw NOT_LITERAL;
      return first;
    }
    const items = [first];
    while (this.isOp(',')) {
      this.pos++;
      if (this.pos === this.tokens.length) break;
      items.push(this.value());
    }
    if (this.pos !== this.tokens.length) throw NOT_LITERAL;
    return items;
  }

  value(): unknown {
    const t = this.tokens[this.pos++];
    if (!t) throw NOT_LITERAL;
    if (t.kind === 'num') return t.value;
    if (t.kind === 'str') {
      let s = t.value;
      while (this.peek()?.kind === 'str') s += (this.tokens[this.pos++] as { value: string }).value;
      return s;
    }
    if (t.kind === 'name') {
      if (t.value === 'True') return true;
      if (t.value === 'False') return false;
      if (t.value === 'None') return null;
      throw NOT_LITERAL;
    }
    if (t.value === '+' || t.value === '-') {
      const n = this.tokens[this.pos++];
      if (!n || n.kind !== 'num') throw NOT_LITERAL;
      return t.value === '-' ? -n.value : n.value;
    }
    if (t.value === '[') return this.sequence(']');
    if (t.value === '(') {
      // (x) is grouping, (x,) and () are tuples
      if (this.isOp(')')) {
        this.pos++;
        return [];
      }
      const first = this.value();
      if (this.isOp(')')) {
        this.pos++;
        return first;
      }
      this.expectOp(',');
      return [first, ...this.sequence(')')];
    }
    if (t.value === '{') return this.dict();
    throw NOT_LITERAL;
  }

  private sequence(close: string): unknown[] {
    const items: unknown[] = [];
    while (!this.isOp(close)) {
      items.push(this.value());
      if (this.isOp(',')) this.pos++;
      else if (!this.isOp(close)) throw NOT_LITERAL;
    }
    this.pos++;
    return items;
  }

  private dict(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (!this.isOp('}')) {
      const key = this.value();
      // a set literal ({1, 2}) or an unhashable key is not something Ansible can keep
      if (key !== null && typeof key === 'object') throw NOT_LITERAL;
      this.expectOp(':');
      const v = this.value();
      Object.defineProperty(out, key === null ? 'None' : typeof key === 'boolean' ? (key ? 'True' : 'False') : String(key), {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      if (this.isOp(',')) this.pos++;
      else if (!this.isOp('}')) throw NOT_LITERAL;
    }
    this.pos++;
    return out;
  }
}

/** The value `ast.literal_eval(text)` would give, or `undefined` when it raises. */
export function literalEval(text: string): unknown {
  try {
    const tokens = tokenize(text.trim());
    if (tokens.length === 0) return undefined;
    return new Parser(tokens).top();
  } catch (e) {
    if (e === NOT_LITERAL) return undefined;
    throw e;
  }
}

/** An INI value as Ansible types it: the Python literal if it is one, else the text itself. */
export function iniValue(text: string): unknown {
  const v = literalEval(text);
  return v === undefined ? text : v;
}
