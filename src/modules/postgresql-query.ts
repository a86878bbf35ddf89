import { ParseError, type Source } from '../errors.js';
import type { ExecResult } from '../connection/types.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { buildPg, checkPgLogin, newMarker, pgLoginSpecs, type PgLogin, PG_LOGIN_PATHS } from './pg-client.js';
import { psqlError, READ_ONLY_VIOLATION } from './psql.js';
import { csvRows, isReadOnly, isWrappable, splitStatements, wrapAsJson, type Statement } from './psql-sql.js';
import type { ModuleDef, Outcome, Plan } from './types.js';

/**
 * postgresql_query (community.postgresql) over the psql machinery.
 * - `query`: one string or a list; `positional_args` (`%s`) / `named_args` (`%(name)s`) as psycopg
 *   writes them (`%%` is a percent). Each value becomes a psql variable set on stdin and is referenced
 *   as `:'p1'` (strings), a number/boolean as such, null as NULL, a list as ARRAY[…]: never spliced
 *   into the SQL text, never on argv.
 * - `autocommit: false` (default): everything in one transaction (psql -1); `true` for statements that
 *   cannot run in one (CREATE DATABASE, VACUUM).
 * - Returns `query` (the last query as written, without values), `query_list`, `query_result` (rows of
 *   the last query, `{}` when none), `query_all_results`, `rowcount` (sum), `statusmessage` (the last
 *   command tag, e.g. `INSERT 0 1`, `SELECT 2`).
 * - `changed` as Ansible: false for SELECT/SHOW, for INSERT/UPDATE/DELETE when no row was affected;
 *   true for anything else. Queries that only read run while planning (also under --check) in a
 *   read-only transaction; any other query is not run under --check and reported as changed.
 * - psql reads the text: a backslash command at the start of a statement is psql's (never read-only).
 */
export interface PgQueryArgs extends PgLogin {
  query: string[];
  login_db?: string;
  positional_args?: unknown[];
  named_args?: Record<string, unknown>;
  autocommit: boolean;
  encoding?: string;
  search_path?: string[];
}

const specs: ArgSpecs = {
  ...pgLoginSpecs,
  query: { type: 'raw', required: true },
  login_db: { type: 'str', aliases: ['db'] },
  positional_args: { type: 'list', elements: 'raw' },
  named_args: { type: 'dict' },
  autocommit: { type: 'bool', default: false },
  encoding: { type: 'str' },
  search_path: { type: 'list', elements: 'str' },
};

function parse(raw: unknown, where: Source, loadTime: boolean): PgQueryArgs {
  const args = parseArgs<PgQueryArgs & { query: unknown }>('postgresql_query', specs, raw, where, loadTime);
  checkPgLogin('postgresql_query', args, where);
  if (loadTime && typeof args.query === 'string') return { ...args, query: [args.query] };
  const q = args.query;
  if (typeof q === 'string') args.query = [q];
  else if (Array.isArray(q) && q.every((x) => typeof x === 'string')) args.query = q as string[];
  else if (!loadTime) throw new ParseError(`postgresql_query: argument 'query' must be a string or a list of strings`, where);
  if (loadTime) return args as PgQueryArgs;
  if (args.positional_args?.length && args.named_args && Object.keys(args.named_args).length > 0) {
    throw new ParseError(`postgresql_query: arguments 'positional_args' and 'named_args' are mutually exclusive`, where);
  }
  if (args.encoding !== undefined && !/^utf-?8$/i.test(args.encoding)) {
    throw new ParseError(`postgresql_query: argument 'encoding': only UTF8 is supported (psql's output is read as UTF-8), got ${JSON.stringify(args.encoding)}`, where);
  }
  for (const v of [...(args.positional_args ?? []), ...Object.values(args.named_args ?? {})]) checkValue(v, where);
  for (const q2 of args.query) bindParams(q2, args, new Map(), where);
  return args as PgQueryArgs;
}

function checkValue(v: unknown, where: Source): void {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new ParseError(`postgresql_query: argument value ${v} is not a finite number`, where);
  if (Array.isArray(v)) v.forEach((x) => checkValue(x, where));
}

/**
 * psycopg's placeholders → psql variable references. `vars` collects the values (shared by all the
 * queries of the task); returns the SQL text psql reads.
 */
