import { ParseError, type Source } from '../errors.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { buildMysql, checkLogin, dynamic, loginSpecs, mysqlError, parseMysqlXml, type MysqlLogin, type Piece, MYSQL_LOGIN_PATHS } from './mysql-client.js';
import type { ModuleDef, Plan } from './types.js';

/**
 * mysql_replication (community.mysql), the basics: `getprimary` / `getreplica` (SHOW MASTER / SLAVE
 * STATUS, with Is_Primary / Is_Replica), `startreplica` / `stopreplica` (changed only when the replica
 * threads were not already in that state), `changeprimary` (CHANGE MASTER TO; always changed, as in
 * Ansible; the password QUOTEd server-side from a hex literal on stdin), `resetprimary`, `resetreplica`,
 * `resetreplicaall`. The MySQL 5 names (getmaster, getslave, startslave, …, master_host…) are aliases.
 */
export interface MysqlReplicationArgs extends MysqlLogin {
  mode: string;
  primary_host?: string;
  primary_user?: string;
  primary_password?: string;
  primary_port?: number;
  primary_connect_retry?: number;
  primary_log_file?: string;
  primary_log_pos?: number;
  relay_log_file?: string;
  relay_log_pos?: number;
  primary_use_gtid?: string;
  connection_name?: string;
  fail_on_error: boolean;
}

const MODES: Record<string, string> = {
  getprimary: 'getprimary', getmaster: 'getprimary', getreplica: 'getreplica', getslave: 'getreplica',
  startreplica: 'startreplica', startslave: 'startreplica', stopreplica: 'stopreplica', stopslave: 'stopreplica',
  changeprimary: 'changeprimary', changemaster: 'changeprimary', resetprimary: 'resetprimary', resetmaster: 'resetprimary',
  resetreplica: 'resetreplica', resetslave: 'resetreplica', resetreplicaall: 'resetreplicaall', resetslaveall: 'resetreplicaall',
};

const specs: ArgSpecs = {
  ...loginSpecs,
  mode: { type: 'str', default: 'getreplica', choices: Object.keys(MODES) },
  primary_host: { type: 'str', aliases: ['master_host'] },
  primary_user: { type: 'str', aliases: ['master_user'] },
  primary_password: { type: 'str', aliases: ['master_password'] },
  primary_port: { type: 'int', aliases: ['master_port'] },
  primary_connect_retry: { type: 'int', aliases: ['master_connect_retry'] },
  primary_log_file: { type: 'str', aliases: ['master_log_file'] },
  primary_log_pos: { type: 'int', aliases: ['master_log_pos'] },
  relay_log_file: { type: 'str' },
  relay_log_pos: { type: 'int' },
  primary_use_gtid: { type: 'str', choices: ['current_pos', 'replica_pos', 'slave_pos', 'disabled'], aliases: ['master_use_gtid'] },
  connection_name: { type: 'str' },
  fail_on_error: { type: 'bool', default: false },
};

function parse(raw: unknown, where: Source, loadTime: boolean): MysqlReplicationArgs {
  const args = parseArgs<MysqlReplicationArgs>('mysql_replication', specs, raw, where, loadTime);
  checkLogin('mysql_replication', args, where);
  if (!loadTime) args.mode = MODES[args.mode]!;
  if (!loadTime && args.connection_name !== undefined && !/^[A-Za-z0-9_-]*$/.test(args.connection_name)) {
    throw new ParseError(`mysql_replication: argument 'connection_name' is not a connection name`, where);
  }
  return args;
}

const num = (v: string | null | undefined): unknown => (v !== null && v !== undefined && /^-?\d+$/.test(v) ? Number(v) : v);

