import { randomBytes } from 'node:crypto';
import type { ExecResult } from '../connection/types.js';
import { ParseError, type Source } from '../errors.js';
import { quote } from '../util/quote.js';
import type { ArgSpecs } from './args.js';
import { metaQuote, psqlError } from './psql.js';
import { csvRows, wrapAsJson } from './psql-sql.js';
import type { ModuleContext } from './types.js';

/**
 * What the postgresql_* modules share: community.postgresql's connection arguments, and one way to run
 * SQL through `psql` on the target (the psql module's machinery: SQL and values on stdin, never argv).
 *
 * - The connection goes in libpq's environment variables (PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSLMODE…)
 *   of the psql process; `login_password` is the first line of stdin, read by the shell into PGPASSWORD
 *   (only the psql process's own environment holds it, readable by its user alone — never argv).
 * - No `login_host`: libpq's default Unix socket (or `login_unix_socket`), so `become_user: postgres`
 *   with the default `login_user: postgres` is peer authentication, as Ansible does it.
 * - Values reach SQL as psql variables (`\set v '…'` on stdin, then `:'v'` for a literal, `:"v"` for an
 *   identifier): never spliced into the SQL text by tsplay.
 * - Reads come back as JSON (`json_agg` of the rows), one block per query, split at a random marker.
 */
export interface PgLogin {
  login_user: string;
  login_password: string;
  login_host: string;
  login_unix_socket: string;
  login_port: number;
  ssl_mode: string;
  ca_cert?: string;
  ssl_cert?: string;
  ssl_key?: string;
  session_role?: string;
  connect_params: Record<string, unknown>;
}

/** The login options community.postgresql declares `type: path` (expanded on the target). */
export const PG_LOGIN_PATHS = ['ssl_cert', 'ssl_key'] as const;

export const pgLoginSpecs: ArgSpecs = {
  login_user: { type: 'str', default: 'postgres', aliases: ['login'] },
  login_password: { type: 'str', default: '' },
  login_host: { type: 'str', default: '', aliases: ['host'] },
  login_unix_socket: { type: 'str', default: '', aliases: ['unix_socket'] },
  login_port: { type: 'int', default: 5432, aliases: ['port'] },
  ssl_mode: { type: 'str', default: 'prefer', choices: ['allow', 'disable', 'prefer', 'require', 'verify-ca', 'verify-full'] },
  ca_cert: { type: 'str', aliases: ['ssl_rootcert'] },
  ssl_cert: { type: 'path' },
  ssl_key: { type: 'path' },
  session_role: { type: 'str' },
  trust_input: { type: 'bool', default: true },
  connect_params: { type: 'dict', default: {} },
};

/** libpq keywords accepted in `connect_params`, as PG* variables (anything else is refused at parse). */
const CONNECT_PARAMS: Record<string, string> = {
  connect_timeout: 'PGCONNECT_TIMEOUT',
  application_name: 'PGAPPNAME',
  options: 'PGOPTIONS',
  sslcompression: 'PGSSLCOMPRESSION',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
  gssencmode: 'PGGSSENCMODE',
  sslcrl: 'PGSSLCRL',
  passfile: 'PGPASSFILE',
};

export function checkPgLogin(module: string, args: Partial<PgLogin>, where: Source): void {
  for (const k of ['login_user', 'login_password', 'login_host', 'login_unix_socket', 'session_role'] as const) {
    const v = args[k];
    if (typeof v === 'string' && /[\n\r\0]/.test(v)) throw new ParseError(`${module}: argument '${k}' must not contain a line break`, where);
  }
  for (const k of Object.keys(args.connect_params ?? {})) {
    if (!(k in CONNECT_PARAMS)) throw new ParseError(`${module}: argument 'connect_params': unsupported key '${k}' (supported: ${Object.keys(CONNECT_PARAMS).join(', ')})`, where);
  }
}

