/**
 * The little SQL knowledge the psql module needs: split a script into statements the way psql does
 * (semicolons outside strings, quoted identifiers, dollar quotes and comments; backslash meta-commands
 * run to the end of their line), tell read-only statements apart, and read psql's CSV output.
 */

export interface Statement {
  /** The statement's text without its terminating semicolon (comments kept). */
  text: string;
  /** A psql meta-command line such as `\c sre`. */
  meta: boolean;
  /** The upper-cased words outside strings, quoted identifiers and comments, in order. */
  words: string[];
  /**
   * Meta-commands written inside the statement (`SELECT 1 \gexec`, `SELECT 1 \! cmd`): psql runs a
   * backslash command wherever it appears outside quotes, so such a statement is never read-only.
   */
  innerMeta?: string[];
}

export function splitStatements(sql: string): Statement[] {
  const out: Statement[] = [];
  let start = 0;
  let words: string[] = [];
  let innerMeta: string[] = [];
  let sawCode = false;
  let i = 0;
  const n = sql.length;
  const push = (end: number, meta = false) => {
    const text = sql.slice(start, end);
    if (sawCode || meta) out.push(innerMeta.length > 0 ? { text, meta, words, innerMeta } : { text, meta, words });
    words = [];
    innerMeta = [];
    sawCode = false;
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
    } else if (c === "'") {
      // E'...' strings take backslash escapes; standard strings only double the quote.
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]!) && (i < 2 || !/[A-Za-z0-9_]/.test(sql[i - 2]!));
      i++;
      while (i < n) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") break;
        else i++;
      }
      i++;
      sawCode = true;
    } else if (c === '"') {
      const close = sql.indexOf('"', i + 1);
      i = close < 0 ? n : close + 1;
      while (i < n && sql[i] === '"') i = (sql.indexOf('"', i + 1) + 1) || n;
      sawCode = true;
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(i)) && !(i > 0 && /[A-Za-z0-9_]/.test(sql[i - 1]!))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))![0];
      const close = sql.indexOf(tag, i + tag.length);
      i = close < 0 ? n : close + tag.length;
      sawCode = true;
    } else if (c === '\\' && !sawCode) {
      // A meta-command at the start of a statement: psql runs it up to the end of the line.
      if (sql.slice(start, i).trim() !== '') push(i);
      start = i;
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      push(i, true);
      start = i;
    } else if (c === '\\') {
      // A meta-command after some SQL: part of this statement for psql, recorded so it is never read-only.
      const nl = sql.indexOf('\n', i);
      const end = nl < 0 ? n : nl;
      innerMeta.push(sql.slice(i, end));
      i = end;
    } else if (c === ';') {
      push(i);
      i++;
      start = i;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      words.push(sql.slice(i, j).toUpperCase());
      i = j;
      sawCode = true;
    } else {
      if (!/\s/.test(c)) sawCode = true;
      i++;
    }
  }
  push(n);
  return out;
}

const READ_FIRST = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE', 'SHOW', 'EXPLAIN']);
const WRITE_WORDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'INTO', 'ANALYZE', 'ANALYSE']);

/**
 * Meta-commands that only print or set psql's own state, or describe the catalog. Anything else (`\!`,
 * `\o`, `\w`, `\copy`, `\i`, `\gexec`, `\lo_*`, `\setenv`…) may act outside the database and
 * is never run while planning. A backquote runs a shell command inside any meta-command's arguments, and
 * a further backslash starts another meta-command: neither is allowed.
 */
const SAFE_META = /^\\(echo|qecho|warn|set|unset|pset|a|t|x|H|C|f|timing|conninfo|encoding|c|connect|l\+?|z|d[A-Za-z]*\+?S?\+?|sf\+?|sv\+?)(\s|$)/;

export function isSafeMeta(text: string): boolean {
  const t = text.trim();
  // A second backslash may start another meta-command on the same line (`\echo x \\ \! cmd`).
  return SAFE_META.test(t) && !t.includes('`') && !t.slice(1).includes('\\');
}

/**
 * A statement that only reads: SELECT/WITH/VALUES/TABLE/SHOW/EXPLAIN without INSERT/UPDATE/DELETE/MERGE,
 * SELECT … INTO or EXPLAIN ANALYZE, and no meta-command inside it; or an allow-listed meta-command.
 * (A function with side effects called from a SELECT is not seen here: the planning probe runs in a
 * read-only transaction that is rolled back, where it fails, and the statement becomes a step.)
 */
export function isReadOnly(st: Statement): boolean {
  if (st.meta) return isSafeMeta(st.text);
  if (st.innerMeta) return false;
  const first = st.words[0];
  if (!first || !READ_FIRST.has(first)) return false;
  return !st.words.some((w) => WRITE_WORDS.has(w));
}

/** Statements whose rows can be read back typed, as JSON, by wrapping them in a subquery. */
export function isWrappable(st: Statement): boolean {
  const first = st.words[0];
  return !st.meta && isReadOnly(st) && (first === 'SELECT' || first === 'WITH' || first === 'VALUES' || first === 'TABLE');
}

/** Rows of a read query as one JSON value: any value (newlines, unicode, nulls, numbers) survives. */
export function wrapAsJson(text: string): string {
  return `SELECT coalesce(json_agg(t), '[]'::json) AS rows FROM (\n${text}\n) t`;
}

/** RFC 4180 CSV as `psql --csv` prints it: first record is the header. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let rec: string[] = [];
  let field = '';
  let i = 0;
  let quotedField = false;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' && field === '' && !quotedField) {
      quotedField = true;
      i++;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
        else if (text[i] === '"') {
          i++;
          break;
        } else field += text[i++];
      }
    } else if (c === ',') {
      rec.push(field);
      field = '';
      quotedField = false;
      i++;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      rec.push(field);
      records.push(rec);
      rec = [];
      field = '';
      quotedField = false;
      i += c === '\r' ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || rec.length > 0 || quotedField) {
    rec.push(field);
    records.push(rec);
  }
  return records;
}

/** CSV with a header → a list of objects (values are strings; an empty unquoted field is a NULL). */
export function csvRows(text: string): Record<string, string>[] {
  const [header, ...rest] = parseCsv(text);
  if (!header) return [];
  return rest.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k] ?? ''])));
}
