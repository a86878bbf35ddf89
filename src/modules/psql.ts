import { randomBytes } from 'node:crypto';
import type { ExecResult } from '../connection/types.js';
import { ParseError } from '../errors.js';
import { quote } from '../util/quote.js';
import { exclusive, parseArgs, type ArgSpecs } from './args.js';
import { csvRows, isReadOnly, isWrappable, splitStatements, wrapAsJson } from './psql-sql.js';
import type { ModuleDef, Outcome, Plan } from './types.js';

/**
 * psql: run SQL through `psql` on the target.
 * - `params` become psql variables (`\set name '…'` on stdin): write `:'name'` for a literal, `:"name"`
 *   for an identifier — values are never spliced into the SQL text by tsplay (`:name` splices raw, as
 *   psql does).
 * - The SQL and the params go to psql on stdin (`-f -`); a `login_password` is the first stdin line, read
 *   by the shell into PGPASSWORD — none of them shows in the target's process list.
 * - `os_user` runs psql as that OS user (su when the connection is root, sudo -n otherwise); without it,
 *   psql runs as the connection (or become) user. The Ansible habit `become_user: postgres` still works.
 * - Rows come back as JSON (typed) for SELECT/WITH/VALUES/TABLE statements, else from `psql --csv`
 *   (strings). `rows` are the last statement's; `rowcount` is their number, or the rows it affected.
 *   A `file` is opaque (run with `-f`): its output is read as one CSV result set, and it counts as a write.
 * - Read-only queries (statements that only read, allow-listed meta-commands) run while planning — so
 *   also in check mode — inside a read-only transaction that is rolled back, and report changed=false.
 *   One that still tries to write (a function with side effects) becomes a step: changed, and not run
 *   under --check.
 */
export interface PsqlArgs {
  db?: string;
  query?: string;
  file?: string;
  params: Record<string, unknown>;
  host?: string;
  port?: number;
  login_user?: string;
  login_password?: string;
  single_transaction: boolean;
  os_user?: string;
}

const specs: ArgSpecs = {
  db: { type: 'str', aliases: ['login_db', 'database'] },
  query: { type: 'str' },
  file: { type: 'path', aliases: ['path_to_script'] },
  params: { type: 'dict', default: {}, aliases: ['named_args'] },
  host: { type: 'str', aliases: ['login_host'] },
  port: { type: 'int', aliases: ['login_port'] },
  login_user: { type: 'str', aliases: ['user'] },
  login_password: { type: 'str', aliases: ['password'] },
  single_transaction: { type: 'bool', default: true },
  os_user: { type: 'str' },
};

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** SQLSTATE 25006, read_only_sql_transaction. */
export const READ_ONLY_VIOLATION = /ERROR: +cannot execute .* in a read-only transaction/;

function parse(raw: unknown, where: { file: string; line?: number; column?: number }, loadTime: boolean): PsqlArgs {
  const args = parseArgs<PsqlArgs>('psql', specs, raw, where, loadTime);
  exclusive('psql', args as unknown as Record<string, unknown>, ['query', 'file'], where);
  // At load time `params` may still be one template string; it is checked again once rendered.
  if (typeof args.params !== 'object') return args;
  for (const [name, value] of Object.entries(args.params)) {
    if (!VAR_NAME.test(name)) throw new ParseError(`psql: argument 'params': '${name}' is not a valid psql variable name`, where);
    if (value !== null && typeof value === 'object') {
      throw new ParseError(`psql: argument 'params.${name}' must be a string, number or boolean`, where);
    }
  }
  if (args.login_password?.includes('\n')) throw new ParseError(`psql: argument 'login_password' must not contain a newline`, where);
  return args;
}

/** Run a command as `user` whatever the connection user is: same user, root (su) or sudo. */
export function asOsUser(user: string, cmd: string): string {
  const u = quote(user);
  const c = quote(cmd);
  return (
    `if [ "$(id -un)" = ${u} ]; then /bin/sh -c ${c}; ` +
    `elif [ "$(id -u)" -eq 0 ]; then su -s /bin/sh ${u} -c ${c}; ` +
    `else sudo -n -H -u ${u} -- /bin/sh -c ${c}; fi`
  );
}

interface Built {
  cmd: string;
  stdin: string;
  marker: string;
  readOnly: boolean;
  /** Per statement with a marker: whether its output is one JSON value. */
  json: boolean[];
}

/**
 * A value as a single-quoted argument of a psql meta-command (`\set name '…'`): psql reads `''` as a
 * quote and C-like escapes after a backslash, so a backslash, a quote and the line ends are escaped.
 */
export function metaQuote(value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `'${escaped}'`;
}

/**
 * The psql command line and its stdin script; exported for the pure tests.
 * `probe`: the read-only form run while planning (also under --check) — no `-1`, every session of it
 * read-only (PGOPTIONS), the statements inside `BEGIN READ ONLY` … `ROLLBACK`, so a function with side
 * effects called from a SELECT fails instead of changing anything.
 */
