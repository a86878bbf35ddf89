import { ParseError, type Source } from '../errors.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { buildPg, checkPgLogin, failedStep, PgError, pgLoginSpecs, pgRead, qi, type PgLogin, type Row, PG_LOGIN_PATHS } from './pg-client.js';
import type { ModuleDef, Plan } from './types.js';

/**
 * postgresql_privs (community.postgresql): GRANT/REVOKE on databases, schemas, tables, sequences,
 * functions and procedures, for `roles` (PUBLIC, CURRENT_USER… as keywords).
 * - Decided from the objects' ACLs (`aclexplode`, the default ACL when none is set) read while planning,
 *   so `--check` is exact and nothing is executed to find out (Ansible runs the GRANT and compares).
 * - present: changed when a role lacks one of `privs` (ALL expanded per type) — `grant_option: true`
 *   also when it lacks the grant option, `false` when it holds it (then `REVOKE GRANT OPTION FOR` as
 *   Ansible). absent: changed when a role holds one of them.
 * - `type: group`: membership of `roles` in the roles named by `objs` (`grant_option` = admin option).
 * - `objs: ALL_IN_SCHEMA` for tables, sequences, functions, procedures (`ON ALL TABLES IN SCHEMA`).
 * - The statements are built by the server from the values (`quote_ident`, `regprocedure`) and run with
 *   psql's `\gexec`: no name is spliced into SQL by tsplay. Returns `queries`; `--diff` shows the ACLs.
 */
type ObjType = 'table' | 'sequence' | 'function' | 'procedure' | 'database' | 'schema' | 'group';

export interface PgPrivsArgs extends PgLogin {
  login_db: string;
  state: 'present' | 'absent';
  privs: string[];
  type: ObjType;
  objs?: string[];
  schema?: string;
  roles: string[];
  grant_option?: boolean;
  fail_on_role: boolean;
}

const specs: ArgSpecs = {
  ...pgLoginSpecs,
  login_db: { type: 'str', required: true, aliases: ['db', 'database'] },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  privs: { type: 'list', elements: 'str', aliases: ['priv'] },
  type: { type: 'str', default: 'table', choices: ['table', 'sequence', 'function', 'procedure', 'database', 'schema', 'language', 'tablespace', 'group', 'default_privs', 'foreign_data_wrapper', 'foreign_server', 'type', 'parameter'] },
  objs: { type: 'list', elements: 'str', aliases: ['obj'] },
  schema: { type: 'str' },
  roles: { type: 'list', elements: 'str', required: true, aliases: ['role'] },
  target_roles: { type: 'str' },
  grant_option: { type: 'bool', aliases: ['admin_option'] },
  fail_on_role: { type: 'bool', default: true },
};

/** What ALL means per object type (PostgreSQL 15; MAINTAIN is added for tables on 17+). */
export const ALL_PRIVS: Record<ObjType, string[]> = {
  table: ['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE'],
  sequence: ['SELECT', 'UPDATE', 'USAGE'],
  function: ['EXECUTE'],
  procedure: ['EXECUTE'],
  database: ['CONNECT', 'CREATE', 'TEMPORARY'],
  schema: ['CREATE', 'USAGE'],
  /** Membership of the roles in `objs` (`GRANT group TO role`); no `privs`. */
  group: ['MEMBER'],
};

const IMPLICIT_ROLES = ['PUBLIC', 'CURRENT_USER', 'SESSION_USER', 'CURRENT_ROLE'];
const SCHEMA_TYPES: ObjType[] = ['table', 'sequence', 'function', 'procedure'];

