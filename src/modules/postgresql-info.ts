import type { Source } from '../errors.js';
import { globToRegExp } from '../util/glob.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { buildPg, checkPgLogin, jsonBlock, newMarker, PgError, pgLoginSpecs, pgRead, readJsonBlocks, type PgLogin, type Row, PG_LOGIN_PATHS } from './pg-client.js';
import { psqlError } from './psql.js';
import type { ModuleDef, Plan } from './types.js';

/**
 * postgresql_info (community.postgresql): read-only facts about the server — `version`, `in_recovery`,
 * `tablespaces`, `databases` (owner, encoding, collate, ctype, access_priv, size, and per database its
 * `namespaces`, `extensions`, `languages`), `replications`, `repl_slots`, `settings`, `roles`.
 * `filter` as Ansible reads it: fnmatch patterns, `!pattern` excludes (only when nothing is included).
 * Never changed; the same under --check. The per-database parts connect to each database the login
 * may connect to (psql `\c`), in read-only sessions.
 */
export interface PgInfoArgs extends PgLogin {
  login_db?: string;
  filter?: string[];
}

const specs: ArgSpecs = {
  ...pgLoginSpecs,
  login_db: { type: 'str', aliases: ['db'] },
  filter: { type: 'list', elements: 'str' },
};

function parse(raw: unknown, where: Source, loadTime: boolean): PgInfoArgs {
  const args = parseArgs<PgInfoArgs>('postgresql_info', specs, raw, where, loadTime);
  checkPgLogin('postgresql_info', args, where);
  return args;
}

export const SUBSETS = ['version', 'in_recovery', 'tablespaces', 'databases', 'replications', 'repl_slots', 'settings', 'roles'] as const;
type Subset = (typeof SUBSETS)[number];

/** The subsets `filter` selects, in Ansible's order. */
export function selectSubsets(filter: string[] | undefined): Subset[] {
  if (!filter || filter.length === 0) return [...SUBSETS];
  const incl = filter.filter((f) => !f.startsWith('!')).map(globToRegExp);
  const excl = filter.filter((f) => f.startsWith('!')).map((f) => globToRegExp(f.replace(/^!+/, '')));
  if (incl.length > 0) return SUBSETS.filter((s) => incl.some((re) => re.test(s)));
  return SUBSETS.filter((s) => !excl.some((re) => re.test(s)));
}

const QUERIES: Record<Exclude<Subset, 'databases'>, string> = {
  version: `SELECT current_setting('server_version_num') AS num, version() AS raw`,
  in_recovery: `SELECT pg_catalog.pg_is_in_recovery() AS r`,
  tablespaces: `SELECT spcname, pg_catalog.pg_get_userbyid(spcowner) AS owner, coalesce(pg_catalog.array_to_string(spcacl, E'\\n'), '') AS acl, coalesce(spcoptions, '{}') AS options, pg_catalog.pg_tablespace_location(oid) AS location FROM pg_catalog.pg_tablespace`,
  replications: `SELECT pid, usename, application_name, client_addr::text AS client_addr, client_hostname, backend_start, state FROM pg_catalog.pg_stat_replication`,
  repl_slots: `SELECT slot_name, plugin, slot_type, database, active FROM pg_catalog.pg_replication_slots`,
  settings: `SELECT name, setting, unit, context, vartype, boot_val, min_val, max_val, sourcefile, pending_restart FROM pg_catalog.pg_settings`,
  roles: `SELECT r.rolname, r.rolsuper, r.rolcanlogin, r.rolvaliduntil, ARRAY(SELECT b.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles b ON m.roleid = b.oid WHERE m.member = r.oid ORDER BY 1) AS memberof FROM pg_catalog.pg_roles r WHERE r.rolname !~ '^pg_'`,
};

const DATABASES = `SELECT d.datname, pg_catalog.pg_get_userbyid(d.datdba) AS owner, pg_catalog.pg_encoding_to_char(d.encoding) AS encoding,
  d.datcollate, d.datctype, coalesce(pg_catalog.array_to_string(d.datacl, E'\\n'), '') AS acl,
  CASE WHEN pg_catalog.has_database_privilege(d.datname, 'CONNECT') THEN pg_catalog.pg_database_size(d.datname)::text ELSE 'No Access' END AS size,
  d.datallowconn AND pg_catalog.has_database_privilege(d.datname, 'CONNECT') AS can_connect
  FROM pg_catalog.pg_database d WHERE d.datname <> 'template0' ORDER BY 1`;

const PER_DB = [
  `SELECT n.nspname, pg_catalog.pg_get_userbyid(n.nspowner) AS owner FROM pg_catalog.pg_namespace n WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'`,
  `SELECT e.extname, e.extversion, n.nspname, c.description FROM pg_catalog.pg_extension e LEFT JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace LEFT JOIN pg_catalog.pg_description c ON c.objoid = e.oid AND c.classoid = 'pg_catalog.pg_extension'::pg_catalog.regclass`,
  `SELECT l.lanname, pg_catalog.pg_get_userbyid(l.lanowner) AS owner, l.lanacl::text AS acl FROM pg_catalog.pg_language l`,
];