export interface PgCallOptions {
  /** The database to connect to (PGDATABASE); libpq's default (the user's name) when unset. */
  db?: string;
  /** psql variables set first on stdin. */
  vars?: Record<string, string | number | boolean | null>;
  /** Every session read-only (PGOPTIONS) and the body inside `BEGIN READ ONLY` … `ROLLBACK`. */
  readOnly?: boolean;
  /** psql -1: the body in one transaction (not for CREATE/DROP DATABASE). */
  single?: boolean;
  /** Keep psql's command tags (`INSERT 0 1`) in the output: no -q. */
  tags?: boolean;
  /** Another client than psql (pg_dump, pg_restore) with these arguments, quoted here; no SQL on stdin. */
  client?: string;
  clientArgs?: string[];
  /** Shell text after the command (already quoted), e.g. `> /srv/x.sql`. */
  redirect?: string;
  /** Shell text around the command (`ENV client ARGS`), instead of `exec` (e.g. a pipe, a temp file). */
  wrap?: (run: string) => string;
}

export interface PgCall {
  cmd: string;
  stdin: string;
}

function env(login: PgLogin, opts: PgCallOptions): string[] {
  const e: string[] = ['PGCLIENTENCODING=UTF8'];
  const socketHost = login.login_unix_socket !== '' && (login.login_host === '' || login.login_host === 'localhost');
  const host = socketHost ? login.login_unix_socket : login.login_host;
  if (host !== '') e.push(`PGHOST=${quote(host)}`);
  e.push(`PGPORT=${login.login_port}`, `PGUSER=${quote(login.login_user)}`, `PGSSLMODE=${quote(login.ssl_mode)}`);
  if (opts.db !== undefined && opts.db !== '') e.push(`PGDATABASE=${quote(opts.db)}`);
  if (login.ca_cert) e.push(`PGSSLROOTCERT=${quote(login.ca_cert)}`);
  if (login.ssl_cert) e.push(`PGSSLCERT=${quote(login.ssl_cert)}`);
  if (login.ssl_key) e.push(`PGSSLKEY=${quote(login.ssl_key)}`);
  let options = opts.readOnly ? '-c default_transaction_read_only=on' : '';
  for (const [k, v] of Object.entries(login.connect_params)) {
    if (k === 'options') options = `${options} ${String(v)}`.trim();
    else e.push(`${CONNECT_PARAMS[k]}=${quote(String(v))}`);
  }
  if (options !== '') e.push(`PGOPTIONS=${quote(options)}`);
  return e;
}

/** `\set` lines for psql variables: values on stdin, read by psql, never spliced into SQL by tsplay. */
export function setVars(vars: Record<string, string | number | boolean | null> = {}): string {
  return Object.entries(vars)
    .map(([name, v]) => `\\set ${name} ${metaQuote(v === null ? '' : String(v))}\n`)
    .join('');
}

/** The command and stdin that run `body` (psql script text) as described above. */
export function buildPg(login: PgLogin, body: string, opts: PgCallOptions = {}): PgCall {
  let argv: string[];
  let script = '';
  if (opts.client) {
    argv = [opts.client, ...(opts.clientArgs ?? [])];
  } else {
    argv = ['psql', '-X', ...(opts.tags ? [] : ['-q']), '--csv', '-v', 'ON_ERROR_STOP=1'];
    if (opts.single && !opts.readOnly) argv.push('-1');
    argv.push('-f', '-');
    const vars = { ...opts.vars, ...(login.session_role ? { __tsplay_session_role: login.session_role } : {}) };
    script = setVars(vars);
    // With command tags on, the wrapper's own BEGIN/ROLLBACK/SET print none (QUIET around them).
    const [q0, q1] = opts.tags ? ['\\set QUIET on\n', '\\set QUIET off\n'] : ['', ''];
    if (login.session_role) script += `${q0}SET ROLE :"__tsplay_session_role";\n${q1}`;
    script += opts.readOnly ? `${q0}BEGIN TRANSACTION READ ONLY;\n${q1}${body}${q0}ROLLBACK;\n` : body;
  }
  const envs = env(login, opts).join(' ');
  const args = argv.map((a) => quote(a)).join(' ');
  let inner = opts.wrap ? opts.wrap(`${envs} ${args}`) : `${envs} exec ${args}${opts.redirect ? ` ${opts.redirect}` : ''}`;
  let stdin = script;
  if (login.login_password !== '') {
    inner = `IFS= read -r PGPASSWORD; export PGPASSWORD; ${inner}`;
    stdin = `${login.login_password}\n${script}`;
  }
  return { cmd: `/bin/sh -c ${quote(inner)}`, stdin };
}