export function bindParams(query: string, args: Pick<PgQueryArgs, 'positional_args' | 'named_args'>, vars: Map<string, string>, where: Source): string {
  const positional = args.positional_args && args.positional_args.length > 0 ? args.positional_args : undefined;
  const named = !positional && args.named_args && Object.keys(args.named_args).length > 0 ? args.named_args : undefined;
  if (!positional && !named) return query; // psycopg reads no placeholder without arguments
  let out = '';
  let next = 0;
  const ref = (v: unknown): string => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) return v.length === 0 ? `'{}'` : `ARRAY[${v.map(ref).join(', ')}]`;
    const name = `__tsplay_p${vars.size + 1}`;
    if (typeof v === 'number' || typeof v === 'boolean') {
      vars.set(name, String(v));
      return `:${name}`; // a validated number or true/false: psql substitutes it as is
    }
    vars.set(name, typeof v === 'object' ? JSON.stringify(v) : String(v));
    return `:'${name}'`;
  };
  for (let i = 0; i < query.length; i++) {
    const c = query[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const rest = query.slice(i + 1);
    if (rest.startsWith('%')) {
      out += '%';
      i++;
    } else if (rest.startsWith('s')) {
      if (!positional) throw new ParseError(`postgresql_query: the query has %s but no positional_args`, where);
      if (next >= positional.length) throw new ParseError(`postgresql_query: the query has more %s than positional_args (${positional.length})`, where);
      out += ref(positional[next++]);
      i++;
    } else if (/^\([^)]*\)s/.test(rest)) {
      const name = /^\(([^)]*)\)s/.exec(rest)![1]!;
      if (!named || !(name in named)) throw new ParseError(`postgresql_query: the query has %(${name})s but named_args has no '${name}'`, where);
      out += ref(named[name]);
      i += name.length + 3;
    } else {
      throw new ParseError(`postgresql_query: unsupported format character after % in the query (write %% for a percent sign)`, where);
    }
  }
  if (positional && next < positional.length) throw new ParseError(`postgresql_query: positional_args has ${positional.length} values for ${next} %s`, where);
  return out;
}

interface Item {
  statements: Statement[];
}

/** Statements of a tuple-returning kind: psql prints their rows and no command tag. */
const TUPLES_FIRST = new Set(['SELECT', 'VALUES', 'TABLE', 'SHOW', 'EXPLAIN', 'FETCH']);
const DML_TAG = /^(INSERT \d+ \d+|UPDATE \d+|DELETE \d+|MERGE \d+)$/;

export interface StatementResult {
  rows: Record<string, unknown>[];
  rowcount: number;
  statusmessage: string;
}

/** One statement's output block (CSV rows and/or psql's command tag) → rows, rowcount, status. */
export function readBlock(st: Statement, out: string, json: boolean, rowCount: number): StatementResult {
  if (json) {
    const rows = JSON.parse(csvRows(out)[0]?.rows ?? '[]') as Record<string, unknown>[];
    return { rows, rowcount: rows.length, statusmessage: `SELECT ${rows.length}` };
  }
  const lines = out.replace(/\n+$/, '').split('\n');
  const first = st.words[0] ?? '';
  const last = lines[lines.length - 1] ?? '';
  let tag = '';
  if (DML_TAG.test(last) || (!TUPLES_FIRST.has(first) && first !== 'WITH' && /^[A-Z][A-Z ]*( \d+)*$/.test(last))) {
    tag = last;
    lines.pop();
  }
  const rows = lines.length > 0 && lines.join('') !== '' ? (csvRows(lines.join('\n') + '\n') as Record<string, unknown>[]) : [];
  if (!tag) tag = first === 'SHOW' ? 'SHOW' : first === 'EXPLAIN' ? 'EXPLAIN' : `SELECT ${rows.length}`;
  const n = /(\d+)$/.exec(tag);
  return { rows, rowcount: n && !/^(SHOW|EXPLAIN)/.test(tag) ? Number(n[1]) : rows.length || rowCount, statusmessage: tag };
}

/** Ansible's rule: a SELECT/SHOW changes nothing, a DML counts its rows, anything else changed. */
export function statusChanged(status: string): boolean {
  if (status.includes('SELECT') || status.includes('SHOW') || status === '') return false;
  if (/(UPDATE|INSERT|DELETE)/.test(status)) {
    const s = status.split(' ');
    if (s.length === 3) return s[2] !== '0';
    if (s.length === 2) return s[1] !== '0';
  }
  return true;
}

interface Built {
  script: string;
  vars: Record<string, string>;
  marker: string;
  /** Per statement that prints a block: [item index, statement, json]. */
  blocks: { item: number; st: Statement; json: boolean }[];
  readOnly: boolean;
}

