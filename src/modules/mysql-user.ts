import { ParseError, type Source } from '../errors.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { buildMysql, checkLogin, dynamic, ident, loginSpecs, mysqlError, parseMysqlXml, sqlString, type MysqlLogin, type Piece, MYSQL_LOGIN_PATHS } from './mysql-client.js';
import type { ModuleDef, Plan } from './types.js';

/**
 * mysql_user (community.mysql): a user at a host, its password and privileges.
 * - The password is compared and set with the server's own hashing: the plaintext reaches the server
 *   only on stdin as a hex literal inside `PASSWORD(…)`; the statement that sets it is built server-side
 *   (`CONCAT` + `QUOTE`, then `PREPARE`/`EXECUTE`) and holds the hash, never the password. Nothing
 *   secret is on argv, in the result or in the diff. `encrypted: true` takes a hash as the password.
 * - `priv`: `db.table:PRIV,PRIV/db2.*:ALL,GRANT` or a dict; compared with `SHOW GRANTS` as Ansible does:
 *   a differing grant is revoked and granted again, grants absent from `priv` are revoked, unless
 *   `append_privs` (only what is missing is granted). `subtract_privs` revokes the listed ones only.
 * - `update_password: on_create` leaves an existing user's password alone.
 * - `tls_requires`: `{SSL:}`, `{X509:}`, or any of `{SUBJECT, ISSUER, CIPHER}` (keys in any case), as
 *   community.mysql reads it (an empty dict leaves the requirement alone); compared with mysql.user's
 *   ssl_type / ssl_cipher / x509_issuer / x509_subject and set with `ALTER USER … REQUIRE …`.
 * - `--diff` shows the user's grants before and after.
 */
export interface MysqlUserArgs extends MysqlLogin {
  name: string;
  password?: string;
  encrypted: boolean;
  host: string;
  host_all: boolean;
  state: 'present' | 'absent';
  priv?: Record<string, string[]>;
  append_privs: boolean;
  subtract_privs: boolean;
  update_password: 'always' | 'on_create' | 'on_new_username';
  plugin?: string;
  plugin_auth_string?: string;
  tls_requires?: TlsRequires;
}

/** What `REQUIRE` says: SSL, X509, or the specified subject/issuer/cipher. */
export type TlsRequires = 'SSL' | 'X509' | { SUBJECT?: string; ISSUER?: string; CIPHER?: string };

const specs: ArgSpecs = {
  ...loginSpecs,
  name: { type: 'str', required: true, aliases: ['user'] },
  password: { type: 'str' },
  encrypted: { type: 'bool', default: false },
  host: { type: 'str', default: 'localhost' },
  host_all: { type: 'bool', default: false },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  priv: { type: 'raw' },
  append_privs: { type: 'bool', default: false },
  subtract_privs: { type: 'bool', default: false },
  update_password: { type: 'str', default: 'always', choices: ['always', 'on_create', 'on_new_username'] },
  plugin: { type: 'str' },
  plugin_auth_string: { type: 'str' },
  plugin_hash_string: { type: 'str' },
  sql_log_bin: { type: 'bool', default: true },
  // community.mysql 3.5+: how column names in column privileges are cased. tsplay has no column
  // privileges (`SELECT (col)` is an invalid privilege here), so either value changes nothing.
  column_case_sensitive: { type: 'bool' },
  tls_requires: { type: 'dict' },
};

const PRIV_WORD = /^[A-Z][A-Z ]*[A-Z]$|^[A-Z]$/;
const PLUGIN = /^[A-Za-z0-9_]+$/;

/** `db.tbl:P1,P2/db2.*:ALL` (or a dict of `db.tbl: "P1,P2"`) → normalized `{ "db.tbl": [P…] }`. */
export function parsePriv(priv: unknown, where: Source): Record<string, string[]> {
  const entries: [string, string][] = [];
  if (typeof priv === 'string') {
    for (const item of priv.split('/')) {
      if (item.trim() === '') continue;
      const at = item.lastIndexOf(':');
      if (at < 0) throw new ParseError(`mysql_user: invalid privileges string: ${JSON.stringify(item)} (want db.table:PRIV,PRIV)`, where);
      entries.push([item.slice(0, at), item.slice(at + 1)]);
    }
  } else if (priv && typeof priv === 'object' && !Array.isArray(priv)) {
    for (const [k, v] of Object.entries(priv)) entries.push([k, Array.isArray(v) ? v.join(',') : String(v)]);
  } else throw new ParseError(`mysql_user: argument 'priv' must be a string or a dictionary`, where);
  const out: Record<string, string[]> = {};
  for (const [target, list] of entries) {
    const key = normTarget(target.trim());
    if (!/^[^.]+\.[^.]+$/.test(key)) throw new ParseError(`mysql_user: invalid privileges target ${JSON.stringify(target)} (want db.table)`, where);
    const privs = list.split(',').map((p) => normPriv(p));
    for (const p of privs) if (!PRIV_WORD.test(p)) throw new ParseError(`mysql_user: invalid privilege ${JSON.stringify(p)} on ${key}`, where);
    out[key] = [...new Set(privs)].sort();
  }
  return out;
}