export function newMarker(): string {
  return `__TSPLAY_PG_${randomBytes(6).toString('hex')}__`;
}

/** A read query as a script fragment: its rows as one JSON value, then the marker line. */
export function jsonBlock(sql: string, marker: string): string {
  return `${wrapAsJson(sql)}\n;\n\\echo ${marker}\n`;
}

/** The JSON blocks of a script made of `jsonBlock`s, in order. */
export function readJsonBlocks(stdout: string, marker: string): unknown[][] {
  const out: unknown[][] = [];
  for (const part of stdout.split(`${marker}\n`).slice(0, -1)) {
    const rows = csvRows(part.replace(/^\n+/, ''));
    out.push(JSON.parse(rows[0]?.rows ?? '[]') as unknown[]);
  }
  return out;
}

export type Row = Record<string, unknown>;

/**
 * Run read queries while planning (also under --check): one read-only session, one JSON result per
 * query. Throws PgError with psql's message when psql fails.
 */
export async function pgRead(ctx: ModuleContext, login: PgLogin, db: string | undefined, queries: string[], vars: PgCallOptions['vars'] = {}): Promise<Row[][]> {
  const marker = newMarker();
  const call = buildPg(login, queries.map((q) => jsonBlock(q, marker)).join(''), { db, vars, readOnly: true });
  const r = await ctx.probe(call.cmd, { stdin: call.stdin });
  if (r.rc !== 0 || r.timedOut || r.aborted) throw new PgError(psqlError(r));
  const blocks = readJsonBlocks(r.stdout, marker);
  if (blocks.length !== queries.length) throw new PgError(`could not read psql's output (${blocks.length} of ${queries.length} results)`);
  return blocks as Row[][];
}

export class PgError extends Error {}

/** The step's outcome: failed with psql's error when it failed. */
export function failedStep(results: ExecResult[]): string | undefined {
  const bad = results.find((x) => x.rc !== 0 || x.timedOut || x.aborted);
  if (!bad) return undefined;
  return bad.timedOut ? 'psql timed out' : psqlError(bad);
}

/** A SQL identifier, double-quoted (for the `queries` shown to people; the SQL run uses `:"var"`). */
export function qi(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal (for the `queries` shown to people). */
export function ql(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

/**
 * Statements with their values as psql variables: `ident(x)` / `lit(x)` return `:"vN"` / `:'vN'` and
 * record the value; `shown` is the same statement with the values quoted, for the result's `queries`.
 */
export class SqlBuilder {
  readonly vars: Record<string, string> = {};
  readonly run: string[] = [];
  readonly shown: string[] = [];
  private n = 0;
  private parts: { run: string; shown: string }[] = [];

  ident(v: string): this {
    const name = `v${++this.n}`;
    this.vars[name] = v;
    this.parts.push({ run: `:"${name}"`, shown: qi(v) });
    return this;
  }

  lit(v: string, shownAs?: string): this {
    const name = `v${++this.n}`;
    this.vars[name] = v;
    this.parts.push({ run: `:'${name}'`, shown: shownAs ?? ql(v) });
    return this;
  }

  /** SQL text written by the module (keywords, validated words); never a user's value. */
  sql(text: string): this {
    this.parts.push({ run: text, shown: text });
    return this;
  }

  /** Ends the statement being built. */
  end(): this {
    this.run.push(this.parts.map((p) => p.run).join(''));
    this.shown.push(this.parts.map((p) => p.shown).join(''));
    this.parts = [];
    return this;
  }

  /** The script: each statement, its semicolon on its own line. */
  script(): string {
    return this.run.map((s) => `${s}\n;\n`).join('');
  }
}
