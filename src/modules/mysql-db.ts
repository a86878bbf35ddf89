import { ParseError, type Source } from '../errors.js';
import { quote } from '../util/quote.js';
import { atomicTarget } from './dump-target.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { buildMysql, checkLogin, ident, loginSpecs, mysqlError, parseMysqlXml, sqlString, type MysqlLogin, MYSQL_LOGIN_PATHS } from './mysql-client.js';
import type { ModuleDef, Plan } from './types.js';

/**
 * mysql_db (community.mysql): `state: present | absent | dump | import` for one or more databases.
 * present creates what is missing (with `encoding`/`collation`) and alters an existing database whose
 * character set or collation differs; absent drops; dump (`mysqldump`, `.gz`/`.bz2`/`.xz` targets
 * compressed, written to a temp file and renamed over the target only when the dump succeeded) and import (`mysql < target`, creating the database first) always report changed, as in
 * Ansible. Returns `db`, `db_list`, `executed_commands`.
 */
export interface MysqlDbArgs extends MysqlLogin {
  name: string[];
  state: 'present' | 'absent' | 'dump' | 'import';
  encoding: string;
  collation: string;
  target?: string;
  single_transaction: boolean;
  quick: boolean;
  ignore_tables: string[];
  force: boolean;
}

const specs: ArgSpecs = {
  ...loginSpecs,
  name: { type: 'list', elements: 'str', required: true, aliases: ['db'] },
  state: { type: 'str', default: 'present', choices: ['present', 'absent', 'dump', 'import'] },
  encoding: { type: 'str', default: '' },
  collation: { type: 'str', default: '' },
  target: { type: 'path' },
  single_transaction: { type: 'bool', default: false },
  quick: { type: 'bool', default: true },
  ignore_tables: { type: 'list', elements: 'str', default: [] },
  force: { type: 'bool', default: false },
};

const NAME_CHARSET = /^[A-Za-z0-9_]+$/;

function parse(raw: unknown, where: Source, loadTime: boolean): MysqlDbArgs {
  const args = parseArgs<MysqlDbArgs>('mysql_db', specs, raw, where, loadTime);
  checkLogin('mysql_db', args, where);
  if (loadTime) return args;
  for (const k of ['encoding', 'collation'] as const) {
    if (args[k] !== '' && !NAME_CHARSET.test(args[k])) throw new ParseError(`mysql_db: argument '${k}' is not a character set or collation name: ${JSON.stringify(args[k])}`, where);
  }
  if ((args.state === 'dump' || args.state === 'import') && args.target === undefined) throw new ParseError(`mysql_db: state is ${args.state} but all of the following are missing: target`, where);
  if (args.name.length === 0) throw new ParseError(`mysql_db: argument 'name' is empty`, where);
  if (args.name.includes('all') && args.name.length > 1) throw new ParseError(`mysql_db: name 'all' cannot be combined with other names`, where);
  if (args.name.includes('all') && (args.state === 'present' || args.state === 'absent')) throw new ParseError(`mysql_db: name 'all' is only for state dump or import`, where);
  return args;
}

interface Schema {
  charset: string;
  collation: string;
}

function compression(target: string): { pack: string; unpack: string } | undefined {
  if (target.endsWith('.gz')) return { pack: 'gzip', unpack: 'gzip -dc' };
  if (target.endsWith('.bz2')) return { pack: 'bzip2', unpack: 'bzip2 -dc' };
  if (target.endsWith('.xz')) return { pack: 'xz', unpack: 'xz -dc' };
  return undefined;
}

