import { ParseError, type Source } from '../errors.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { buildMysql, checkLogin, loginSpecs, mysqlError, parseMysqlXml, type MysqlLogin, MYSQL_LOGIN_PATHS } from './mysql-client.js';
import type { ModuleDef, Plan } from './types.js';

/**
 * mysql_info (community.mysql): facts about the server, all read-only, so also under --check.
 * `filter` picks among version, databases, settings, users, engines, global_status, master_status,
 * slave_status (a `!name` excludes); `exclude_fields: db_size` skips the sizes.
 */
export interface MysqlInfoArgs extends MysqlLogin {
  filter: string[];
  exclude_fields: string[];
  return_empty_dbs: boolean;
}

const SUBSETS = ['version', 'databases', 'settings', 'global_status', 'engines', 'users', 'master_status', 'slave_status'] as const;

const specs: ArgSpecs = {
  ...loginSpecs,
  filter: { type: 'list', elements: 'str', default: [] },
  exclude_fields: { type: 'list', elements: 'str', default: [] },
  return_empty_dbs: { type: 'bool', default: false },
  login_db: { type: 'str' },
};

function parse(raw: unknown, where: Source, loadTime: boolean): MysqlInfoArgs {
  const args = parseArgs<MysqlInfoArgs>('mysql_info', specs, raw, where, loadTime);
  checkLogin('mysql_info', args, where);
  if (!loadTime) {
    for (const f of args.filter) {
      if (!(SUBSETS as readonly string[]).includes(f.replace(/^!/, ''))) throw new ParseError(`mysql_info: unknown filter '${f}' (known: ${SUBSETS.join(', ')})`, where);
    }
  }
  return args;
}

const QUERIES: Record<(typeof SUBSETS)[number], string> = {
  version: 'SELECT VERSION() AS v',
  databases:
    'SELECT s.SCHEMA_NAME AS name, COALESCE(SUM(t.DATA_LENGTH + t.INDEX_LENGTH), 0) AS size, COUNT(t.TABLE_NAME) AS tables FROM information_schema.SCHEMATA s LEFT JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = s.SCHEMA_NAME GROUP BY s.SCHEMA_NAME',
  settings: 'SHOW GLOBAL VARIABLES',
  global_status: 'SHOW GLOBAL STATUS',
  engines: 'SHOW ENGINES',
  users: 'SELECT User AS user, Host AS host, plugin FROM mysql.user',
  master_status: 'SHOW MASTER STATUS',
  slave_status: 'SHOW SLAVE STATUS',
};

const num = (v: string | null | undefined): unknown => (v !== null && v !== undefined && /^-?\d+$/.test(v) ? Number(v) : v);

export const mysqlInfoModule: ModuleDef<MysqlInfoArgs> = {
  targetPaths: MYSQL_LOGIN_PATHS,
  name: 'mysql_info',
  aliases: ['community.mysql.mysql_info'],
  parse,
  async plan(args, ctx): Promise<Plan> {
    const include = args.filter.filter((f) => !f.startsWith('!'));
    const exclude = args.filter.filter((f) => f.startsWith('!')).map((f) => f.slice(1));
    const subsets = SUBSETS.filter((s) => (include.length === 0 || include.includes(s)) && !exclude.includes(s));
    const probe = buildMysql(args, subsets.map((s) => `${QUERIES[s]};\n`).join(''), { readOnly: true });
    const r = await ctx.probe(probe.cmd, { stdin: probe.stdin });
    if (r.rc !== 0) return { steps: [], failed: true, msg: `unable to connect to database: ${mysqlError(r)}` };
    const sets = parseMysqlXml(r.stdout);
    const result: Record<string, unknown> = {};
    subsets.forEach((s, k) => {
      const rows = sets[k]?.rows ?? [];
      switch (s) {
        case 'version': {
          const full = String(rows[0]?.v ?? '');
          const [major, minor, release] = full.split(/[.-]/).map(Number);
          result.version = { major, minor, release, suffix: full.split('-').slice(1).join('-'), full };
          break;
        }
        case 'databases':
          result.databases = Object.fromEntries(
            rows
              .filter((row) => args.return_empty_dbs || Number(row.tables) > 0)
              .map((row) => [row.name, args.exclude_fields.includes('db_size') ? {} : { size: Number(row.size) }]),
          );
          break;
        case 'settings':
        case 'global_status':
          result[s] = Object.fromEntries(rows.map((row) => [row.Variable_name, num(row.Value)]));
          break;
        case 'engines':
          result.engines = Object.fromEntries(rows.map((row) => [row.Engine, { Support: row.Support, Comment: row.Comment, Transactions: row.Transactions, XA: row.XA, Savepoints: row.Savepoints }]));
          break;
        case 'users': {
          const users: Record<string, Record<string, unknown>> = {};
          for (const row of rows) (users[String(row.host)] ??= {})[String(row.user)] = { plugin: row.plugin };
          result.users = users;
          break;
        }
        default:
          result[s] = rows[0] ? Object.fromEntries(Object.entries(rows[0]).map(([key, v]) => [key, num(v)])) : {};
      }
    });
    return { steps: [], changed: false, result };
  },
};
