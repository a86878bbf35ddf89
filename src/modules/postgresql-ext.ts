import type { Source } from '../errors.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { buildPg, checkPgLogin, failedStep, PgError, pgLoginSpecs, pgRead, SqlBuilder, type PgLogin, type Row, PG_LOGIN_PATHS } from './pg-client.js';
import type { ModuleDef, Plan } from './types.js';

/**
 * postgresql_ext (community.postgresql): an extension in `login_db`.
 * present: `CREATE EXTENSION` (`schema`, `version`, `cascade`) when missing; an installed one is updated
 * (`ALTER EXTENSION … UPDATE TO`) when `version` names another available version, or `latest` and the
 * default version differs; moved when `schema` differs. absent: `DROP EXTENSION` (`cascade`).
 * A version that the server cannot install fails while planning. Returns `queries`, `prev_version`,
 * `version`.
 */
export interface PgExtArgs extends PgLogin {
  login_db: string;
  ext: string;
  schema?: string;
  state: 'present' | 'absent';
  cascade: boolean;
  version?: string;
  comment?: string;
}

const specs: ArgSpecs = {
  ...pgLoginSpecs,
  login_db: { type: 'str', required: true, aliases: ['db'] },
  ext: { type: 'str', required: true, aliases: ['name'] },
  schema: { type: 'str' },
  state: { type: 'str', default: 'present', choices: ['absent', 'present'] },
  cascade: { type: 'bool', default: false },
  version: { type: 'str' },
  comment: { type: 'str' },
};

function parse(raw: unknown, where: Source, loadTime: boolean): PgExtArgs {
  const args = parseArgs<PgExtArgs>('postgresql_ext', specs, raw, where, loadTime);
  checkPgLogin('postgresql_ext', args, where);
  return args;
}

const INSTALLED = `SELECT e.extversion, n.nspname, pg_catalog.obj_description(e.oid, 'pg_extension') AS comment
  FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = :'name'`;
const AVAILABLE = `SELECT default_version FROM pg_catalog.pg_available_extensions WHERE name = :'name'`;
const VERSIONS = `SELECT version FROM pg_catalog.pg_available_extension_versions WHERE name = :'name'`;
/** Versions reachable from the installed one by the extension's update scripts. */
const UPDATES = `SELECT p.target FROM pg_catalog.pg_extension e, LATERAL pg_catalog.pg_extension_update_paths(e.extname) p WHERE e.extname = :'name' AND p.source = e.extversion AND p.path IS NOT NULL`;

export const postgresqlExtModule: ModuleDef<PgExtArgs> = {
  targetPaths: PG_LOGIN_PATHS,
  name: 'postgresql_ext',
  aliases: ['community.postgresql.postgresql_ext'],
  parse,
  async plan(args, ctx): Promise<Plan> {
    let installed: Row | undefined;
    let available: Row | undefined;
    let versions: string[];
    let updates: string[];
    try {
      const [i, a, v, u] = await pgRead(ctx, args, args.login_db, [INSTALLED, AVAILABLE, VERSIONS, UPDATES], { name: args.ext });
      installed = i![0];
      available = a![0];
      versions = v!.map((r) => String(r.version));
      updates = u!.map((r) => String(r.target));
    } catch (e) {
      if (e instanceof PgError) return { steps: [], failed: true, msg: `unable to connect to database: ${e.message}` };
      throw e;
    }
    const prev = installed ? String(installed.extversion) : '';
    const b = new SqlBuilder();
    let version = prev;

    if (args.state === 'absent') {
      if (!installed) return { steps: [], changed: false, result: { queries: [], prev_version: prev, version: prev } };
      b.sql('DROP EXTENSION ').ident(args.ext).sql(args.cascade ? ' CASCADE' : '').end();
      version = '';
    } else {
      if (!available) return { steps: [], failed: true, msg: `Extension ${args.ext} is not available`, result: { queries: [], prev_version: prev, version: prev } };
      const latest = String(available.default_version);
      const want = args.version === undefined || args.version === 'latest' ? undefined : args.version;
      if (!installed) {
        if (want !== undefined && !versions.includes(want)) return { steps: [], failed: true, msg: `Extension ${args.ext} is not available in version ${want}` };
        b.sql('CREATE EXTENSION ').ident(args.ext);
        if (args.schema) b.sql(' WITH SCHEMA ').ident(args.schema);
        if (want !== undefined) b.sql(' VERSION ').lit(want);
        if (args.cascade) b.sql(' CASCADE');
        b.end();
        version = want ?? latest;
      } else {
        const target = args.version === 'latest' ? latest : want;
        if (target !== undefined && target !== prev) {
          if (!updates.includes(target)) return { steps: [], failed: true, msg: `Extension ${args.ext} cannot be updated from ${prev} to ${target}` };
          b.sql('ALTER EXTENSION ').ident(args.ext).sql(' UPDATE TO ').lit(target).end();
          version = target;
        }
        if (args.schema && args.schema !== installed.nspname) b.sql('ALTER EXTENSION ').ident(args.ext).sql(' SET SCHEMA ').ident(args.schema).end();
      }
      if (args.comment !== undefined && args.comment !== (installed?.comment ?? '')) b.sql('COMMENT ON EXTENSION ').ident(args.ext).sql(' IS ').lit(args.comment).end();
    }
    const result = { queries: b.shown, prev_version: prev, version };
    if (b.run.length === 0) return { steps: [], changed: false, result };
    const call = buildPg(args, b.script(), { db: args.login_db, vars: b.vars, single: true });
    return {
      steps: [{ cmd: call.cmd, stdin: call.stdin }],
      changed: true,
      result,
      finish: (results, base) => {
        const err = failedStep(results);
        return err ? { ...base, changed: false, failed: true, msg: err, version: prev } : base;
      },
    };
  },
};
