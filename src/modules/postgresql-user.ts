import { ParseError, type Source } from '../errors.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { buildPg, checkPgLogin, failedStep, PgError, pgLoginSpecs, pgRead, SqlBuilder, type PgLogin, type Row, PG_LOGIN_PATHS } from './pg-client.js';
import { SCRAM_RE, scramHash, scramMatches } from './pg-scram.js';
import type { FileDiff, ModuleDef, Plan } from './types.js';

/**
 * postgresql_user (community.postgresql): a role, its password, attributes, expiry, connection limit
 * and comment; `state: absent` drops it.
 * - The password is hashed on the controller as SCRAM-SHA-256 (random salt, 4096 iterations) and the
 *   server stores that verifier: the plaintext never leaves the controller. An existing SCRAM verifier
 *   is checked against the password (as Ansible does), so a second run reports ok. A password given as
 *   a SCRAM or md5 hash is stored as given; `password: ''` removes the password.
 * - `role_attr_flags: CREATEDB,NOSUPERUSER…` compared with pg_roles; `expires` compared as timestamptz
 *   by the server; `conn_limit`; `no_password_changes`.
 * - Returns `user`, `queries` (the password shown as `%(password)s`), `user_removed`; `--diff` shows the
 *   role's attributes before and after (the password as set / not set / changed, never its value).
 */
export interface PgUserArgs extends PgLogin {
  user: string;
  password?: string;
  state: 'present' | 'absent';
  login_db: string;
  fail_on_user: boolean;
  role_attr_flags: string[];
  encrypted: boolean;
  no_password_changes: boolean;
  expires?: string;
  conn_limit?: number;
  comment?: string;
}

const specs: ArgSpecs = {
  ...pgLoginSpecs,
  user: { type: 'str', required: true, aliases: ['name'] },
  password: { type: 'str' },
  state: { type: 'str', default: 'present', choices: ['absent', 'present'] },
  login_db: { type: 'str', default: '', aliases: ['db'] },
  fail_on_user: { type: 'bool', default: true, aliases: ['fail_on_role'] },
  role_attr_flags: { type: 'str', default: '' },
  encrypted: { type: 'bool', default: true },
  no_password_changes: { type: 'bool', default: false },
  expires: { type: 'str' },
  conn_limit: { type: 'int' },
  comment: { type: 'str' },
};

/** Role attributes and their pg_roles columns (BYPASSRLS since 9.5). */
export const ROLE_FLAGS: Record<string, string> = {
  SUPERUSER: 'rolsuper',
  CREATEROLE: 'rolcreaterole',
  CREATEDB: 'rolcreatedb',
  INHERIT: 'rolinherit',
  LOGIN: 'rolcanlogin',
  REPLICATION: 'rolreplication',
  BYPASSRLS: 'rolbypassrls',
};

/** `CREATEDB,NOSUPERUSER` → validated, upper-cased words in a stable order. */
export function parseRoleFlags(text: string, module: string, where: Source): string[] {
  const flags = [...new Set(text.split(',').map((f) => f.trim().toUpperCase()).filter((f) => f !== ''))];
  const bad = flags.filter((f) => !(f in ROLE_FLAGS) && !(f.startsWith('NO') && f.slice(2) in ROLE_FLAGS));
  if (bad.length > 0) throw new ParseError(`${module}: Invalid role_attr_flags specified: ${bad.join(' ')}`, where);
  for (const f of flags) if (flags.includes(`NO${f}`)) throw new ParseError(`${module}: role_attr_flags has both ${f} and NO${f}`, where);
  return flags.sort();
}

function parse(raw: unknown, where: Source, loadTime: boolean): PgUserArgs {
  const args = parseArgs<PgUserArgs & { role_attr_flags: string | string[] }>('postgresql_user', specs, raw, where, loadTime);
  checkPgLogin('postgresql_user', args, where);
  if (loadTime) return args as PgUserArgs;
  args.role_attr_flags = parseRoleFlags(args.role_attr_flags as string, 'postgresql_user', where);
  if (args.conn_limit !== undefined && args.conn_limit < -1) throw new ParseError(`postgresql_user: argument 'conn_limit' must be -1 or more`, where);
  if (!args.encrypted && args.password) {
    throw new ParseError(`postgresql_user: encrypted: false (UNENCRYPTED PASSWORD) is not supported by PostgreSQL 10 and later`, where);
  }
  return args as PgUserArgs;
}

