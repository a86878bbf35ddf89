import { ParseError, type Source } from '../errors.js';
import { quote } from '../util/quote.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { atomicTarget } from './dump-target.js';
import { buildPg, checkPgLogin, failedStep, PgError, pgLoginSpecs, pgRead, SqlBuilder, type PgLogin, type Row, PG_LOGIN_PATHS } from './pg-client.js';
import type { ModuleDef, Plan, Step } from './types.js';

/**
 * postgresql_db (community.postgresql): `state: present | absent | dump | restore | rename`.
 * - present creates a missing database (`owner`, `template`, `encoding`, `lc_collate`, `lc_ctype`,
 *   `tablespace`, `conn_limit`, `comment`); an existing one gets its owner, connection limit, tablespace
 *   and comment altered when they differ, and fails when its encoding or locale differs (PostgreSQL
 *   cannot change them), as Ansible does.
 * - absent drops it (`force`: `WITH (FORCE)`, PostgreSQL 13+).
 * - dump runs `pg_dump` (`.tar` tar format, `.pgc` custom, `.dir` directory; `.gz`/`.bz2`/`.xz`
 *   compressed) into a temp file beside `target`, renamed over it only when the dump succeeded;
 *   restore runs `psql` (plain SQL) or `pg_restore`. Both always report changed, as in Ansible.
 * - rename: `ALTER DATABASE name RENAME TO target` (ok when only `target` exists).
 * Returns `db`, `executed_commands`. Connects to `maintenance_db` (postgres).
 */
export interface PgDbArgs extends PgLogin {
  db: string;
  owner: string;
  template: string;
  encoding: string;
  lc_collate: string;
  lc_ctype: string;
  state: 'present' | 'absent' | 'dump' | 'restore' | 'rename';
  target: string;
  target_opts: string;
  maintenance_db: string;
  conn_limit: string;
  tablespace: string;
  dump_extra_args?: string;
  force: boolean;
  comment?: string;
}

const specs: ArgSpecs = {
  ...pgLoginSpecs,
  db: { type: 'str', required: true, aliases: ['name'] },
  owner: { type: 'str', default: '' },
  template: { type: 'str', default: '' },
  encoding: { type: 'str', default: '' },
  lc_collate: { type: 'str', default: '' },
  lc_ctype: { type: 'str', default: '' },
  state: { type: 'str', default: 'present', choices: ['absent', 'dump', 'present', 'rename', 'restore'] },
  target: { type: 'path', default: '' },
  target_opts: { type: 'str', default: '' },
  maintenance_db: { type: 'str', default: 'postgres' },
  conn_limit: { type: 'str', default: '' },
  tablespace: { type: 'str', default: '' },
  dump_extra_args: { type: 'str' },
  force: { type: 'bool', default: false },
  comment: { type: 'str' },
};

/** Words passed to pg_dump/pg_restore as separate arguments (no shell): `-n public --no-owner`. */
function words(s: string | undefined): string[] {
  return (s ?? '').split(/\s+/).filter((w) => w !== '');
}

function parse(raw: unknown, where: Source, loadTime: boolean): PgDbArgs {
  const args = parseArgs<PgDbArgs>('postgresql_db', specs, raw, where, loadTime);
  checkPgLogin('postgresql_db', args, where);
  if (loadTime) return args;
  if (args.conn_limit !== '' && !/^-?\d+$/.test(args.conn_limit)) throw new ParseError(`postgresql_db: argument 'conn_limit' must be an integer, got ${JSON.stringify(args.conn_limit)}`, where);
  if (['dump', 'restore', 'rename'].includes(args.state) && args.target === '') {
    throw new ParseError(`postgresql_db: state is ${args.state} but all of the following are missing: target`, where);
  }
  for (const w of [...words(args.target_opts), ...words(args.dump_extra_args)]) {
    if (!w.startsWith('-')) continue;
    if (/^--?(f|file|o|output)(=|$)/.test(w)) throw new ParseError(`postgresql_db: ${w} in target_opts/dump_extra_args: the output file is 'target'`, where);
  }
  return args;
}

const DB_QUERY = `SELECT d.datname, pg_catalog.pg_encoding_to_char(d.encoding) AS encoding, d.datcollate, d.datctype,
  pg_catalog.pg_get_userbyid(d.datdba) AS owner, d.datconnlimit, t.spcname AS tablespace,
  pg_catalog.shobj_description(d.oid, 'pg_database') AS comment
  FROM pg_catalog.pg_database d JOIN pg_catalog.pg_tablespace t ON t.oid = d.dattablespace WHERE d.datname = ANY (ARRAY[:'name', :'target'])`;

