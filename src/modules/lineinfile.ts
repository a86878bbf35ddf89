import { posix } from 'node:path';
import { predictedFile, type Prediction } from '../facts/predicted.js';
import { ParseError, type Source } from '../errors.js';
import { statAndRead } from '../facts/file.js';
import { quote } from '../util/quote.js';
import { exclusive, parseArgs, unrendered, type ArgSpecs } from './args.js';
import { atomicWriteSteps } from './atomic-write.js';
import { checkValidate } from './write-file.js';
import { applyMode, attributeSteps, defaultMode, octal, parseMode } from './file-attrs.js';
import { absentEdit, presentEdit, splitLines, type EditResult, type LineEdit } from './lineinfile-edit.js';
import type { FileDiff, ModuleContext, ModuleDef, Plan, Step } from './types.js';
import { attributeDiff } from './write-file.js';
import { SELINUX_SPECS } from './selinux-args.js';
import { pythonRegExp } from '../util/py-regex.js';

export interface LineinfileArgs extends LineEdit {
  path: string;
  state: 'present' | 'absent';
  create: boolean;
  backup: boolean;
  validate?: string;
  mode?: string;
  owner?: string;
  group?: string;
}

const specs: ArgSpecs = {
  ...SELINUX_SPECS,
  path: { type: 'path', required: true, aliases: ['dest', 'destfile', 'name'] },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  regexp: { type: 'str', aliases: ['regex'] },
  search_string: { type: 'str' },
  line: { type: 'str', aliases: ['value'] },
  insertafter: { type: 'str' },
  insertbefore: { type: 'str' },
  backrefs: { type: 'bool', default: false },
  create: { type: 'bool', default: false },
  backup: { type: 'bool', default: false },
  firstmatch: { type: 'bool', default: false },
  validate: { type: 'str' },
  mode: { type: 'raw' },
  owner: { type: 'str' },
  group: { type: 'str' },
};

export function parseLineinfile(raw: unknown, where: Source, loadTime: boolean): LineinfileArgs {
  const args = parseArgs<LineinfileArgs>('lineinfile', specs, raw, where, loadTime);
  const a = args as unknown as Record<string, unknown>;
  exclusive('lineinfile', a, ['insertbefore', 'insertafter'], where, false);
  exclusive('lineinfile', a, ['regexp', 'search_string'], where, false);
  if (args.backrefs && args.search_string !== undefined) throw new ParseError("lineinfile: arguments 'backrefs' and 'search_string' are mutually exclusive", where);
  args.mode = parseMode('lineinfile', 'mode', args.mode, where, loadTime);
  checkValidate('lineinfile', args.validate, where, loadTime);
  if (args.state === 'present') {
    if (args.backrefs && args.regexp === undefined) throw new ParseError("lineinfile: argument 'regexp' is required with backrefs=true", where);
    if (args.line === undefined) throw new ParseError("lineinfile: argument 'line' is required with state=present", where);
  } else if (args.regexp === undefined && args.search_string === undefined && args.line === undefined) {
    throw new ParseError("lineinfile: one of 'line', 'search_string' or 'regexp' is required with state=absent", where);
  }
  for (const key of ['regexp', 'insertafter', 'insertbefore'] as const) {
    const v = args[key];
    if (v === undefined || v === 'EOF' || v === 'BOF' || unrendered(v, loadTime)) continue;
    try {
      pythonRegExp(v);
    } catch (e) {
      throw new ParseError(`lineinfile: argument '${key}' is not a valid regular expression: ${(e as Error).message}`, where);
    }
  }
  return args;
}

/** Ansible's warning for an empty `regexp`/`search_string` (it matches every line). */
function emptyPatternWarning(args: LineinfileArgs): string | undefined {
  if (args.regexp !== '' && args.search_string !== '') return undefined;
  const name = args.regexp === '' ? 'regular expression' : 'search string';
  return `The ${name} is an empty string, which will match every line in the file. This may have unintended consequences, such as replacing the last line in the file rather than appending.${args.regexp === '' ? " If this is desired, use '^' to match every line in the file and avoid this warning." : ''}`;
}

/** Compute the new content on the controller from what the file holds now; write only if it differs. */
export async function planLineinfile(args: LineinfileArgs, ctx: ModuleContext): Promise<Plan> {
  const plan = await planEdit(args, ctx);
  const warning = emptyPatternWarning(args);
  return warning === undefined ? plan : { ...plan, result: { ...plan.result, warnings: [warning] } };
}

async function planEdit(args: LineinfileArgs, ctx: ModuleContext): Promise<Plan> {
  const path = args.path;
  const { stat: st, content } = await statAndRead(ctx, path, { follow: true });
  if (st.isDir) return { steps: [], failed: true, msg: `Path ${path} is a directory !`, result: { rc: 256 } };
  if (!st.exists) {
    if (args.state === 'absent') return { steps: [], result: { msg: 'file not present' }, msg: 'file not present' };
    if (!args.create) return { steps: [], failed: true, msg: `Destination ${path} does not exist !`, result: { rc: 257 } };
  }
  const before = content?.toString('utf8') ?? '';
  const lines = splitLines(before);
  const edit: EditResult = args.state === 'present' ? presentEdit(lines, args) : absentEdit(lines, args);
  const after = edit.lines.join('');

  const steps: Step[] = [];
  const diff: FileDiff[] = [];
  const result: Record<string, unknown> = { backup: '' };
  const creates: Prediction[] = [];
  if (edit.found !== undefined) result.found = edit.found;
  let msg = edit.msg;
  // A file created now always counts as a change, even when empty (as Ansible's `create`).
  if (edit.changed || !st.exists) {
    let mode = args.mode;
    if (mode !== undefined) {
      const base = st.exists && st.mode ? Number.parseInt(st.mode, 8) : defaultMode(false, st.umask);
      mode = octal(applyMode(mode, base, false, Number.parseInt(st.umask ?? '0022', 8)));
    }
    if (!st.exists) steps.push({ cmd: `mkdir -p -- ${quote(posix.dirname(path))}` });
    const write = atomicWriteSteps(path, after, { mode, owner: args.owner, group: args.group, backup: args.backup, validate: args.validate });
    steps.push(...write.steps);
    if (write.backupFile && st.exists) result.backup = write.backupFile;
    diff.push({ path, before, after, beforeHeader: `${path} (content)`, afterHeader: `${path} (content)` });
    creates.push(predictedFile(path, after, { mode, owner: args.owner, group: args.group }));
  } else {
    const attrs = attributeSteps(path, st, { mode: args.mode, owner: args.owner, group: args.group });
    if (attrs.steps.length > 0) {
      steps.push(...attrs.steps);
      diff.push(...attributeDiff(path, attrs.before, attrs.after));
      msg = 'ownership, perms or SE linux context changed';
    }
  }
  result.msg = msg;
  return { steps, diff, result, msg, madeBySteps: { backup: '' }, creates };
}

export const lineinfileModule: ModuleDef<LineinfileArgs> = {
  targetPaths: ['path'],
  selinuxArgs: true,
  name: 'lineinfile',
  parse: parseLineinfile,
  plan: planLineinfile,
};