function parse(raw: unknown, where: Source, loadTime: boolean): PgPrivsArgs {
  const args = parseArgs<PgPrivsArgs & { target_roles?: string }>('postgresql_privs', specs, raw, where, loadTime);
  checkPgLogin('postgresql_privs', args, where);
  if (loadTime) return args;
  if (!(args.type in ALL_PRIVS)) throw new ParseError(`postgresql_privs: type '${args.type}' is not supported by tsplay (supported: ${Object.keys(ALL_PRIVS).join(', ')})`, where);
  if (args.target_roles !== undefined) throw new ParseError(`postgresql_privs: argument 'target_roles' is only for type default_privs, which tsplay does not support`, where);
  if (args.schema !== undefined && !SCHEMA_TYPES.includes(args.type)) throw new ParseError(`postgresql_privs: Argument "schema" is not allowed for type "${args.type}".`, where);
  if (SCHEMA_TYPES.includes(args.type)) args.schema ??= 'public';
  if (args.type === 'database') args.objs ??= [args.login_db];
  if (!args.objs || args.objs.length === 0) throw new ParseError(`postgresql_privs: Argument "objs" is required for type "${args.type}".`, where);
  if (args.objs.includes('ALL_IN_SCHEMA') && !SCHEMA_TYPES.includes(args.type)) {
    throw new ParseError(`postgresql_privs: Argument "objs": ALL_IN_SCHEMA can be used only for type: table, sequence, function or procedure, ${args.type} was passed.`, where);
  }
  if (args.objs.includes('ALL_IN_SCHEMA') && args.objs.length > 1) throw new ParseError(`postgresql_privs: ALL_IN_SCHEMA cannot be combined with other objs`, where);
  if (args.type === 'group') {
    if (args.privs?.length) throw new ParseError(`postgresql_privs: Argument "privs" is not allowed for type "group".`, where);
    args.privs = ['MEMBER'];
    return args;
  }
  if (!args.privs || args.privs.length === 0) throw new ParseError(`postgresql_privs: Argument "privs" is required for type "${args.type}".`, where);
  const privs = args.privs.map((p) => p.trim().toUpperCase().replace(/^TEMP$/, 'TEMPORARY'));
  const allowed = [...ALL_PRIVS[args.type], 'ALL'];
  const bad = privs.filter((p) => !allowed.includes(p));
  if (bad.length > 0) throw new ParseError(`postgresql_privs: Invalid privileges specified for type ${args.type}: ${bad.join(', ')} (valid: ${allowed.join(', ')})`, where);
  args.privs = [...new Set(privs)].sort();
  if (args.type === 'function' || args.type === 'procedure') {
    args.objs = args.objs.map((o) => o.replace(/:/g, ','));
    for (const o of args.objs) if (o !== 'ALL_IN_SCHEMA' && !/^[^(]+\(.*\)$/.test(o)) throw new ParseError(`postgresql_privs: Illegal function / procedure signature: "${o}".`, where);
  }
  return args;
}

/** The kind of ACL for `acldefault`, and the catalog query listing (object, ACL item) pairs. */
function aclQuery(type: ObjType, all: boolean): string {
  const acl = (col: string, kind: string, owner: string) => `LATERAL pg_catalog.aclexplode(coalesce(${col}, pg_catalog.acldefault('${kind}', ${owner}))) a`;
  const grantee = `CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END AS grantee, a.privilege_type AS priv, a.is_grantable AS grantable`;
  const names = `jsonb_array_elements_text(:'objs'::jsonb) s(name)`;
  switch (type) {
    case 'table':
    case 'sequence': {
      const kinds = type === 'table' ? `'r','p','v','m','f'` : `'S'`;
      const from = all ? `pg_catalog.pg_class c` : `${names} JOIN pg_catalog.pg_class c ON c.relname = s.name`;
      return `SELECT c.relname AS obj, ${grantee} FROM ${from} JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = :'schema', ${acl('c.relacl', type === 'table' ? 'r' : 's', 'c.relowner')} WHERE c.relkind IN (${kinds})`;
    }
    case 'function':
    case 'procedure': {
      const kind = type === 'function' ? 'f' : 'p';
      if (all) {
        return `SELECT p.oid::pg_catalog.regprocedure::text AS obj, ${grantee} FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace AND n.nspname = :'schema', ${acl('p.proacl', 'f', 'p.proowner')} WHERE p.prokind = '${kind}'`;
      }
      return `SELECT s.name AS obj, ${grantee} FROM ${names} JOIN pg_catalog.pg_proc p ON p.oid = pg_catalog.to_regprocedure(pg_catalog.quote_ident(:'schema') || '.' || s.name), ${acl('p.proacl', 'f', 'p.proowner')} WHERE p.prokind = '${kind}'`;
    }
    case 'database':
      return `SELECT d.datname AS obj, ${grantee} FROM ${names} JOIN pg_catalog.pg_database d ON d.datname = s.name, ${acl('d.datacl', 'd', 'd.datdba')}`;
    case 'schema':
      return `SELECT n.nspname AS obj, ${grantee} FROM ${names} JOIN pg_catalog.pg_namespace n ON n.nspname = s.name, ${acl('n.nspacl', 'n', 'n.nspowner')}`;
    case 'group':
      // One row with an empty grantee says the group exists; then one per member (admin option as grantable).
      return `SELECT g.rolname AS obj, '' AS grantee, '' AS priv, false AS grantable FROM ${names} JOIN pg_catalog.pg_roles g ON g.rolname = s.name
        UNION ALL SELECT g.rolname, m.rolname, 'MEMBER', am.admin_option FROM ${names} JOIN pg_catalog.pg_roles g ON g.rolname = s.name
        JOIN pg_catalog.pg_auth_members am ON am.roleid = g.oid JOIN pg_catalog.pg_roles m ON m.oid = am.member`;
  }
}

const ROLES_QUERY = `SELECT rolname FROM pg_catalog.pg_roles WHERE rolname IN (SELECT jsonb_array_elements_text(:'roles'::jsonb))`;
const VERSION_QUERY = `SELECT current_setting('server_version_num')::int AS v`;

/** The SQL expression (built by the server) naming the objects of the statement. */
function objectsExpr(type: ObjType, all: boolean): string {
  if (type === 'group') return `(SELECT string_agg(pg_catalog.quote_ident(x), ', ') FROM jsonb_array_elements_text(:'objs'::jsonb) x)`;
  const kw = { table: 'TABLE', sequence: 'SEQUENCE', function: 'FUNCTION', procedure: 'PROCEDURE', database: 'DATABASE', schema: 'SCHEMA' }[type];
  if (all) return `'ALL ${kw}S IN SCHEMA ' || pg_catalog.quote_ident(:'schema')`;
  const each =
    type === 'function' || type === 'procedure'
      ? `pg_catalog.to_regprocedure(pg_catalog.quote_ident(:'schema') || '.' || x)::text`
      : SCHEMA_TYPES.includes(type)
        ? `pg_catalog.quote_ident(:'schema') || '.' || pg_catalog.quote_ident(x)`
        : `pg_catalog.quote_ident(x)`;
  return `'${kw} ' || (SELECT string_agg(${each}, ', ') FROM jsonb_array_elements_text(:'objs'::jsonb) x)`;
}

const ROLES_EXPR = `(SELECT string_agg(CASE WHEN upper(r) IN (${IMPLICIT_ROLES.map((r) => `'${r}'`).join(', ')}) THEN upper(r) ELSE pg_catalog.quote_ident(r) END, ', ') FROM jsonb_array_elements_text(:'roles'::jsonb) r)`;

function shownRole(r: string): string {
  return IMPLICIT_ROLES.includes(r.toUpperCase()) ? r.toUpperCase() : qi(r);
}

type Acl = Map<string, Map<string, Map<string, boolean>>>; // obj → grantee → priv → grantable

function aclText(acl: Acl, objs: string[], roles: string[]): string {
  const lines: string[] = [];
  for (const o of objs) {
    for (const r of roles) {
      const p = acl.get(o)?.get(r);
      const privs = p ? [...p.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, g]) => (g ? `${k}*` : k)) : [];
      lines.push(`${o} ${r}: ${privs.join(',')}`);
    }
  }
  return lines.join('\n') + '\n';
}

