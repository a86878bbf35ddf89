import type { ExecResult } from '../connection/types.js';
import { ParseError, type Source } from '../errors.js';
import { quote } from '../util/quote.js';
import type { ArgSpecs } from './args.js';

/**
 * What the MySQL/MariaDB modules share: the login arguments of community.mysql, and one way to run SQL
 * through the `mysql` client on the target.
 *
 * Credentials never reach argv: the controller writes an option file's lines on stdin, the shell copies
 * them into a 0600 temp file (`umask 077; mktemp`) read with `--defaults-file` and removed afterwards. That
 * file `!include`s `config_file` (default `~/.my.cnf`, when it exists, as Ansible reads it) and then sets
 * the `login_*` values, which win. The SQL follows on stdin. Output is `--xml`, which tells NULL from the
 * string 'NULL' and keeps any byte of a value.
 */
export interface MysqlLogin {
  login_user?: string;
  login_password?: string;
  login_host?: string;
  login_port?: number;
  login_unix_socket?: string;
  config_file: string;
  connect_timeout: number;
  ca_cert?: string;
  client_cert?: string;
  client_key?: string;
}

export const loginSpecs: ArgSpecs = {
  login_user: { type: 'str', aliases: ['login_username'] },
  login_password: { type: 'str' },
  login_host: { type: 'str' },
  login_port: { type: 'int' },
  login_unix_socket: { type: 'path' },
  config_file: { type: 'path', default: '~/.my.cnf' },
  connect_timeout: { type: 'int', default: 30 },
  ca_cert: { type: 'path', aliases: ['ssl_ca'] },
  client_cert: { type: 'path', aliases: ['ssl_cert'] },
  client_key: { type: 'path', aliases: ['ssl_key'] },
  check_implicit_admin: { type: 'bool', default: false },
};

/** The login options community.mysql declares `type: path` (expanded on the target; login_unix_socket is a str there). */
export const MYSQL_LOGIN_PATHS = ['config_file', 'ca_cert', 'client_cert', 'client_key'] as const;

export function checkLogin(module: string, args: Partial<MysqlLogin>, where: Source): void {
  for (const k of ['login_user', 'login_password', 'login_host', 'login_unix_socket', 'config_file'] as const) {
    const v = args[k];
    if (typeof v === 'string' && /[\n\r]/.test(v)) throw new ParseError(`${module}: argument '${k}' must not contain a line break`, where);
  }
}

/** An option-file value: double-quoted, with the escapes the client's option parser undoes. */
function optionValue(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A path for the shell where a leading `~/` means the running user's home. */
function shellPath(p: string): string {
  return p.startsWith('~/') ? `"$HOME"/${quote(p.slice(2))}` : quote(p);
}

const END = '__TSPLAY_MYSQL_OPTIONS_END__';

export interface MysqlCall {
  cmd: string;
  stdin: string;
}

/**
 * The command and stdin that run `sql` through the mysql client. `db` is the default database.
 * `readOnly`: the statements run in a read-only transaction that is rolled back (planning probes).
 */
export interface MysqlCallOptions {
  db?: string;
  readOnly?: boolean;
  force?: boolean;
  /** `mysqldump` instead of `mysql`, with these arguments (quoted here) and no SQL. */
  client?: 'mysql' | 'mysqldump';
  clientArgs?: string[];
  /** Shell text after the command (already quoted), e.g. `> /srv/dump.sql`. */
  redirect?: string;
  /** A shell command (already quoted) whose output is the SQL, instead of stdin. */
  input?: string;
}

export function buildMysql(login: MysqlLogin, sql: string, opts: MysqlCallOptions = {}): MysqlCall {
  const lines = ['[client]'];
  if (login.login_user !== undefined) lines.push(`user=${optionValue(login.login_user)}`);
  if (login.login_password !== undefined) lines.push(`password=${optionValue(login.login_password)}`);
  if (login.login_unix_socket !== undefined) {
    lines.push(`socket=${optionValue(login.login_unix_socket)}`, 'protocol=SOCKET');
  } else if (login.login_host !== undefined && login.login_host !== 'localhost') {
    lines.push(`host=${optionValue(login.login_host)}`, `port=${login.login_port ?? 3306}`, 'protocol=TCP');
  } else if (login.login_port !== undefined) {
    lines.push(`port=${login.login_port}`);
  }
  if (login.ca_cert !== undefined) lines.push(`ssl-ca=${optionValue(login.ca_cert)}`);
  if (login.client_cert !== undefined) lines.push(`ssl-cert=${optionValue(login.client_cert)}`);
  if (login.client_key !== undefined) lines.push(`ssl-key=${optionValue(login.client_key)}`);
  const client = opts.client ?? 'mysql';
  const argv = client === 'mysqldump' ? [...(opts.clientArgs ?? [])] : [`--connect-timeout=${login.connect_timeout}`, '--xml', '--default-character-set=utf8mb4'];
  if (opts.force && client === 'mysql') argv.push('--force');
  if (opts.db !== undefined) argv.push(`--database=${opts.db}`);
  let run = `${client} --defaults-file="$f" ${argv.map((a) => quote(a)).join(' ')}`;
  // pipefail is not POSIX: a failing producer (dump, decompressor) is caught through a status file.
  const piped = opts.input !== undefined || opts.redirect?.startsWith('|') === true;
  if (opts.redirect) run = opts.redirect.startsWith('|') ? `{ ${run} || echo x > "$f.in"; } ${opts.redirect}` : `${run} ${opts.redirect}`;
  const cfg = shellPath(login.config_file);
  const script = [
    'umask 077',
    'f=$(mktemp) || exit 1',
    `if [ -r ${cfg} ]; then printf '!include %s\\n' ${cfg} > "$f"; fi`,
    `while IFS= read -r l && [ "$l" != ${END} ]; do printf '%s\\n' "$l"; done >> "$f"`,
    opts.input ? `{ ${opts.input} || echo x > "$f.in"; } | ${run}` : run,
    'rc=$?',
    piped ? `if [ -e "$f.in" ]; then rc=1; echo "${client}: a command of the pipe failed" >&2; fi` : ':',
    'rm -f "$f" "$f.in"',
    'exit $rc',
  ].join('; ');
  const body = opts.readOnly ? `START TRANSACTION READ ONLY;\n${sql}\nROLLBACK;\n` : sql;
  return { cmd: `/bin/sh -c ${quote(script)}`, stdin: `${lines.join('\n')}\n${END}\n${body}` };
}

/** MariaDB's / MySQL's error for a write inside a read-only transaction (ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION). */
export const READ_ONLY_VIOLATION = /ERROR 1792 |in a READ ONLY transaction/i;

export interface ResultSet {
  statement: string;
  rows: Record<string, string | null>[];
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#x?[0-9a-fA-F]+);/g, (_m, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10));
    }
  });
}

