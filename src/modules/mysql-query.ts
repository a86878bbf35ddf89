import type { ExecResult } from '../connection/types.js';
import { ParseError, type Source } from '../errors.js';
import { exclusive, parseArgs, type ArgSpecs } from './args.js';
import { buildMysql, checkLogin, loginSpecs, mysqlError, parseMysqlXml, READ_ONLY_VIOLATION, sqlValue, type MysqlLogin, type ResultSet, MYSQL_LOGIN_PATHS } from './mysql-client.js';
import type { ModuleDef, Outcome, Plan } from './types.js';

/**
 * mysql_query (community.mysql): run queries through the mysql client on the target.
 * - `positional_args` (`%s`) and `named_args` (`%(name)s`) are bound as parameters of a server-side
 *   prepared statement (`PREPARE … EXECUTE … USING @p1, …`): a value is never part of the SQL text, and
 *   it travels on stdin as a hex literal.
 * - Queries that only read (SELECT/SHOW/DESCRIBE/EXPLAIN) run while planning, also under --check, in a
 *   read-only transaction that is rolled back; one that still writes (a function) becomes a step.
 * - changed (as Ansible): a DDL statement (CREATE, DROP, ALTER, RENAME, TRUNCATE) or rows affected.
 * - Returns `executed_queries`, `query_result` (one list of rows per query; values as strings, NULL as
 *   null) and `rowcount` (one number per query).
 */
export interface MysqlQueryArgs extends MysqlLogin {
  query: string[];
  positional_args?: unknown[];
  named_args?: Record<string, unknown>;
  login_db?: string;
  single_transaction: boolean;
}

const specs: ArgSpecs = {
  ...loginSpecs,
  query: { type: 'raw', required: true },
  positional_args: { type: 'list' },
  named_args: { type: 'dict' },
  login_db: { type: 'str', aliases: ['db'] },
  single_transaction: { type: 'bool', default: false },
};

function parse(raw: unknown, where: Source, loadTime: boolean): MysqlQueryArgs {
  const args = parseArgs<MysqlQueryArgs & { query: unknown }>('mysql_query', specs, raw, where, loadTime);
  exclusive('mysql_query', args as unknown as Record<string, unknown>, ['positional_args', 'named_args'], where, false);
  checkLogin('mysql_query', args, where);
  const q = args.query;
  if (typeof q === 'string') args.query = [q];
  else if (!Array.isArray(q) || q.some((x) => typeof x !== 'string')) throw new ParseError(`mysql_query: argument 'query' must be a string or a list of strings`, where);
  if ((args.query as string[]).length === 0) throw new ParseError(`mysql_query: argument 'query' is empty`, where);
  return args as MysqlQueryArgs;
}

const PLACEHOLDER = /%\(([A-Za-z_][A-Za-z0-9_]*)\)s|%s|%%/g;

/**
 * One query as SQL for the client: as written when no arguments are given (as pymysql does), else a
 * prepared statement whose `?` stand where `%s` / `%(name)s` were, executed with the values bound.
 */
export function queryScript(query: string, args: Pick<MysqlQueryArgs, 'positional_args' | 'named_args'>, rowcountMarker: string): string {
  const text = query.trim().replace(/;\s*$/, '');
  if (args.positional_args === undefined && args.named_args === undefined) return `${text};\n${rowcountMarker};\n`;
  const values: unknown[] = [];
  let pos = 0;
  const prepared = text.replace(PLACEHOLDER, (m, name: string | undefined) => {
    if (m === '%%') return '%';
    if (name !== undefined) {
      if (!args.named_args || !(name in args.named_args)) throw new Error(`named argument '${name}' is not in named_args`);
      values.push(args.named_args[name]);
    } else {
      if (!args.positional_args || pos >= args.positional_args.length) throw new Error(`the query has more %s than positional_args`);
      values.push(args.positional_args[pos++]);
    }
    return '?';
  });
  if (args.positional_args && pos !== args.positional_args.length) throw new Error(`positional_args has ${args.positional_args.length} values for ${pos} %s`);
  const sets = values.map((v, i) => `SET @__tsplay_p${i + 1} = ${sqlValue(v)};\n`).join('');
  const using = values.length > 0 ? ` USING ${values.map((_v, i) => `@__tsplay_p${i + 1}`).join(', ')}` : '';
  return `${sets}PREPARE __tsplay_stmt FROM ${sqlValue(prepared)};\nEXECUTE __tsplay_stmt${using};\n${rowcountMarker};\nDEALLOCATE PREPARE __tsplay_stmt;\n`;
}