export function buildQuery(args: PgQueryArgs, where: Source, marker = newMarker()): Built {
  const vars = new Map<string, string>();
  const items: Item[] = args.query.map((q) => ({ statements: splitStatements(bindParams(q, args, vars, where)) }));
  let script = '';
  if (args.search_path?.length) {
    const refs = args.search_path.map((s, k) => {
      vars.set(`__tsplay_sp${k}`, s.trim());
      return `:"__tsplay_sp${k}"`;
    });
    script += `\\set QUIET on\nSET search_path = ${refs.join(', ')};\n\\set QUIET off\n`;
  }
  const blocks: Built['blocks'] = [];
  items.forEach((it, k) => {
    for (const st of it.statements) {
      if (st.meta) {
        script += `${st.text.trim()}\n`;
        continue;
      }
      const json = isWrappable(st);
      blocks.push({ item: k, st, json });
      script += `${json ? wrapAsJson(st.text) : st.text}\n;\n\\echo ${marker} :ROW_COUNT\n`;
    }
  });
  const readOnly = items.every((it) => it.statements.length > 0 && it.statements.every(isReadOnly));
  return { script, vars: Object.fromEntries(vars), marker, blocks, readOnly };
}

/** psql's output → Ansible's result fields. */
export function readQueryOutput(stdout: string, built: Built, queries: string[]): Record<string, unknown> & { changed: boolean } {
  const re = new RegExp(`^${built.marker} (\\d*)\\n?`, 'm');
  const outs: { out: string; count: number }[] = [];
  let rest = stdout;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    outs.push({ out: rest.slice(0, m.index), count: Number(m[1] || 0) });
    rest = rest.slice(m.index + m[0].length);
  }
  if (outs.length !== built.blocks.length) throw new Error(`${outs.length} of ${built.blocks.length} statements answered`);
  const perItem: (StatementResult | undefined)[] = queries.map(() => undefined);
  built.blocks.forEach((b, k) => (perItem[b.item] = readBlock(b.st, outs[k]!.out, b.json, outs[k]!.count)));
  const all = perItem.map((r) => (r && r.rows.length > 0 ? r.rows : {}));
  const last = perItem[perItem.length - 1];
  let changed = false;
  for (const r of perItem) if (r && statusChanged(r.statusmessage)) changed = true;
  return {
    changed,
    query: queries[queries.length - 1],
    query_list: queries,
    query_result: all[all.length - 1] ?? {},
    query_all_results: all,
    rowcount: perItem.reduce((n, r) => n + (r && r.rowcount > 0 ? r.rowcount : 0), 0),
    statusmessage: last?.statusmessage ?? '',
  };
}

function outcome(r: ExecResult, built: Built, args: PgQueryArgs, base: Outcome): Outcome {
  if (r.rc !== 0 || r.timedOut || r.aborted) {
    return { ...base, changed: false, failed: true, msg: r.timedOut ? 'psql timed out' : `Cannot execute SQL: ${psqlError(r)}` };
  }
  try {
    return { ...base, ...readQueryOutput(r.stdout, built, args.query) };
  } catch (e) {
    return { ...base, changed: false, failed: true, msg: `could not read psql's output: ${(e as Error).message}` };
  }
}

export const postgresqlQueryModule: ModuleDef<PgQueryArgs> = {
  targetPaths: PG_LOGIN_PATHS,
  name: 'postgresql_query',
  aliases: ['community.postgresql.postgresql_query'],
  parse,
  async plan(args, ctx): Promise<Plan> {
    let built: Built;
    try {
      built = buildQuery(args, ctx.where);
    } catch (e) {
      if (e instanceof ParseError) return { steps: [], failed: true, msg: e.message };
      throw e;
    }
    const result = { query: args.query[args.query.length - 1], query_list: args.query };
    if (built.readOnly) {
      const probe = buildPg(args, built.script, { db: args.login_db, vars: built.vars, readOnly: true, tags: true });
      const r = await ctx.probe(probe.cmd, { stdin: probe.stdin });
      // A SELECT whose function writes fails in the read-only transaction: it is a change, run as a step.
      if (!READ_ONLY_VIOLATION.test(r.stderr)) {
        const out = outcome(r, built, args, { changed: false, failed: false });
        if (out.failed) return { steps: [], failed: true, msg: String(out.msg), result };
        const { changed: _c, failed: _f, ...rest } = out;
        return { steps: [], changed: false, result: rest };
      }
    }
    const call = buildPg(args, built.script, { db: args.login_db, vars: built.vars, single: !args.autocommit, tags: true });
    return {
      steps: [{ cmd: call.cmd, stdin: call.stdin }],
      changed: true,
      result,
      finish: (results, base) => {
        const r = results[0];
        return r ? outcome(r, built, args, base) : base;
      },
    };
  },
};