const ROLE_QUERY = `SELECT r.rolname, ${Object.values(ROLE_FLAGS)
  .map((c) => `r.${c}`)
  .join(', ')}, r.rolconnlimit, r.rolvaliduntil, shobj_description(r.oid, 'pg_authid') AS comment FROM pg_catalog.pg_roles r WHERE r.rolname = :'name'`;

/** What the diff shows of a role. */
function describe(role: Row | undefined, password: string): string {
  if (!role) return '';
  const lines = [`user: ${String(role.rolname)}`];
  for (const [flag, col] of Object.entries(ROLE_FLAGS)) lines.push(`${flag}: ${role[col] ? 'yes' : 'no'}`);
  lines.push(`password: ${password}`, `expires: ${role.rolvaliduntil ?? ''}`, `conn_limit: ${role.rolconnlimit}`, `comment: ${role.comment ?? ''}`);
  return lines.join('\n') + '\n';
}

export const postgresqlUserModule: ModuleDef<PgUserArgs> = {
  targetPaths: PG_LOGIN_PATHS,
  name: 'postgresql_user',
  aliases: ['community.postgresql.postgresql_user'],
  parse,
  async plan(args, ctx): Promise<Plan> {
    const db = args.login_db || undefined;
    const queries = [ROLE_QUERY, `SELECT has_table_privilege('pg_catalog.pg_authid', 'SELECT') AS authid`];
    const vars: Record<string, string> = { name: args.user };
    if (args.expires !== undefined) {
      queries.push(`SELECT (:'expires')::timestamptz AS expires`);
      vars.expires = args.expires;
    }
    let role: Row | undefined;
    let canReadAuthid = false;
    let expires: unknown;
    let rolpassword: string | null | undefined;
    try {
      const [roles, authid, exp] = await pgRead(ctx, args, db, queries, vars);
      role = roles![0];
      canReadAuthid = authid![0]?.authid === true;
      expires = exp?.[0]?.expires;
      if (role && canReadAuthid && args.password !== undefined && !args.no_password_changes) {
        const [pw] = await pgRead(ctx, args, db, [`SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = :'name'`], { name: args.user });
        rolpassword = (pw![0]?.rolpassword as string | null) ?? null;
      }
    } catch (e) {
      if (e instanceof PgError) return { steps: [], failed: true, msg: `unable to connect to database: ${e.message}` };
      throw e;
    }
    const result: Record<string, unknown> = { user: args.user };
    const isPublic = args.user === 'PUBLIC';
    const b = new SqlBuilder();

    if (args.state === 'absent') {
      if (!role && !isPublic) return { steps: [], changed: false, result: { ...result, queries: [] } };
      b.sql('DROP USER ').ident(args.user).end();
      return step(args, db, b, { ...result, user_removed: true }, [{ path: args.user, before: describe(role, rolpassword ? 'set' : 'unknown'), after: '', beforeHeader: 'before: role', afterHeader: 'after: role' }], args.fail_on_user);
    }
    if (isPublic) {
      if (args.password !== undefined || args.role_attr_flags.length > 0) return { steps: [], failed: true, msg: 'cannot change the password or role_attr_flags of the PUBLIC user' };
      return { steps: [], changed: false, result: { ...result, queries: [] } };
    }

    // The password: what to store (a hash, or NULL) and whether it differs from what is stored.
    let pwValue: string | null | undefined;
    let pwShown = 'not set';
    if (args.password !== undefined && !args.no_password_changes) {
      const pw = args.password;
      const isHash = SCRAM_RE.test(pw) || /^md5[0-9a-f]{32}$/.test(pw);
      let differs: boolean;
      if (!role) differs = pw !== '';
      else if (!canReadAuthid) differs = true;
      else if (pw === '') differs = rolpassword !== null;
      else if (isHash) differs = pw !== rolpassword;
      else differs = !scramMatches(pw, rolpassword);
      if (differs) pwValue = pw === '' ? null : isHash ? pw : scramHash(pw);
      pwShown = differs ? (pw === '' ? 'removed' : role ? 'changed' : 'set') : 'unchanged';
    }

    const flagsWanted = args.role_attr_flags;
    const flagChanges = role ? flagsWanted.filter((f) => (f.startsWith('NO') ? role![ROLE_FLAGS[f.slice(2)]!] !== false : role![ROLE_FLAGS[f]!] !== true)) : flagsWanted;
    const expiresChanges = args.expires !== undefined && (!role || JSON.stringify(expires) !== JSON.stringify(role.rolvaliduntil));
    const connChanges = args.conn_limit !== undefined && (!role || role.rolconnlimit !== args.conn_limit);
    const commentChanges = args.comment !== undefined && (role?.comment ?? '') !== args.comment;

    const clauses = (bb: SqlBuilder, flags: string[]) => {
      if (flags.length > 0) bb.sql(` ${flags.join(' ')}`);
      if (pwValue !== undefined) {
        if (pwValue === null) bb.sql(' PASSWORD NULL');
        else bb.sql(' ENCRYPTED PASSWORD ').lit(pwValue, '%(password)s');
      }
      if (args.expires !== undefined && (expiresChanges || !role)) bb.sql(' VALID UNTIL ').lit(args.expires);
      if (args.conn_limit !== undefined && (connChanges || !role)) bb.sql(` CONNECTION LIMIT ${args.conn_limit}`);
    };
    if (!role) {
      const any = flagsWanted.length > 0 || pwValue !== undefined || args.expires !== undefined || args.conn_limit !== undefined;
      b.sql('CREATE USER ').ident(args.user).sql(any ? ' WITH' : '');
      clauses(b, flagsWanted);
      b.end();
    } else if (flagChanges.length > 0 || pwValue !== undefined || expiresChanges || connChanges) {
      b.sql('ALTER USER ').ident(args.user).sql(' WITH');
      clauses(b, flagChanges);
      b.end();
    }
    if (commentChanges) b.sql('COMMENT ON ROLE ').ident(args.user).sql(' IS ').lit(args.comment!).end();
    if (b.run.length === 0) return { steps: [], changed: false, result: { ...result, queries: [] } };

    const after: Row = role ? { ...role } : { rolname: args.user, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolinherit: true, rolcanlogin: true, rolreplication: false, rolbypassrls: false, rolconnlimit: -1, rolvaliduntil: null, comment: null };
    for (const f of flagsWanted) after[ROLE_FLAGS[f.replace(/^NO/, '')]!] = !f.startsWith('NO');
    if (args.expires !== undefined) after.rolvaliduntil = expires;
    if (args.conn_limit !== undefined) after.rolconnlimit = args.conn_limit;
    if (args.comment !== undefined) after.comment = args.comment;
    const beforePw = role ? (rolpassword === undefined ? 'unknown' : rolpassword === null ? 'not set' : 'set') : '';
    const diff: FileDiff[] = [{ path: args.user, before: describe(role, beforePw), after: describe(after, pwShown), beforeHeader: 'before: role', afterHeader: 'after: role' }];
    return step(args, db, b, result, diff, true);
  },
};

function step(args: PgUserArgs, db: string | undefined, b: SqlBuilder, result: Record<string, unknown>, diff: FileDiff[], failOnError: boolean): Plan {
  const call = buildPg(args, b.script(), { db, vars: b.vars, single: true });
  return {
    steps: [{ cmd: call.cmd, stdin: call.stdin }],
    changed: true,
    result: { ...result, queries: b.shown },
    diff,
    finish: (results, base) => {
      const err = failedStep(results);
      if (!err) return base;
      if (!failOnError) return { ...base, changed: false, user_removed: false, queries: [] };
      return { ...base, changed: false, failed: true, msg: args.state === 'absent' ? `Unable to remove user: ${err}` : err };
    },
  };
}
