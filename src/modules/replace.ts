import { ParseError, type Source } from '../errors.js';
import { statAndRead } from '../facts/file.js';
import { parseArgs, unrendered, type ArgSpecs } from './args.js';
import { parseMode } from './file-attrs.js';
import { expandTemplate } from './lineinfile-edit.js';
import { planTextEdit, textOf, type EditFileArgs } from './text-edit.js';
import { pythonRegExp } from '../util/py-regex.js';
import type { ModuleContext, ModuleDef, Plan } from './types.js';
import { checkValidate } from './write-file.js';
import { SELINUX_SPECS } from './selinux-args.js';

/** replace: every match of a (Python, multiline) regexp in a file, optionally only between `after` and `before`. */
export interface ReplaceArgs extends EditFileArgs {
  path: string;
  regexp: string;
  replace: string;
  after?: string;
  before?: string;
  encoding: string;
}

const specs: ArgSpecs = {
  ...SELINUX_SPECS,
  path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
  regexp: { type: 'str', required: true },
  replace: { type: 'str', default: '' },
  after: { type: 'str' },
  before: { type: 'str' },
  backup: { type: 'bool', default: false },
  validate: { type: 'str' },
  encoding: { type: 'str', default: 'utf-8', choices: ['utf-8', 'utf8'] },
  mode: { type: 'raw' },
  owner: { type: 'str' },
  group: { type: 'str' },
};

function parse(raw: unknown, where: Source, loadTime: boolean): ReplaceArgs {
  const args = parseArgs<ReplaceArgs>('replace', specs, raw, where, loadTime);
  args.mode = parseMode('replace', 'mode', args.mode, where, loadTime);
  checkValidate('replace', args.validate, where, loadTime);
  for (const key of ['regexp', 'after', 'before'] as const) {
    const v = args[key];
    if (v === undefined || unrendered(v, loadTime)) continue;
    try {
      pythonRegExp(v);
    } catch (e) {
      throw new ParseError(`replace: argument '${key}' is not a valid regular expression: ${(e as Error).message}`, where);
    }
  }
  return args;
}

/** Python's re.subn(pattern, template, text) with re.MULTILINE: the new text and the number of matches. */
export function substitute(text: string, regexp: string, template: string): { text: string; count: number } {
  const re = pythonRegExp(regexp, 'gm');
  let out = '';
  let last = 0;
  let count = 0;
  for (const m of text.matchAll(re)) {
    out += text.slice(last, m.index) + expandTemplate(template, m as RegExpExecArray);
    last = m.index! + m[0].length;
    count++;
  }
  return { text: out + text.slice(last), count };
}

/** The part of the text `after`/`before` delimit (DOTALL, non-greedy between both), as Ansible's replace. */
export function section(text: string, after?: string, before?: string): { start: number; end: number } | undefined {
  if (!after && !before) return { start: 0, end: text.length };
  const pattern = after && before ? `${after}(?P<subsection>.*?)${before}` : after ? `${after}(?P<subsection>.*)` : `(?P<subsection>.*)${before}`;
  const m = pythonRegExp(pattern, 'sd').exec(text);
  const span = m?.indices?.groups?.subsection;
  return span ? { start: span[0], end: span[1] } : undefined;
}

async function plan(args: ReplaceArgs, ctx: ModuleContext): Promise<Plan> {
  const path = args.path;
  const { stat, content } = await statAndRead(ctx, path, { follow: true });
  if (stat.isDir) return { steps: [], failed: true, msg: `Path ${path} is a directory !`, result: { rc: 256 } };
  if (!stat.exists) return { steps: [], failed: true, msg: `Path ${path} does not exist !`, result: { rc: 257 } };
  const before = textOf(path, content);
  if (typeof before !== 'string') return before;
  const span = section(before, args.after, args.before);
  if (!span) {
    const msg = `Pattern for before/after params did not match the given file: ${args.after ?? ''}${args.before ?? ''}`;
    return { steps: [], msg, result: { rc: 0, msg } };
  }
  const part = before.slice(span.start, span.end);
  const sub = substitute(part, args.regexp, args.replace);
  const after = sub.count > 0 && sub.text !== part ? before.slice(0, span.start) + sub.text + before.slice(span.end) : before;
  const p = planTextEdit({ path, stat, before, after, msg: `${sub.count} replacements made` }, args);
  for (const d of p.diff ?? []) if (!d.beforeHeader?.endsWith('(file attributes)')) (d.beforeHeader = path), (d.afterHeader = path);
  return { ...p, result: { rc: 0, ...p.result } };
}

export const replaceModule: ModuleDef<ReplaceArgs> = { name: 'replace', targetPaths: ['path'], selinuxArgs: true, parse, plan };
