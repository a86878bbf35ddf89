import { ParseError, type Source } from '../errors.js';
import { statAndRead } from '../facts/file.js';
import { exclusive, parseArgs, unrendered, type ArgSpecs } from './args.js';
import { parseMode } from './file-attrs.js';
import { splitLines } from './lineinfile-edit.js';
import { planTextEdit, textOf, type EditFileArgs } from './text-edit.js';
import { pythonRegExp } from '../util/py-regex.js';
import type { ModuleContext, ModuleDef, Plan } from './types.js';
import { checkValidate } from './write-file.js';
import { SELINUX_SPECS } from './selinux-args.js';

/** blockinfile: a block of lines between two marker lines, inserted, updated or removed. */
export interface BlockinfileArgs extends EditFileArgs, BlockEdit {
  path: string;
  create: boolean;
}

export interface BlockEdit {
  state: 'present' | 'absent';
  marker: string;
  block: string;
  insertafter?: string;
  insertbefore?: string;
  marker_begin: string;
  marker_end: string;
  append_newline: boolean;
  prepend_newline: boolean;
}

const specs: ArgSpecs = {
  ...SELINUX_SPECS,
  path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
  state: { type: 'str', default: 'present', choices: ['absent', 'present'] },
  marker: { type: 'str', default: '# {mark} ANSIBLE MANAGED BLOCK' },
  block: { type: 'str', default: '', aliases: ['content'] },
  insertafter: { type: 'str' },
  insertbefore: { type: 'str' },
  create: { type: 'bool', default: false },
  backup: { type: 'bool', default: false },
  validate: { type: 'str' },
  marker_begin: { type: 'str', default: 'BEGIN' },
  marker_end: { type: 'str', default: 'END' },
  append_newline: { type: 'bool', default: false },
  prepend_newline: { type: 'bool', default: false },
  mode: { type: 'raw' },
  owner: { type: 'str' },
  group: { type: 'str' },
};

function parse(raw: unknown, where: Source, loadTime: boolean): BlockinfileArgs {
  const args = parseArgs<BlockinfileArgs>('blockinfile', specs, raw, where, loadTime);
  exclusive('blockinfile', args as unknown as Record<string, unknown>, ['insertbefore', 'insertafter'], where, false);
  args.mode = parseMode('blockinfile', 'mode', args.mode, where, loadTime);
  checkValidate('blockinfile', args.validate, where, loadTime);
  for (const key of ['insertafter', 'insertbefore'] as const) {
    const v = args[key];
    if (v === undefined || v === 'EOF' || v === 'BOF' || unrendered(v, loadTime)) continue;
    try {
      pythonRegExp(v);
    } catch (e) {
      throw new ParseError(`blockinfile: argument '${key}' is not a valid regular expression: ${(e as Error).message}`, where);
    }
  }
  return args;
}

/** Ansible's blockinfile rules on the text (undefined: the file does not exist): the new text. */
export function blockEdit(original: string | undefined, e: BlockEdit): string {
  const lines = splitLines(original ?? '');
  const present = e.state === 'present';
  let insertafter = e.insertafter;
  const insertbefore = e.insertbefore;
  if (insertbefore === undefined && insertafter === undefined) insertafter = 'EOF';
  const insertSource = insertafter !== undefined && insertafter !== 'EOF' ? insertafter : insertbefore !== undefined && insertbefore !== 'BOF' ? insertbefore : undefined;
  const marker0 = e.marker.split('{mark}').join(e.marker_begin) + '\n';
  const marker1 = e.marker.split('{mark}').join(e.marker_end) + '\n';
  let blocklines: string[] = [];
  if (present && e.block) {
    const block = e.block.endsWith('\n') ? e.block : e.block + '\n';
    blocklines = [marker0, ...splitLines(block), marker1];
  }
  let n0: number | undefined;
  let n1: number | undefined;
  lines.forEach((line, i) => {
    if (line === marker0) n0 = i;
    if (line === marker1) n1 = i;
  });
  if (n0 === undefined || n1 === undefined) {
    n0 = undefined;
    if (insertSource !== undefined) {
      const re = pythonRegExp(insertSource);
      if (re.multiline) {
        const m = re.exec(original ?? '');
        if (m) {
          const upto = insertafter !== undefined ? m.index + m[0].length : m.index;
          n0 = (original ?? '').slice(0, upto).split('\n').length - 1;
        }
      } else {
        lines.forEach((line, i) => {
          if (re.test(line.replace(/\n$/, ''))) n0 = i;
        });
      }
      if (n0 === undefined) n0 = lines.length;
      else if (insertafter !== undefined) n0 += 1;
    } else if (insertbefore !== undefined) {
      n0 = 0;
    } else {
      n0 = lines.length;
    }
  } else if (n0 < n1) {
    lines.splice(n0, n1 - n0 + 1);
  } else {
    lines.splice(n1, n0 - n1 + 1);
    n0 = n1;
  }
  if (n0 > 0 && !lines[n0 - 1]!.endsWith('\n')) lines[n0 - 1] += '\n';
  if (e.prepend_newline && present && n0 !== 0 && lines[n0 - 1] !== '\n') {
    lines.splice(n0, 0, '\n');
    n0 += 1;
  }
  lines.splice(n0, 0, ...blocklines);
  if (e.append_newline && present) {
    const next = n0 + blocklines.length;
    if (next < lines.length && lines[next] !== '\n') lines.splice(next, 0, '\n');
  }
  return lines.join('');
}

async function plan(args: BlockinfileArgs, ctx: ModuleContext): Promise<Plan> {
  const path = args.path;
  const { stat, content } = await statAndRead(ctx, path, { follow: true });
  if (stat.isDir) return { steps: [], failed: true, msg: `Path ${path} is a directory !`, result: { rc: 256 } };
  if (!stat.exists) {
    if (!args.create) return { steps: [], failed: true, msg: `Path ${path} does not exist !`, result: { rc: 257 } };
    if (args.state === 'absent') return { steps: [], msg: `File ${path} not present`, result: { msg: `File ${path} not present` } };
  }
  const text = textOf(path, content);
  if (typeof text !== 'string') return text;
  const original = stat.exists ? text : undefined;
  const after = blockEdit(original, args);
  const msg = original === undefined ? 'File created' : args.state === 'absent' || !args.block ? 'Block removed' : 'Block inserted';
  return planTextEdit({ path, stat, before: original ?? '', after, msg }, args);
}

export const blockinfileModule: ModuleDef<BlockinfileArgs> = { name: 'blockinfile', targetPaths: ['path'], selinuxArgs: true, parse, plan };