export const postgresqlPrivsModule: ModuleDef<PgPrivsArgs> = {
  targetPaths: PG_LOGIN_PATHS,
  name: 'postgresql_privs',
  aliases: ['community.postgresql.postgresql_privs'],
  parse,
  async plan(args, ctx): Promise<Plan> {
    const all = args.objs![0] === 'ALL_IN_SCHEMA';
    const vars = { objs: JSON.stringify(args.objs), schema: args.schema ?? '', roles: JSON.stringify(args.roles) };
    let aclRows: Row[];
    let roleRows: Row[];
    let version: number;
    try {
      const [a, r, v] = await pgRead(ctx, args, args.login_db, [aclQuery(args.type, all), ROLES_QUERY, VERSION_QUERY], vars);
      [aclRows, roleRows, version] = [a!, r!, Number(v![0]?.v)];
    } catch (e) {
      if (e instanceof PgError) return { steps: [], failed: true, msg: `unable to connect to database: ${e.message}` };
      throw e;
    }
    const known = new Set(roleRows.map((r) => String(r.rolname)));
    const roles: string[] = [];
    const warnings: string[] = [];
    for (const r of args.roles) {
      const implicit = IMPLICIT_ROLES.includes(r.toUpperCase());
      if (implicit || known.has(r)) roles.push(implicit ? r.toUpperCase() : r);
      else if (args.fail_on_role) return { steps: [], failed: true, msg: `Role '${r}' does not exist` };
      else warnings.push(`Role '${r}' does not exist, pass`);
    }
    const acl: Acl = new Map();
    for (const row of aclRows) {
      const o = String(row.obj);
      if (!acl.has(o)) acl.set(o, new Map());
      const g = acl.get(o)!;
      const grantee = String(row.grantee);
      if (!g.has(grantee)) g.set(grantee, new Map());
      g.get(grantee)!.set(String(row.priv), row.grantable === true);
    }
    // Objects: every named one must exist (an object without ACL rows still has its default ACL).
    const objs = all ? [...acl.keys()].sort() : args.objs!;
    const missing = objs.filter((o) => !acl.has(o));
    if (missing.length > 0) return { steps: [], failed: true, msg: `${args.type} ${missing.map((m) => `"${m}"`).join(', ')} does not exist${SCHEMA_TYPES.includes(args.type) ? ` in schema "${args.schema}"` : ''}` };

    const allPrivs = args.type === 'table' && version >= 170000 ? [...ALL_PRIVS.table, 'MAINTAIN'].sort() : ALL_PRIVS[args.type];
    const want = args.privs.includes('ALL') ? allPrivs : args.privs;
    const after: Acl = new Map([...acl].map(([o, g]) => [o, new Map([...g].map(([r, p]) => [r, new Map(p)]))]));
    let grant = false;
    let revokeOption = false;
    let revoke = false;
    for (const o of objs) {
      for (const r of roles) {
        const key = r === 'CURRENT_USER' || r === 'SESSION_USER' || r === 'CURRENT_ROLE' ? args.login_user : r;
        const have = acl.get(o)?.get(key) ?? new Map<string, boolean>();
        const next = after.get(o)!.get(key) ?? new Map<string, boolean>();
        for (const p of want) {
          if (args.state === 'absent') {
            if (have.has(p)) (revoke = true), next.delete(p);
            continue;
          }
          if (!have.has(p) || (args.grant_option === true && !have.get(p))) grant = true;
          if (args.grant_option === false && have.get(p)) revokeOption = true;
          next.set(p, args.grant_option === true ? true : args.grant_option === false ? false : (have.get(p) ?? false));
        }
        after.get(o)!.set(key, next);
      }
    }
    const group = args.type === 'group';
    const shownObjs = group
      ? args.objs!.map(qi).join(',')
      : all
      ? `ALL ${args.type.toUpperCase()}S IN SCHEMA ${qi(args.schema!)}`
      : `${args.type.toUpperCase()} ${args.objs!.map((o) => (args.type === 'function' || args.type === 'procedure' ? `${qi(args.schema!)}.${o}` : SCHEMA_TYPES.includes(args.type) ? `${qi(args.schema!)}.${qi(o)}` : qi(o))).join(',')}`;
    // `GRANT privs ON objects TO roles`, or for a group `GRANT groups TO roles` (admin option for grant option).
    const what = group ? '' : `${args.privs.join(',')} ON `;
    const optionWord = group ? 'ADMIN' : 'GRANT';
    const whom = roles.map(shownRole).join(',');
    const stmts: { sql: string; shown: string }[] = [];
    const run = (verb: string, tail: string) =>
      `SELECT '${verb} ${what}' || ${objectsExpr(args.type, all)} || ' ${verb === 'GRANT' ? 'TO' : 'FROM'} ' || ${ROLES_EXPR}${tail ? ` || '${tail}'` : ''} \\gexec\n`;
    const withOption = args.grant_option ? ` WITH ${optionWord} OPTION` : '';
    if (args.state === 'present' && (grant || revokeOption)) {
      stmts.push({ sql: run('GRANT', withOption), shown: `GRANT ${what}${shownObjs} TO ${whom}${withOption};` });
      if (args.grant_option === false) {
        stmts.push({ sql: run(`REVOKE ${optionWord} OPTION FOR`, ''), shown: `REVOKE ${optionWord} OPTION FOR ${what}${shownObjs} FROM ${whom};` });
      }
    } else if (args.state === 'absent' && revoke) {
      stmts.push({ sql: run('REVOKE', ''), shown: `REVOKE ${what}${shownObjs} FROM ${whom};` });
    }
    const shownRoles = roles.map((r) => (r === 'CURRENT_USER' || r === 'SESSION_USER' || r === 'CURRENT_ROLE' ? args.login_user : r));
    const diff = [{ path: `${args.login_db} ${args.type}`, before: aclText(acl, objs, shownRoles), after: aclText(after, objs, shownRoles), beforeHeader: 'before: privileges', afterHeader: 'after: privileges' }];
    const result: Record<string, unknown> = { queries: stmts.map((s) => s.shown), ...(warnings.length > 0 ? { warnings } : {}) };
    if (stmts.length === 0) return { steps: [], changed: false, result };
    const script = stmts.map((s) => s.sql).join('');
    const call = buildPg(args, script, { db: args.login_db, vars, single: true });
    return {
      steps: [{ cmd: call.cmd, stdin: call.stdin }],
      changed: true,
      result,
      diff,
      finish: (results, base) => {
        const err = failedStep(results);
        return err ? { ...base, changed: false, failed: true, msg: err } : base;
      },
    };
  },
};
