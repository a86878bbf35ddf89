import { ParseError, type Source } from '../errors.js';
import { statAndRead } from '../facts/file.js';
import { quote } from '../util/quote.js';
import { exclusive, parseArgs, type ArgSpecs } from './args.js';
import { parseMode } from './file-attrs.js';
import { iniEdit, type IniEdit } from './ini-file-edit.js';
import { planTextEdit, textOf, type EditFileArgs } from './text-edit.js';
import type { ModuleContext, ModuleDef, Plan } from './types.js';
import { SELINUX_SPECS } from './selinux-args.js';

/** ini_file (community.general.ini_file): one option of one section of an INI file. */
export interface IniFileArgs extends EditFileArgs, Omit<IniEdit, 'values'> {
  path: string;
  value?: string;
  values?: string[];
  create: boolean;
  follow: boolean;
}

const specs: ArgSpecs = {
  ...SELINUX_SPECS,
  path: { type: 'path', required: true, aliases: ['dest'] },
  section: { type: 'str' },
  section_has: { type: 'list', elements: 'dict' },
  option: { type: 'str' },
  value: { type: 'str' },
  values: { type: 'list', elements: 'str' },
  backup: { type: 'bool', default: false },
  state: { type: 'str', default: 'present', choices: ['absent', 'present'] },
  exclusive: { type: 'bool', default: true },
  no_extra_spaces: { type: 'bool', default: false },
  ignore_spaces: { type: 'bool', default: false },
  allow_no_value: { type: 'bool', default: false },
  create: { type: 'bool', default: true },
  follow: { type: 'bool', default: false },
  mode: { type: 'raw' },
  owner: { type: 'str' },
  group: { type: 'str' },
};

function parse(raw: unknown, where: Source, loadTime: boolean): IniFileArgs {
  const args = parseArgs<IniFileArgs>('ini_file', specs, raw, where, loadTime);
  exclusive('ini_file', args as unknown as Record<string, unknown>, ['value', 'values'], where, false);
  args.mode = parseMode('ini_file', 'mode', args.mode, where, loadTime);
  if (args.state === 'present' && !args.allow_no_value && args.value === undefined && !args.values?.length) {
    throw new ParseError("ini_file: Parameter 'value(s)' must be defined if state=present and allow_no_value=False.", where);
  }
  if (args.section_has !== undefined && !loadTime) {
    args.section_has = args.section_has.map((c, i) => {
      const { option, value, ...rest } = c as Record<string, unknown>;
      if (Object.keys(rest).length > 0 || typeof option !== 'string') {
        throw new ParseError(`ini_file: argument 'section_has[${i}]' must be a dictionary with 'option' and 'value'`, where);
      }
      return { option, value: value === undefined || value === null ? '' : String(value) };
    });
  }
  return args;
}

async function plan(args: IniFileArgs, ctx: ModuleContext): Promise<Plan> {
  let path = args.path;
  if (args.follow) {
    const r = await ctx.probe(`if [ -L ${quote(path)} ]; then readlink -f -- ${quote(path)}; fi`);
    if (r.stdout.trim()) path = r.stdout.trim();
  }
  const { stat, content } = await statAndRead(ctx, path, { follow: true });
  if (stat.isDir) return { steps: [], failed: true, msg: `Path ${path} is a directory !`, result: { rc: 256, path: args.path } };
  if (!stat.exists && !args.create) return { steps: [], failed: true, msg: `Destination ${path} does not exist!`, result: { rc: 257, path: args.path } };
  const text = textOf(path, content);
  if (typeof text !== 'string') return text;
  const original = stat.exists ? text.replace(/^\uFEFF/, '') : undefined;
  const values = args.value !== undefined ? [args.value] : (args.values ?? []);
  const edit = iniEdit(original, { ...args, values });
  const p = planTextEdit({ path, stat, before: original ?? '', after: edit.text, msg: edit.msg }, args);
  const msg = p.msg || 'OK';
  return { ...p, msg, result: { ...p.result, msg, path: args.path } };
}

export const iniFileModule: ModuleDef<IniFileArgs> = {
  targetPaths: ['path'],
  selinuxArgs: true,
  name: 'ini_file',
  aliases: ['community.general.ini_file', 'community.general.files.ini_file'],
  parse,
  plan,
};