/** The result sets of `mysql --xml`, in order; a NULL field is `null`. */
export function parseMysqlXml(xml: string): ResultSet[] {
  const sets: ResultSet[] = [];
  const setRe = /<resultset statement="([^"]*)"[^>]*?(\/>|>([^]*?)<\/resultset>)/g;
  for (let m = setRe.exec(xml); m; m = setRe.exec(xml)) {
    const rows: Record<string, string | null>[] = [];
    const rowRe = /<row>([^]*?)<\/row>/g;
    const body = m[3] ?? '';
    for (let r = rowRe.exec(body); r; r = rowRe.exec(body)) {
      const row: Record<string, string | null> = {};
      const fieldRe = /<field name="([^"]*)"(?: xsi:nil="true" \/>|>([^<]*)<\/field>)/g;
      for (let f = fieldRe.exec(r[1]!); f; f = fieldRe.exec(r[1]!)) {
        row[unescapeXml(f[1]!)] = f[2] === undefined ? null : unescapeXml(f[2]);
      }
      rows.push(row);
    }
    sets.push({ statement: unescapeXml(m[1]!).trim(), rows });
  }
  return sets;
}

/** The client's error lines (without the echoed statement). */
export function mysqlError(r: ExecResult): string {
  const lines = r.stderr.split('\n').filter((l) => /^(ERROR|mysql: |mariadb: )/.test(l.trim()));
  return (lines.length > 0 ? lines : r.stderr.split('\n').filter((l) => l.trim() !== '' && !/^-+$/.test(l.trim()))).join('; ').trim() || `mysql failed with rc ${r.rc}`;
}

/** A value as SQL the server reads as exactly that string, whatever it holds: a hex literal. */
export function sqlString(v: string): string {
  return v === '' ? "''" : `CONVERT(X'${Buffer.from(v, 'utf8').toString('hex')}' USING utf8mb4)`;
}

/** An identifier (database, table, column): backquoted, a backquote doubled. */
export function ident(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** A value bound to a user variable: strings as hex, numbers as numbers, booleans as 1/0, null as NULL. */
export function sqlValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v);
  }
  return sqlString(String(v));
}

/** A statement run through PREPARE, built by the server: literal SQL pieces and values it QUOTEs. */
export type Piece = string | { value: string } | { expr: string };
export function dynamic(pieces: Piece[]): string {
  const parts = pieces.map((p) => (typeof p === 'string' ? sqlString(p) : 'value' in p ? `QUOTE(${sqlString(p.value)})` : p.expr));
  return `SET @__tsplay_sql = CONCAT(${parts.join(', ')});\nPREPARE __tsplay_stmt FROM @__tsplay_sql;\nEXECUTE __tsplay_stmt;\nDEALLOCATE PREPARE __tsplay_stmt;\n`;
}