/** The words of a statement outside strings, quoted identifiers and comments (MySQL's lexical rules). */
export function sqlWords(sql: string): { words: string[]; statements: number } {
  const words: string[] = [];
  let statements = 1;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if ((c === '-' && sql[i + 1] === '-') || c === '#') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      // `/*! … */` is executed by MySQL: its content counts.
      if (sql[i + 2] === '!') words.push('/*!');
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      i++;
      while (i < sql.length && sql[i] !== c) i += sql[i] === '\\' && c !== '`' ? 2 : 1;
      i++;
    } else if (c === ';') {
      if (sql.slice(i + 1).trim() !== '') statements++;
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      words.push(sql.slice(i, j).toUpperCase());
      i = j;
    } else i++;
  }
  return { words, statements };
}

const READ_FIRST = new Set(['SELECT', 'SHOW', 'DESCRIBE', 'DESC', 'EXPLAIN', 'WITH']);
const WRITE_WORDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'INTO', 'ANALYZE', 'LOCK', 'FOR', 'OUTFILE', 'DUMPFILE', '/*!']);
const DDL = new Set(['CREATE', 'DROP', 'ALTER', 'RENAME', 'TRUNCATE']);

export function isReadOnlyQuery(sql: string): boolean {
  const { words, statements } = sqlWords(sql);
  return statements === 1 && READ_FIRST.has(words[0] ?? '') && !words.some((w) => WRITE_WORDS.has(w));
}

function marker(nonce: number): string {
  return `SELECT ROW_COUNT() AS __tsplay_rowcount_${nonce}`;
}

function script(args: MysqlQueryArgs): string {
  let out = args.single_transaction ? 'START TRANSACTION;\n' : '';
  args.query.forEach((q, k) => (out += queryScript(q, args, marker(k))));
  return out + (args.single_transaction ? 'COMMIT;\n' : '');
}

/** Per query: its last result set (rows) and its rowcount (affected rows, or the rows it returned). */
export function readResults(sets: ResultSet[], queries: string[]): { query_result: unknown[][]; rowcount: number[] } {
  const query_result: unknown[][] = [];
  const rowcount: number[] = [];
  let rows: ResultSet['rows'] | undefined;
  for (const set of sets) {
    const m = /^SELECT ROW_COUNT\(\) AS __tsplay_rowcount_(\d+)$/.exec(set.statement);
    if (!m) {
      rows = set.rows;
      continue;
    }
    const affected = Number(Object.values(set.rows[0] ?? {})[0] ?? -1);
    query_result.push(rows ?? []);
    rowcount.push(rows ? rows.length : Math.max(affected, 0));
    rows = undefined;
  }
  while (query_result.length < queries.length) (query_result.push([]), rowcount.push(0));
  return { query_result, rowcount };
}

function outcome(r: ExecResult, args: MysqlQueryArgs, base: Outcome, write: boolean): Outcome {
  if (r.rc !== 0 || r.timedOut || r.aborted) return { ...base, changed: false, failed: true, msg: r.timedOut ? 'mysql timed out' : mysqlError(r) };
  const res = readResults(parseMysqlXml(r.stdout), args.query);
  let changed = false;
  if (write) {
    args.query.forEach((q, k) => {
      const first = sqlWords(q).words[0] ?? '';
      if (DDL.has(first) || (!isReadOnlyQuery(q) && (res.rowcount[k] ?? 0) > 0)) changed = true;
    });
  }
  return { ...base, changed, ...res };
}

export const mysqlQueryModule: ModuleDef<MysqlQueryArgs> = {
  targetPaths: MYSQL_LOGIN_PATHS,
  name: 'mysql_query',
  aliases: ['community.mysql.mysql_query'],
  parse,
  async plan(args, ctx): Promise<Plan> {
    let sql: string;
    try {
      sql = script(args);
    } catch (e) {
      return { steps: [], failed: true, msg: `mysql_query: ${(e as Error).message}` };
    }
    const result = { executed_queries: args.query };
    if (args.query.every(isReadOnlyQuery)) {
      const probe = buildMysql(args, sql.replace(/^START TRANSACTION;\n|COMMIT;\n$/g, ''), { db: args.login_db, readOnly: true });
      const r = await ctx.probe(probe.cmd, { stdin: probe.stdin });
      if (!READ_ONLY_VIOLATION.test(r.stderr)) {
        const out = outcome(r, args, { changed: false, failed: false, ...result }, false);
        if (out.failed) return { steps: [], failed: true, msg: String(out.msg), result };
        const { changed: _c, failed: _f, ...rest } = out;
        return { steps: [], changed: false, result: rest };
      }
    }
    const call = buildMysql(args, sql, { db: args.login_db });
    return {
      steps: [{ cmd: call.cmd, stdin: call.stdin }],
      changed: true,
      result,
      finish: (results, base) => (results[0] ? outcome(results[0], args, base, true) : base),
    };
  },
};