export const mysqlReplicationModule: ModuleDef<MysqlReplicationArgs> = {
  targetPaths: MYSQL_LOGIN_PATHS,
  name: 'mysql_replication',
  aliases: ['community.mysql.mysql_replication'],
  parse,
  async plan(args, ctx): Promise<Plan> {
    const conn = args.connection_name !== undefined ? ` '${args.connection_name}'` : '';
    const read = async (sql: string) => {
      const probe = buildMysql(args, sql);
      const r = await ctx.probe(probe.cmd, { stdin: probe.stdin });
      if (r.rc !== 0) throw new Error(mysqlError(r));
      const row = parseMysqlXml(r.stdout)[0]?.rows[0];
      return row ? Object.fromEntries(Object.entries(row).map(([k, v]) => [k, num(v)])) : undefined;
    };
    const run = (sql: string, result: Record<string, unknown>, msg: string): Plan => {
      const call = buildMysql(args, sql);
      return {
        steps: [{ cmd: call.cmd, stdin: call.stdin }],
        changed: true,
        msg,
        result,
        finish: (results, base) => {
          const r = results[0];
          return r && r.rc !== 0 ? { ...base, changed: false, failed: true, msg: mysqlError(r) } : base;
        },
      };
    };
    try {
      switch (args.mode) {
        case 'getprimary': {
          const st = await read('SHOW MASTER STATUS;\n');
          return { steps: [], changed: false, result: st ? { ...st, Is_Primary: true, Is_Master: true } : { Is_Primary: false, Is_Master: false } };
        }
        case 'getreplica': {
          const st = await read(`SHOW SLAVE${conn} STATUS;\n`);
          return { steps: [], changed: false, result: st ? { ...st, Is_Replica: true, Is_Slave: true } : { Is_Replica: false, Is_Slave: false } };
        }
        case 'startreplica':
        case 'stopreplica': {
          const st = await read(`SHOW SLAVE${conn} STATUS;\n`);
          if (!st) return { steps: [], failed: true, msg: 'Server is not configured as a replica' };
          const running = st.Slave_IO_Running === 'Yes' || st.Slave_SQL_Running === 'Yes';
          const start = args.mode === 'startreplica';
          if (start ? st.Slave_IO_Running === 'Yes' && st.Slave_SQL_Running === 'Yes' : !running) {
            return { steps: [], changed: false, msg: start ? 'Replica already started.' : 'Replica already stopped' };
          }
          return run(`${start ? 'START' : 'STOP'} SLAVE${conn};\n`, { queries: [`${start ? 'START' : 'STOP'} SLAVE${conn}`] }, start ? 'Replica started' : 'Replica stopped');
        }
        case 'changeprimary': {
          const pieces: Piece[] = [`CHANGE MASTER${conn} TO `];
          const shown: string[] = [];
          const add = (key: string, value: string | number | undefined, secret = false) => {
            if (value === undefined) return;
            if (shown.length > 0) pieces.push(', ');
            pieces.push(`${key}=`, typeof value === 'number' ? String(value) : { value });
            shown.push(`${key}=${secret ? '********' : typeof value === 'number' ? value : `'${value}'`}`);
          };
          add('MASTER_HOST', args.primary_host);
          add('MASTER_USER', args.primary_user);
          add('MASTER_PASSWORD', args.primary_password, true);
          add('MASTER_PORT', args.primary_port);
          add('MASTER_CONNECT_RETRY', args.primary_connect_retry);
          add('MASTER_LOG_FILE', args.primary_log_file);
          add('MASTER_LOG_POS', args.primary_log_pos);
          add('RELAY_LOG_FILE', args.relay_log_file);
          add('RELAY_LOG_POS', args.relay_log_pos);
          if (args.primary_use_gtid !== undefined) {
            if (shown.length > 0) pieces.push(', ');
            const g = args.primary_use_gtid === 'replica_pos' ? 'slave_pos' : args.primary_use_gtid === 'disabled' ? 'no' : args.primary_use_gtid;
            pieces.push(`MASTER_USE_GTID=${g}`);
            shown.push(`MASTER_USE_GTID=${g}`);
          }
          if (shown.length === 0) return { steps: [], failed: true, msg: 'changeprimary: nothing to change (give primary_host, primary_user…)' };
          return run(dynamic(pieces), { queries: [`CHANGE MASTER${conn} TO ${shown.join(', ')}`] }, 'Changed primary');
        }
        case 'resetprimary':
          return run('RESET MASTER;\n', { queries: ['RESET MASTER'] }, 'Primary reset');
        case 'resetreplica':
          return run(`RESET SLAVE${conn};\n`, { queries: [`RESET SLAVE${conn}`] }, 'Replica reset');
        default:
          return run(`RESET SLAVE${conn} ALL;\n`, { queries: [`RESET SLAVE${conn} ALL`] }, 'Replica reset');
      }
    } catch (e) {
      return { steps: [], failed: true, msg: (e as Error).message };
    }
  },
};