export function buildPsql(args: PsqlArgs, nonce = randomBytes(6).toString('hex'), probe = false): Built {
  const marker = `__TSPLAY_PSQL_${nonce}__`;
  const argv = ['psql', '-X', '-q', '--csv', '-v', 'ON_ERROR_STOP=1'];
  if (args.single_transaction && !probe) argv.push('-1');
  if (args.host !== undefined) argv.push('-h', args.host);
  if (args.port !== undefined) argv.push('-p', String(args.port));
  if (args.login_user !== undefined) argv.push('-U', args.login_user);
  if (args.db !== undefined) argv.push('-d', args.db);

  // params are set on stdin, not with -v: the target's process list shows argv to every user.
  let script = '';
  for (const [name, value] of Object.entries(args.params)) {
    script += `\\set ${name} ${metaQuote(value === null || value === undefined ? '' : String(value))}\n`;
  }
  const json: boolean[] = [];
  let readOnly = false;
  if (args.file !== undefined) {
    script += `\\i ${metaQuote(args.file)}\n\\echo ${marker} :ROW_COUNT\n`;
    json.push(false);
  } else {
    const statements = splitStatements(args.query ?? '');
    readOnly = statements.length > 0 && statements.every(isReadOnly);
    if (probe) script += 'BEGIN TRANSACTION READ ONLY;\n';
    for (const st of statements) {
      if (st.meta) {
        script += `${st.text.trim()}\n`;
        continue;
      }
      const wrap = isWrappable(st);
      json.push(wrap);
      // The semicolon on its own line: a trailing `-- comment` in the statement cannot swallow it.
      script += `${wrap ? wrapAsJson(st.text) : st.text}\n;\n\\echo ${marker} :ROW_COUNT\n`;
    }
    if (probe) script += 'ROLLBACK;\n';
  }
  argv.push('-f', '-');
  let inner = `PGCLIENTENCODING=UTF8 ${probe ? "PGOPTIONS='-c default_transaction_read_only=on' " : ''}exec ${argv.map((a) => quote(a)).join(' ')}`;
  let stdin = script;
  if (args.login_password !== undefined) {
    inner = `IFS= read -r PGPASSWORD; export PGPASSWORD; ${inner}`;
    stdin = `${args.login_password}\n${script}`;
  }
  const cmd = args.os_user !== undefined ? asOsUser(args.os_user, inner) : `/bin/sh -c ${quote(inner)}`;
  return { cmd, stdin, marker, readOnly, json };
}

/** psql's error lines without the `psql:<stdin>:N:` prefix (line numbers of the generated script). */
export function psqlError(r: ExecResult): string {
  const lines = r.stderr
    .split('\n')
    .map((l) => l.replace(/^psql:[^:]*:\d+:\s*/, ''))
    .filter((l) => l.trim() !== '');
  const errors = lines.filter((l) => /^(ERROR|FATAL|PANIC):|^psql: error:|could not|connection to server/.test(l));
  const msg = (errors.length > 0 ? errors : lines).join('; ').trim();
  return msg || r.stdout.trim() || `psql failed with rc ${r.rc}`;
}

/** Split psql's stdout at the markers: the last statement that printed something gives `rows`. */
export function readOutput(stdout: string, built: Pick<Built, 'marker' | 'json'>): { rows: unknown[]; rowcount: number; statements: number } {
  const blocks: { out: string; count: number }[] = [];
  const re = new RegExp(`^${built.marker} (\\d*)\\n?`, 'm');
  let rest = stdout;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    blocks.push({ out: rest.slice(0, m.index), count: Number(m[1] || 0) });
    rest = rest.slice(m.index + m[0].length);
  }
  let rows: unknown[] = [];
  let rowcount = 0;
  blocks.forEach((b, k) => {
    const isJson = built.json[k] ?? false;
    if (isJson) {
      const csv = csvRows(b.out);
      rows = JSON.parse(csv[0]?.rows ?? '[]') as unknown[];
      rowcount = rows.length;
    } else if (b.out.trim() !== '') {
      rows = csvRows(b.out);
      rowcount = rows.length;
    } else {
      rows = [];
      rowcount = b.count;
    }
  });
  return { rows, rowcount, statements: blocks.length };
}

function outcomeOf(r: ExecResult, built: Built, base: Outcome): Outcome {
  if (r.rc !== 0 || r.timedOut || r.aborted) {
    return { ...base, changed: false, failed: true, rc: r.rc, stderr: r.stderr, msg: r.timedOut ? 'psql timed out' : psqlError(r) };
  }
  try {
    return { ...base, ...readOutput(r.stdout, built) };
  } catch (e) {
    return { ...base, failed: true, msg: `could not read psql's output: ${(e as Error).message}`, stdout: r.stdout };
  }
}

export const psqlModule: ModuleDef<PsqlArgs> = {
  targetPaths: ['file'],
  name: 'psql',
  aliases: ['postgresql_script', 'community.postgresql.postgresql_script'],
  parse,
  async plan(args, ctx): Promise<Plan> {
    const built = buildPsql(args);
    const query = args.query ?? `\\i ${args.file}`;
    if (built.readOnly) {
      const probe = buildPsql(args, undefined, true);
      const r = await ctx.probe(probe.cmd, { stdin: probe.stdin });
      // A SELECT whose function writes fails in the read-only transaction: it is a change, run as a step.
      if (!READ_ONLY_VIOLATION.test(r.stderr)) {
        const out = outcomeOf(r, probe, { changed: false, failed: false, query });
        if (out.failed) return { steps: [], failed: true, msg: String(out.msg), result: { query, rc: r.rc, stderr: r.stderr } };
        const { changed: _c, failed: _f, ...result } = out;
        return { steps: [], changed: false, result };
      }
    }
    return {
      steps: [{ cmd: built.cmd, stdin: built.stdin }],
      changed: true,
      result: { query },
      finish: (results, base) => {
        const r = results[0];
        return r ? outcomeOf(r, built, base) : base;
      },
    };
  },
};