function normTarget(t: string): string {
  return t.replace(/`/g, '');
}

function normPriv(p: string): string {
  const u = p.trim().toUpperCase().replace(/\s+/g, ' ');
  return u === 'ALL PRIVILEGES' ? 'ALL' : u;
}

function parse(raw: unknown, where: Source, loadTime: boolean): MysqlUserArgs {
  const args = parseArgs<MysqlUserArgs & { priv?: unknown }>('mysql_user', specs, raw, where, loadTime);
  checkLogin('mysql_user', args, where);
  if (loadTime) return args as MysqlUserArgs;
  if (args.priv !== undefined) args.priv = parsePriv(args.priv, where);
  if (args.plugin !== undefined && !PLUGIN.test(args.plugin)) throw new ParseError(`mysql_user: argument 'plugin' is not a plugin name: ${JSON.stringify(args.plugin)}`, where);
  args.tls_requires = sanitizeRequires(args.tls_requires as unknown, where);
  if (args.append_privs && args.subtract_privs) throw new ParseError(`mysql_user: arguments 'append_privs' and 'subtract_privs' are mutually exclusive`, where);
  return args as MysqlUserArgs;
}

/** community.mysql's sanitize_requires: SUBJECT/ISSUER/CIPHER win over SSL/X509; X509 over SSL; {} is no requirement given. */
export function sanitizeRequires(raw: unknown, where: Source): TlsRequires | undefined {
  if (raw === undefined || raw === null) return undefined;
  const upper: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    const key = k.toUpperCase();
    if (!['SSL', 'X509', 'SUBJECT', 'ISSUER', 'CIPHER'].includes(key)) throw new ParseError(`mysql_user: tls_requires: unknown requirement '${k}' (SSL, X509, SUBJECT, ISSUER, CIPHER)`, where);
    upper[key] = v;
  }
  if (Object.keys(upper).length === 0) return undefined;
  const specified = (['SUBJECT', 'ISSUER', 'CIPHER'] as const).filter((k) => k in upper);
  if (specified.length > 0) {
    const out: { SUBJECT?: string; ISSUER?: string; CIPHER?: string } = {};
    for (const k of specified) {
      if (typeof upper[k] !== 'string') throw new ParseError(`mysql_user: tls_requires: ${k} must be a string`, where);
      out[k] = upper[k] as string;
    }
    return out;
  }
  return 'X509' in upper ? 'X509' : 'SSL';
}

/** mysql.user's ssl_type and friends → the requirement in force ('' ssl_type: none). */
export function currentRequires(row: Record<string, unknown>): TlsRequires | undefined {
  const type = String(row.st ?? '').toUpperCase();
  if (type === 'ANY') return 'SSL';
  if (type === 'X509') return 'X509';
  if (type !== 'SPECIFIED') return undefined;
  const out: { SUBJECT?: string; ISSUER?: string; CIPHER?: string } = {};
  if (row.xs) out.SUBJECT = String(row.xs);
  if (row.xi) out.ISSUER = String(row.xi);
  if (row.sc) out.CIPHER = String(row.sc);
  return out;
}

const sameRequires = (a: TlsRequires | undefined, b: TlsRequires | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** ` REQUIRE SSL`, ` REQUIRE SUBJECT '…' AND ISSUER '…'` (values quoted by the server). */
function requireClause(r: TlsRequires): Piece[] {
  if (typeof r === 'string') return [` REQUIRE ${r}`];
  const parts: Piece[] = [' REQUIRE '];
  (['SUBJECT', 'ISSUER', 'CIPHER'] as const).filter((k) => r[k] !== undefined).forEach((k, i) => parts.push(i > 0 ? ` AND ${k} ` : `${k} `, { value: r[k]! }));
  return parts;
}

/** `SHOW GRANTS` lines → `{ "db.tbl": [PRIV…] }` (WITH GRANT OPTION as GRANT). */
export function parseGrants(lines: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of lines) {
    const m = /^GRANT (.+?) ON (\S+) TO /.exec(line);
    if (!m || /^PROXY/.test(m[1]!)) continue;
    const privs = m[1]!.split(/,\s*/).map(normPriv);
    if (/ WITH GRANT OPTION/.test(line)) privs.push('GRANT');
    const key = normTarget(m[2]!);
    out[key] = [...new Set([...(out[key] ?? []), ...privs])].sort();
  }
  return out;
}

function onTarget(key: string): string {
  const [db, tbl] = key.split('.') as [string, string];
  return `${db === '*' ? '*' : ident(db)}.${tbl === '*' ? '*' : ident(tbl)}`;
}

function grantText(g: Record<string, string[]>): string {
  return Object.keys(g)
    .sort()
    .map((k) => `${k}:${g[k]!.join(',')}\n`)
    .join('');
}

const same = (a: string[] = [], b: string[] = []) => a.length === b.length && a.every((x, i) => x === b[i]);

export const mysqlUserModule: ModuleDef<MysqlUserArgs> = {
  targetPaths: MYSQL_LOGIN_PATHS,
  name: 'mysql_user',
  aliases: ['community.mysql.mysql_user'],
  parse,
  async plan(args, ctx): Promise<Plan> {
    const hostCond = args.host_all ? '' : ` AND Host = ${sqlString(args.host)}`;
    let probeSql = `SELECT Host AS h, plugin AS p, authentication_string AS a, ssl_type AS st, ssl_cipher AS sc, x509_issuer AS xi, x509_subject AS xs FROM mysql.user WHERE User = ${sqlString(args.name)}${hostCond};\n`;
    if (args.password !== undefined && !args.encrypted) probeSql += `SELECT PASSWORD(${sqlString(args.password)}) AS hash;\n`;
    const probe = buildMysql(args, probeSql);
    const r = await ctx.probe(probe.cmd, { stdin: probe.stdin });
    if (r.rc !== 0) return { steps: [], failed: true, msg: `unable to connect to database: ${mysqlError(r)}` };
    const sets = parseMysqlXml(r.stdout);
    const users = sets[0]?.rows ?? [];
    const wantHash = args.password === undefined ? undefined : args.encrypted ? args.password : String(sets[1]?.rows[0]?.hash ?? '');
    const hosts = args.host_all ? users.map((u) => String(u.h)) : [args.host];
    const exists = users.length > 0;
    const who = (h: string): Piece[] => [{ value: args.name }, '@', { value: h }];
    const result = { user: args.name };

    if (args.state === 'absent') {
      if (!exists) return { steps: [], changed: false, result, msg: 'User does not exist' };
      const sql = users.map((u) => dynamic(['DROP USER ', ...who(String(u.h))])).join('');
      return step(args, sql, { ...result }, 'User deleted');
    }

    let sql = '';
    let msg = '';
    const before: Record<string, string[]> = {};
    const after: Record<string, string[]> = {};
    if (!exists) {
      if (args.host_all) return { steps: [], failed: true, msg: `host_all: the user ${args.name} does not exist on any host`, result };
      sql += dynamic(['CREATE USER ', ...who(args.host), ...identified(args, wantHash), ...(args.tls_requires ? requireClause(args.tls_requires) : [])]);
      msg = 'User added';
    } else if (wantHash !== undefined && args.update_password === 'always') {
      for (const u of users) {
        if (u.a === wantHash && (u.p === 'mysql_native_password' || u.p === '')) continue;
        sql += dynamic(['ALTER USER ', ...who(String(u.h)), ...identified(args, wantHash)]);
        msg = 'Password updated';
      }
    } else if (args.plugin !== undefined && users.some((u) => u.p !== args.plugin)) {
      for (const u of users) if (u.p !== args.plugin) sql += dynamic(['ALTER USER ', ...who(String(u.h)), ...identified(args, undefined)]);
      msg = 'Plugin updated';
    }

    if (exists && args.tls_requires !== undefined) {
      for (const u of users) {
        if (sameRequires(currentRequires(u), args.tls_requires)) continue;
        sql += dynamic(['ALTER USER ', ...who(String(u.h)), ...requireClause(args.tls_requires)]);
        msg ||= 'TLS requirements updated';
      }
    }

    if (args.priv !== undefined) {
      for (const h of hosts) {
        let current: Record<string, string[]> = {};
        if (exists) {
          const g = buildMysql(args, dynamic(['SHOW GRANTS FOR ', ...who(h)]));
          const gr = await ctx.probe(g.cmd, { stdin: g.stdin });
          if (gr.rc !== 0) return { steps: [], failed: true, msg: mysqlError(gr), result };
          current = parseGrants((parseMysqlXml(gr.stdout)[0]?.rows ?? []).map((row) => String(Object.values(row)[0] ?? '')));
        }
        const { sql: grantSql, next } = grantPlan(args, h, current);
        if (grantSql) {
          sql += grantSql;
          msg ||= 'Privileges updated';
        }
        Object.assign(before, prefix(h, current));
        Object.assign(after, prefix(h, next));
      }
    }
    if (!sql) return { steps: [], changed: false, result, msg: 'User unchanged' };
    const plan = step(args, sql, result, msg);
    if (args.priv !== undefined) plan.diff = [{ path: `${args.name}`, before: grantText(before), after: grantText(after), beforeHeader: 'before: grants', afterHeader: 'after: grants' }];
    return plan;

    function grantPlan(a: MysqlUserArgs, h: string, current: Record<string, string[]>): { sql: string; next: Record<string, string[]> } {
      const want = a.priv!;
      const next: Record<string, string[]> = { ...current };
      let s = '';
      const revokeAll = (key: string) => {
        s += dynamic([`REVOKE ALL PRIVILEGES ON ${onTarget(key)} FROM `, ...who(h)]);
        if (current[key]?.includes('GRANT')) s += dynamic([`REVOKE GRANT OPTION ON ${onTarget(key)} FROM `, ...who(h)]);
      };
      const grant = (key: string, privs: string[]) => {
        const plain = privs.filter((p) => p !== 'GRANT' && p !== 'USAGE');
        const list = plain.length > 0 ? plain.join(', ') : 'USAGE';
        s += dynamic([`GRANT ${list} ON ${onTarget(key)} TO `, ...who(h), privs.includes('GRANT') ? ' WITH GRANT OPTION' : '']);
      };
      if (a.subtract_privs) {
        for (const [key, privs] of Object.entries(want)) {
          const have = current[key] ?? [];
          const drop = privs.filter((p) => have.includes(p) && p !== 'USAGE');
          if (drop.length === 0) continue;
          s += dynamic([`REVOKE ${drop.map((p) => (p === 'GRANT' ? 'GRANT OPTION' : p)).join(', ')} ON ${onTarget(key)} FROM `, ...who(h)]);
          next[key] = have.filter((p) => !drop.includes(p));
        }
        return { sql: s, next };
      }
      if (!a.append_privs) {
        for (const key of Object.keys(current)) {
          if (key in want) continue;
          if (key === '*.*' && same(current[key], ['USAGE'])) continue;
          revokeAll(key);
          if (key === '*.*') next[key] = ['USAGE'];
          else delete next[key];
        }
      }
      for (const [key, privs] of Object.entries(want)) {
        const have = current[key] ?? [];
        if (a.append_privs) {
          const missing = privs.filter((p) => !have.includes(p) && !(have.includes('ALL') && p !== 'GRANT'));
          if (missing.length === 0) continue;
          grant(key, missing);
          next[key] = [...new Set([...have, ...missing])].sort();
        } else if (!same(have, privs)) {
          if (have.length > 0 && !same(have, ['USAGE'])) revokeAll(key);
          grant(key, privs);
          next[key] = privs;
        }
      }
      return { sql: s, next };
    }
  },
};

function prefix(h: string, g: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(g).map(([k, v]) => [`${h} ${k}`, v]));
}

/** ` IDENTIFIED BY PASSWORD '<hash>'` or ` IDENTIFIED VIA plugin [USING '…']` (values QUOTEd by the server). */
function identified(args: MysqlUserArgs, hash: string | undefined): Piece[] {
  if (args.plugin !== undefined && args.plugin !== 'mysql_native_password') {
    return [` IDENTIFIED VIA ${args.plugin}`, ...(args.plugin_auth_string !== undefined ? [' USING ', { value: args.plugin_auth_string }] : [])];
  }
  if (hash === undefined) return [];
  return [' IDENTIFIED BY PASSWORD ', { value: hash }];
}

function step(args: MysqlUserArgs, sql: string, result: Record<string, unknown>, msg: string): Plan {
  const call = buildMysql(args, sql);
  return {
    steps: [{ cmd: call.cmd, stdin: call.stdin }],
    changed: true,
    result,
    msg,
    finish: (results, base) => {
      const r = results[0];
      return r && (r.rc !== 0 || r.timedOut || r.aborted) ? { ...base, changed: false, failed: true, msg: mysqlError(r) } : base;
    },
  };
}
