/**
 * The one shell-quoting helper: every value that reaches a remote shell goes through it.
 * POSIX single quotes keep everything literal; an embedded ' becomes '\''.
 */
export function quote(value: string | number | boolean): string {
  const s = String(value);
  if (s !== '' && /^[A-Za-z0-9_\-+=.,:/@%^]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Quote each word and join with spaces: an argv as one shell command line. */
export function quoteArgv(argv: readonly (string | number)[]): string {
  return argv.map((a) => quote(a)).join(' ');
}

/**
 * A glob pattern for the shell: `*`, `?` and simple bracket expressions (`[abc]`, `[!a-z]`) stay
 * unquoted so the shell expands them; everything else is quoted. For Python's glob.glob on the target
 * (command's `creates`/`removes`).
 */
export function quoteGlob(pattern: string): string {
  const parts: string[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') parts.push(quote(literal));
    literal = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const bracket = c === '[' ? /^\[!?\]?[A-Za-z0-9_.,:@%+\-]*\]/.exec(pattern.slice(i)) : null;
    if (c === '*' || c === '?' || (bracket && bracket[0].length > 2)) {
      flush();
      const token = bracket ? bracket[0] : c;
      parts.push(token);
      i += token.length - 1;
    } else literal += c;
  }
  flush();
  return parts.join('') || "''";
}