export const mysqlDbModule: ModuleDef<MysqlDbArgs> = {
  targetPaths: [...MYSQL_LOGIN_PATHS, 'target'],
  name: 'mysql_db',
  aliases: ['community.mysql.mysql_db'],
  parse,
  async plan(args, ctx): Promise<Plan> {
    const probe = buildMysql(args, 'SELECT SCHEMA_NAME AS n, DEFAULT_CHARACTER_SET_NAME AS c, DEFAULT_COLLATION_NAME AS o FROM information_schema.SCHEMATA;\n');
    const r = await ctx.probe(probe.cmd, { stdin: probe.stdin });
    if (r.rc !== 0) return { steps: [], failed: true, msg: `unable to connect to database: ${mysqlError(r)}` };
    const existing = new Map<string, Schema>();
    for (const row of parseMysqlXml(r.stdout)[0]?.rows ?? []) existing.set(String(row.n), { charset: String(row.c), collation: String(row.o) });
    const db = args.name.join(',');
    const base = { db, db_list: args.name };
    const commands: string[] = [];
    const sqlSteps: string[] = [];

    if (args.state === 'present' || args.state === 'import') {
      for (const name of args.name) {
        if (name === 'all') continue;
        const spec = `${args.encoding ? ` CHARACTER SET ${args.encoding}` : ''}${args.collation ? ` COLLATE ${args.collation}` : ''}`;
        const have = existing.get(name);
        if (!have) sqlSteps.push(`CREATE DATABASE ${ident(name)}${spec}`);
        else if (args.state === 'present' && ((args.encoding && have.charset !== args.encoding) || (args.collation && have.collation !== args.collation))) {
          sqlSteps.push(`ALTER DATABASE ${ident(name)}${spec}`);
        }
      }
    } else if (args.state === 'absent') {
      for (const name of args.name) if (existing.has(name)) sqlSteps.push(`DROP DATABASE ${ident(name)}`);
    }
    commands.push(...sqlSteps);
    const steps = [];
    if (sqlSteps.length > 0) {
      const call = buildMysql(args, sqlSteps.map((s) => `${s};\n`).join(''));
      steps.push({ cmd: call.cmd, stdin: call.stdin });
    }

    if (args.state === 'dump' || args.state === 'import') {
      const target = args.target!;
      const z = compression(target);
      if (args.state === 'dump') {
        for (const name of args.name) if (name !== 'all' && !existing.has(name)) return { steps: [], failed: true, msg: `Cannot dump database ${name} - not found` };
        const dumpArgs = ['--default-character-set=utf8mb4'];
        if (args.single_transaction) dumpArgs.push('--single-transaction');
        if (args.quick) dumpArgs.push('--quick');
        if (args.force) dumpArgs.push('--force');
        for (const t of args.ignore_tables) dumpArgs.push(`--ignore-table=${t}`);
        if (args.name[0] === 'all') dumpArgs.push('--all-databases');
        else if (args.name.length > 1) dumpArgs.push('--databases', ...args.name);
        else dumpArgs.push(args.name[0]!);
        // Into a temp file beside the target, renamed over it only when the dump succeeded.
        const call = buildMysql(args, '', { client: 'mysqldump', clientArgs: dumpArgs, redirect: `${z ? `| ${z.pack} ` : ''}> "$t"` });
        steps.push({ cmd: `/bin/sh -c ${quote(atomicTarget(target, call.cmd))}`, stdin: call.stdin });
        commands.push(`mysqldump ${dumpArgs.join(' ')}${z ? ` | ${z.pack}` : ''} > ${target}`);
      } else {
        const one = args.name[0] === 'all' || args.name.length > 1 ? undefined : args.name[0];
        const call = buildMysql(args, '', { db: one, input: `${z ? z.unpack : 'cat'} ${quote(target)}`, force: args.force });
        steps.push({ cmd: call.cmd, stdin: call.stdin });
        commands.push(`mysql${one ? ` ${one}` : ''} < ${target}`);
      }
    }

    const msgs = { present: 'created', absent: 'deleted', dump: 'dumped', import: 'imported' } as const;
    return {
      steps,
      changed: steps.length > 0,
      result: { ...base, executed_commands: commands },
      msg: steps.length > 0 ? `${db} ${msgs[args.state]}` : undefined,
      finish: (results, out) => {
        const bad = results.find((x) => x.rc !== 0 || x.timedOut || x.aborted);
        return bad ? { ...out, changed: false, failed: true, msg: mysqlError(bad) } : out;
      },
    };
  },
};

export { sqlString };
