import { ParseError, type Source } from '../errors.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { buildMysql, checkLogin, loginSpecs, mysqlError, parseMysqlXml, sqlValue, type MysqlLogin, MYSQL_LOGIN_PATHS } from './mysql-client.js';
import type { ModuleDef, Plan } from './types.js';

/**
 * mysql_variables (community.mysql): read a global variable, or set it when `value` differs.
 * Values compare as Ansible does: numbers as numbers, ON/OFF/TRUE/FALSE as 1/0, else as text.
 * `mode: global` (SET GLOBAL), `persist` / `persist_only` (MySQL 8's SET PERSIST). Returns `queries`;
 * `--diff` shows the value before and after.
 */
export interface MysqlVariablesArgs extends MysqlLogin {
  variable: string;
  value?: string;
  mode: 'global' | 'persist' | 'persist_only';
}

const specs: ArgSpecs = {
  ...loginSpecs,
  variable: { type: 'str', required: true },
  value: { type: 'str' },
  mode: { type: 'str', default: 'global', choices: ['global', 'persist', 'persist_only'] },
};

const NAME = /^[A-Za-z0-9_]+$/;

function parse(raw: unknown, where: Source, loadTime: boolean): MysqlVariablesArgs {
  const args = parseArgs<MysqlVariablesArgs>('mysql_variables', specs, raw, where, loadTime);
  checkLogin('mysql_variables', args, where);
  if (!loadTime && !NAME.test(args.variable)) throw new ParseError(`mysql_variables: argument 'variable' is not a variable name: ${JSON.stringify(args.variable)}`, where);
  return args;
}

/** Ansible's comparison: a number, ON/OFF as 1/0, else the text. */
export function normalize(v: string | null | undefined): string | number | null {
  if (v === null || v === undefined) return null;
  const u = v.trim().toUpperCase();
  if (u === 'ON' || u === 'TRUE') return 1;
  if (u === 'OFF' || u === 'FALSE') return 0;
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) ? n : v;
}

/** The value as SQL: a number stays a number, ON/OFF and DEFAULT stay keywords, anything else a string. */
function valueSql(v: string): string {
  if (/^-?\d+(\.\d+)?$/.test(v.trim())) return v.trim();
  if (/^(ON|OFF|DEFAULT|TRUE|FALSE)$/i.test(v.trim())) return v.trim().toUpperCase();
  return sqlValue(v);
}

export const mysqlVariablesModule: ModuleDef<MysqlVariablesArgs> = {
  targetPaths: MYSQL_LOGIN_PATHS,
  name: 'mysql_variables',
  aliases: ['community.mysql.mysql_variables'],
  parse,
  async plan(args, ctx): Promise<Plan> {
    const probe = buildMysql(args, `SHOW GLOBAL VARIABLES WHERE Variable_name = ${sqlValue(args.variable)};\n`);
    const r = await ctx.probe(probe.cmd, { stdin: probe.stdin });
    if (r.rc !== 0) return { steps: [], failed: true, msg: `unable to connect to database: ${mysqlError(r)}` };
    const row = parseMysqlXml(r.stdout)[0]?.rows[0];
    if (!row) return { steps: [], failed: true, msg: `Variable not available "${args.variable}"` };
    const current = row.Value ?? null;
    if (args.value === undefined) return { steps: [], changed: false, msg: current ?? '', result: { queries: [] } };
    if (normalize(current) === normalize(args.value)) return { steps: [], changed: false, msg: `Variable already set to requested value`, result: { queries: [] } };
    const verb = args.mode === 'global' ? 'GLOBAL' : args.mode === 'persist' ? 'PERSIST' : 'PERSIST_ONLY';
    const query = `SET ${verb} ${args.variable} = ${valueSql(args.value)}`;
    const call = buildMysql(args, `${query};\n`);
    return {
      steps: [{ cmd: call.cmd, stdin: call.stdin }],
      changed: true,
      msg: `Variable change succeeded prev_value=${current ?? ''}`,
      result: { queries: [query] },
      diff: [{ path: args.variable, before: `${current ?? ''}\n`, after: `${args.value}\n`, beforeHeader: `before: ${args.variable}`, afterHeader: `after: ${args.variable}` }],
      finish: (results, base) => {
        const x = results[0];
        return x && x.rc !== 0 ? { ...base, changed: false, failed: true, msg: mysqlError(x) } : base;
      },
    };
  },
};
