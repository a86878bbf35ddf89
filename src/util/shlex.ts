/**
 * Split a command line into words as a POSIX shell would (quotes and backslashes),
 * without expanding anything. Used by the `command` module, which runs its words
 * without a shell, so `$HOME` or `;` stay literal — as in Ansible.
 */
export function shellSplit(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated single quote');
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) i++;
        cur += line[i];
        i++;
      }
      if (i >= line.length) throw new Error('unterminated double quote');
      inWord = true;
      i++;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      i++;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/**
 * Ansible's free-form arguments (parsing/splitter.py's parse_kv with check_raw): `ls -l creates=/x
 * chdir=/tmp` → the command text and the k=v options the module knows. Words are split as Ansible's
 * split_args splits them (quotes and `{{ }}`/`{% %}`/`{# #}` blocks stay whole, newlines and runs of
 * spaces are kept, a `\` ending a line joins it to the next), and the other words are joined back as
 * its join_args does: so `cmd` is the text Ansible's module reports. Quoted values are unquoted.
 */
export function splitFreeForm(text: string, keys: readonly string[]): { raw: string; options: Record<string, string> } {
  const options: Record<string, string> = {};
  if (keys.length === 0) return { raw: text.trim(), options };
  const raw: string[] = [];
  for (const word of splitArgs(text)) {
    const x = decodeEscapes(word);
    // the first `=` not escaped by a backslash (and not the first character) separates key and value
    let pos = -1;
    for (let i = 1; i < x.length; i++) {
      if (x[i] === '=' && x[i - 1] !== '\\') {
        pos = i;
        break;
      }
    }
    if (pos < 0) {
      raw.push(x.includes('=') ? x.replaceAll('\\=', '=') : word);
      continue;
    }
    const k = x.slice(0, pos);
    if (!keys.includes(k)) raw.push(word);
    else options[k.trim()] = unquote(x.slice(pos + 1).trim());
  }
  return { raw: joinArgs(raw), options };
}

/** Ansible's unquote: one pair of matching outer quotes removed. */
function unquote(v: string): string {
  return v.length > 1 && v[0] === v[v.length - 1] && (v[0] === '"' || v[0] === "'") && v[v.length - 2] !== '\\' ? v.slice(1, -1) : v;
}

/** Python's unicode_escape decoding of the backslash escapes in a word (splitter.py's _decode_escapes). */
function decodeEscapes(s: string): string {
  const simple: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
  return s.replace(/\\(U[0-9A-Fa-f]{8}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|[0-7]{1,3}|[\\'"abfnrtv])/g, (_m, e: string) => {
    if (e in simple) return simple[e]!;
    if (/^[0-7]/.test(e)) return String.fromCodePoint(Number.parseInt(e, 8));
    return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
  });
}

/** splitter.py's join_args: words joined by a space, none after a word that ends a line. */
export function joinArgs(words: readonly string[]): string {
  let out = '';
  for (const w of words) out += out === '' || out.endsWith('\n') ? w : ` ${w}`;
  return out;
}

/** The quote a word leaves open (splitter.py's _get_quote_state): a quote not after a backslash toggles. */
function quoteState(token: string, open: string | undefined): string | undefined {
  for (let i = 0; i < token.length; i++) {
    const c = token[i]!;
    if ((c === '"' || c === "'") && (i === 0 || token[i - 1] !== '\\')) {
      if (open === undefined) open = c;
      else if (c === open) open = undefined;
    }
  }
  return open;
}

function depth(token: string, cur: number, open: string, close: string): number {
  const n = token.split(open).length - token.split(close).length;
  return n === 0 ? cur : Math.max(0, cur + n);
}

/**
 * splitter.py's split_args: split on spaces and newlines, putting back together what a quote or a
 * Jinja block split, keeping each newline on the word before it and extra spaces on the word before.
 */
export function splitArgs(args: string): string[] {
  const params: string[] = [];
  const lines = args.split('\n');
  let quote: string | undefined;
  let inside = false;
  let print = 0;
  let block = 0;
  let comment = 0;
  const unbalanced = () => new Error(`failed at splitting arguments, either an unbalanced jinja2 block or quotes: ${args}`);
  lines.forEach((line, lineIdx) => {
    const tokens = line.split(' ');
    let continuation = false;
    tokens.forEach((token, idx) => {
      if (token.length === 0 && idx !== 0) {
        if (params.length === 0) throw new Error('Unable to parse argument string');
        params[params.length - 1] += ' ';
        return;
      }
      if (token === '\\' && !inside) {
        continuation = true;
        return;
      }
      const wasInside = inside;
      quote = quoteState(token, quote);
      inside = quote !== undefined;
      let appended = false;
      const inBlock = () => print > 0 || block > 0 || comment > 0;
      if (inside && !wasInside && !inBlock()) {
        params.push(token);
        appended = true;
      } else if (inBlock() || inside || wasInside) {
        if (params.length === 0) throw unbalanced();
        if (idx === 0 && wasInside) params[params.length - 1] += token;
        else if (tokens.length > 1) params[params.length - 1] += `${idx > 0 ? ' ' : ''}${token}`;
        else params[params.length - 1] += `\n${token}`;
        appended = true;
      }
      for (const [open, close, which] of [['{{', '}}', 'print'], ['{%', '%}', 'block'], ['{#', '#}', 'comment']] as const) {
        const before = which === 'print' ? print : which === 'block' ? block : comment;
        const after = depth(token, before, open, close);
        if (which === 'print') print = after;
        else if (which === 'block') block = after;
        else comment = after;
        if (after !== before && !appended) {
          params.push(token);
          appended = true;
        }
      }
      if (!inBlock() && !inside && !appended && token !== '') params.push(token);
    });
    if (lines.length > 1 && lineIdx !== lines.length - 1 && !continuation && params.length > 0) params[params.length - 1] += '\n';
  });
  if (print || block || comment || inside) throw unbalanced();
  return params;
}
