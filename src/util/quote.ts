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