interface Format {
  dumpArgs: string[];
  restore: 'psql' | 'pg_restore';
  pack?: string;
  unpack?: string;
}

/** What the target's name says, as Ansible reads it. */
export function targetFormat(target: string): Format {
  const z = /\.(gz|bz2|xz)$/.exec(target)?.[1];
  const pack = z === 'gz' ? 'gzip' : z === 'bz2' ? 'bzip2' : z === 'xz' ? 'xz' : undefined;
  const base = z ? target.slice(0, -(z.length + 1)) : target;
  const ext = /\.[^./]*$/.exec(base)?.[0];
  const fmt = ext === '.tar' ? 't' : ext === '.pgc' ? 'c' : ext === '.dir' ? 'd' : undefined;
  return { dumpArgs: fmt ? [`--format=${fmt}`] : [], restore: fmt ? 'pg_restore' : 'psql', pack, unpack: pack ? `${pack} -dc` : undefined };
}

export const postgresqlDbModule: ModuleDef<PgDbArgs> = {
  targetPaths: [...PG_LOGIN_PATHS, 'target', 'tablespace'],
  name: 'postgresql_db',
  aliases: ['community.postgresql.postgresql_db'],
  parse,
  async plan(args, ctx): Promise<Plan> {
    let rows: Row[];
    let tablespaces: Row[] = [];
    try {
      [rows, tablespaces] = (await pgRead(ctx, args, args.maintenance_db, [DB_QUERY, 'SELECT spcname FROM pg_catalog.pg_tablespace'], { name: args.db, target: args.target })) as [Row[], Row[]];
    } catch (e) {
      if (e instanceof PgError) return { steps: [], failed: true, msg: `unable to connect to database: ${e.message}` };
      throw e;
    }
    const have = rows.find((r) => r.datname === args.db);
    const result = { db: args.db };
    const b = new SqlBuilder();
    const done = (): Plan => ({ steps: [], changed: false, result: { ...result, executed_commands: [] } });

    if (args.state === 'present') {
      if (!have) {
        b.sql('CREATE DATABASE ').ident(args.db);
        if (args.owner) b.sql(' OWNER ').ident(args.owner);
        if (args.template) b.sql(' TEMPLATE ').ident(args.template);
        if (args.encoding) b.sql(' ENCODING ').lit(args.encoding);
        if (args.lc_collate) b.sql(' LC_COLLATE ').lit(args.lc_collate);
        if (args.lc_ctype) b.sql(' LC_CTYPE ').lit(args.lc_ctype);
        if (args.tablespace) b.sql(' TABLESPACE ').ident(args.tablespace);
        if (args.conn_limit !== '') b.sql(` CONNECTION LIMIT ${Number(args.conn_limit)}`);
        b.end();
        if (args.comment !== undefined && args.comment !== '') b.sql('COMMENT ON DATABASE ').ident(args.db).sql(' IS ').lit(args.comment).end();
      } else {
        const enc = String(have.encoding);
        if (args.encoding && args.encoding.toUpperCase().replace(/-/g, '') !== enc.toUpperCase().replace(/-/g, '')) {
          return { steps: [], failed: true, msg: `Changing database encoding is not supported. Current encoding: ${enc}` };
        }
        if (args.lc_collate && args.lc_collate !== have.datcollate) return { steps: [], failed: true, msg: `Changing LC_COLLATE is not supported. Current LC_COLLATE: ${have.datcollate}` };
        if (args.lc_ctype && args.lc_ctype !== have.datctype) return { steps: [], failed: true, msg: `Changing LC_CTYPE is not supported. Current LC_CTYPE: ${have.datctype}` };
        if (args.owner && args.owner !== have.owner) b.sql('ALTER DATABASE ').ident(args.db).sql(' OWNER TO ').ident(args.owner).end();
        if (args.conn_limit !== '' && Number(args.conn_limit) !== have.datconnlimit) b.sql('ALTER DATABASE ').ident(args.db).sql(` CONNECTION LIMIT ${Number(args.conn_limit)}`).end();
        if (args.tablespace && args.tablespace !== have.tablespace) b.sql('ALTER DATABASE ').ident(args.db).sql(' SET TABLESPACE ').ident(args.tablespace).end();
        if (args.comment !== undefined && args.comment !== (have.comment ?? '')) b.sql('COMMENT ON DATABASE ').ident(args.db).sql(' IS ').lit(args.comment).end();
      }
      if (args.tablespace && !tablespaces.some((t) => t.spcname === args.tablespace)) return { steps: [], failed: true, msg: `tablespace ${args.tablespace} does not exist` };
      if (b.run.length === 0) return done();
      return sqlStep(args, b, result);
    }

    if (args.state === 'absent') {
      if (!have) return done();
      b.sql('DROP DATABASE ').ident(args.db).sql(args.force ? ' WITH (FORCE)' : '').end();
      return sqlStep(args, b, result);
    }

    if (args.state === 'rename') {
      const target = rows.find((r) => r.datname === args.target);
      if (!have && target) return done();
      if (!have) return { steps: [], failed: true, msg: `The source and the target databases do not exist.` };
      if (target) return { steps: [], failed: true, msg: `Both the source and the target databases exist.` };
      b.sql('ALTER DATABASE ').ident(args.db).sql(' RENAME TO ').ident(args.target).end();
      return sqlStep(args, b, result);
    }

    // dump / restore: always changed, as in Ansible.
    const fmt = targetFormat(args.target);
    const t = quote(args.target);
    let step: Step;
    let shown: string;
    if (args.state === 'dump') {
      if (!have) return { steps: [], failed: true, msg: `database "${args.db}" does not exist` };
      const dumpArgs = [...fmt.dumpArgs, ...words(args.dump_extra_args), ...words(args.target_opts)];
      if (fmt.dumpArgs[0] === '--format=d') {
        // A directory dump: pg_dump writes the directory itself (-f), then it is renamed into place.
        const call = buildPg(args, '', { client: 'pg_dump', clientArgs: [...dumpArgs, '-f', `${args.target}.tsplay-tmp`, args.db], wrap: (run) => dirDump(args.target, run) });
        step = { cmd: call.cmd, stdin: call.stdin };
      } else {
        const call = buildPg(args, '', {
          client: 'pg_dump',
          clientArgs: [...dumpArgs, args.db],
          wrap: (run) => atomicTarget(args.target, fmt.pack ? `{ ${run} || echo x > "$t.fail"; } | ${fmt.pack} > "$t"; r=$?; if [ -e "$t.fail" ]; then rm -f "$t.fail"; r=1; fi; [ $r -eq 0 ]` : `${run} > "$t"`),
        });
        step = { cmd: call.cmd, stdin: call.stdin };
      }
      shown = `pg_dump ${dumpArgs.join(' ')} ${args.db}${fmt.pack ? ` | ${fmt.pack}` : ''} > ${args.target}`;
    } else {
      const client = fmt.restore;
      const clientArgs =
        client === 'psql' ? ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', args.db, ...words(args.target_opts)] : ['-d', args.db, ...words(args.target_opts)];
      const source = fmt.unpack ? `${fmt.unpack} ${t}` : `cat ${t}`;
      const call = buildPg(args, '', {
        client,
        clientArgs: fmt.dumpArgs[0] === '--format=d' ? [...clientArgs, args.target] : clientArgs,
        // pipefail is not POSIX: a failing reader (a truncated .gz) is caught through a status file.
        wrap: (run) =>
          fmt.dumpArgs[0] === '--format=d'
            ? run
            : `f=$(mktemp) || exit 1; { ${source} || echo x > "$f"; } | ${run}; rc=$?; if [ -s "$f" ]; then echo 'reading the target failed' >&2; rc=1; fi; rm -f "$f"; exit $rc`,
      });
      step = { cmd: call.cmd, stdin: call.stdin };
      shown = `${client} ${clientArgs.join(' ')} < ${args.target}`;
      if (!have) {
        b.sql('CREATE DATABASE ').ident(args.db).end();
        const create = buildPg(args, b.script(), { db: args.maintenance_db, vars: b.vars });
        return plan([{ cmd: create.cmd, stdin: create.stdin }, step], [...b.shown, shown], result);
      }
    }
    return plan([step], [shown], result);
  },
};

/** pg_dump -Fd into a temp directory beside the target, swapped in only when it succeeded. */
function dirDump(target: string, run: string): string {
  const t = quote(target);
  const tmp = quote(`${target}.tsplay-tmp`);
  return `rm -rf ${tmp}; ${run} || { rm -rf ${tmp}; exit 1; }; rm -rf ${t} && mv ${tmp} ${t}`;
}

function sqlStep(args: PgDbArgs, b: SqlBuilder, result: Record<string, unknown>): Plan {
  // CREATE/DROP DATABASE cannot run inside a transaction block: no -1.
  const call = buildPg(args, b.script(), { db: args.maintenance_db, vars: b.vars });
  return plan([{ cmd: call.cmd, stdin: call.stdin }], b.shown, result);
}

function plan(steps: Step[], commands: string[], result: Record<string, unknown>): Plan {
  return {
    steps,
    changed: true,
    result: { ...result, executed_commands: commands },
    finish: (results, base) => {
      const err = failedStep(results);
      return err ? { ...base, changed: false, failed: true, msg: err } : base;
    },
  };
}