/** `1.4` → { major: 1, minor: 4, raw } as Ansible splits extension versions. */
export function extVersion(raw: string): { major: number | null; minor: number | null; raw: string } {
  if (!/^([0-9]+(-*[0-9]+)?\.)*[0-9]+(-*[0-9]+)?$/.test(raw)) return { major: null, minor: null, raw };
  const [a, b] = raw.split('.');
  const major = Number.parseInt(a!.split('-')[0]!, 10);
  const minor = b === undefined ? null : Number.parseInt(b.split('-')[0]!, 10);
  return { major, minor, raw };
}

export function versionInfo(num: string, raw: string): Record<string, unknown> {
  const n = Number(num);
  const major = Math.floor(n / 10000);
  if (major >= 10) return { major, minor: n % 10000, patch: null, full: `${major}.${n % 10000}`, raw };
  const minor = Math.floor(n / 100) % 100;
  return { major, minor, patch: n % 100, full: `${major}.${minor}.${n % 100}`, raw };
}

export const postgresqlInfoModule: ModuleDef<PgInfoArgs> = {
  targetPaths: PG_LOGIN_PATHS,
  name: 'postgresql_info',
  aliases: ['community.postgresql.postgresql_info'],
  parse,
  async plan(args, ctx): Promise<Plan> {
    const subsets = selectSubsets(args.filter);
    const db = args.login_db;
    const info: Record<string, unknown> = {};
    try {
      const simple = subsets.filter((s): s is Exclude<Subset, 'databases'> => s !== 'databases');
      const queries = [...simple.map((s) => QUERIES[s]), ...(subsets.includes('databases') ? [DATABASES] : [])];
      const blocks = await pgRead(ctx, args, db, queries);
      simple.forEach((s, k) => (info[s] = shape(s, blocks[k]!)));
      if (subsets.includes('databases')) info.databases = await databases(blocks[blocks.length - 1]!);
    } catch (e) {
      if (e instanceof PgError) return { steps: [], failed: true, msg: `unable to connect to database: ${e.message}` };
      throw e;
    }
    return { steps: [], changed: false, result: info };

    async function databases(rows: Row[]): Promise<Record<string, unknown>> {
      const out: Record<string, Record<string, unknown>> = {};
      for (const r of rows) {
        out[String(r.datname)] = { owner: r.owner, encoding: r.encoding, collate: r.datcollate, ctype: r.datctype, access_priv: r.acl, size: r.size };
      }
      const reachable = rows.filter((r) => r.can_connect === true).map((r) => String(r.datname));
      if (reachable.length === 0) return out;
      // One session: `\c` to each database, its three queries, then the next.
      const marker = newMarker();
      const vars: Record<string, string> = {};
      let body = '';
      reachable.forEach((name, k) => {
        vars[`db${k}`] = name;
        body += `\\c :"db${k}"\n${PER_DB.map((q) => jsonBlock(q, marker)).join('')}`;
      });
      const call = buildPg(args, body, { db, vars, readOnly: true });
      const res = await ctx.probe(call.cmd, { stdin: call.stdin });
      if (res.rc !== 0) throw new PgError(psqlError(res));
      const blocks = readJsonBlocks(res.stdout, marker) as Row[][];
      reachable.forEach((name, k) => {
        const [ns, ext, lang] = [blocks[3 * k] ?? [], blocks[3 * k + 1] ?? [], blocks[3 * k + 2] ?? []];
        const d = out[name]!;
        d.namespaces = Object.fromEntries(ns.map((n) => [n.nspname, { nspowner: n.owner }]));
        d.extensions = Object.fromEntries(ext.map((e) => [e.extname, { extversion: extVersion(String(e.extversion)), nspname: e.nspname, description: e.description }]));
        d.languages = Object.fromEntries(lang.map((l) => [l.lanname, { lanowner: l.owner, lanacl: l.acl ?? '' }]));
      });
      return out;
    }
  },
};

function shape(s: Exclude<Subset, 'databases'>, rows: Row[]): unknown {
  switch (s) {
    case 'version':
      return versionInfo(String(rows[0]?.num), String(rows[0]?.raw));
    case 'in_recovery':
      return rows[0]?.r === true;
    case 'tablespaces':
      return Object.fromEntries(rows.map((r) => [r.spcname, { spcowner: r.owner, spcacl: r.acl, spcoptions: r.options, location: r.location }]));
    case 'replications':
      return Object.fromEntries(rows.map((r) => [r.pid, { usename: r.usename, app_name: r.application_name, client_addr: r.client_addr, client_hostname: r.client_hostname, backend_start: r.backend_start, state: r.state }]));
    case 'repl_slots':
      return Object.fromEntries(rows.map((r) => [r.slot_name, { plugin: r.plugin, slot_type: r.slot_type, database: r.database, active: r.active }]));
    case 'settings':
      return Object.fromEntries(
        rows.map((r) => [r.name, { setting: r.setting, unit: r.unit ?? '', context: r.context, vartype: r.vartype, boot_val: r.boot_val ?? '', min_val: r.min_val ?? '', max_val: r.max_val ?? '', sourcefile: r.sourcefile ?? '', pending_restart: r.pending_restart }]),
      );
    case 'roles':
      return Object.fromEntries(rows.map((r) => [r.rolname, { superuser: r.rolsuper, canlogin: r.rolcanlogin, valid_until: r.rolvaliduntil ?? '', member_of: r.memberof ?? [] }]));
  }
}
