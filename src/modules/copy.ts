import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { ParseError, TsplayError, type Source } from '../errors.js';
import { readRemoteBytes } from '../facts/file.js';
import { parseArgs, exclusive, type ArgSpecs } from './args.js';
import { isOctal, octal, parseMode } from './file-attrs.js';
import { quote } from '../util/quote.js';
import type { FileDiff, ModuleContext, ModuleDef, Plan, Step } from './types.js';
import { checkValidate, planFileWrite, writeArgSpecs, type FileWrite, type WriteArgs } from './write-file.js';

export interface CopyArgs extends WriteArgs {
  src?: string;
  content?: string;
  remote_src: boolean;
  directory_mode?: string;
}

const specs: ArgSpecs = {
  src: { type: 'path' },
  content: { type: 'raw' },
  ...writeArgSpecs,
  force: { type: 'bool', default: true, aliases: ['thirsty'] },
  remote_src: { type: 'bool', default: false },
  directory_mode: { type: 'raw' },
};

export function parseCopy(raw: unknown, where: Source, loadTime: boolean): CopyArgs {
  const args = parseArgs<CopyArgs & { content?: unknown }>('copy', specs, raw, where, loadTime);
  exclusive('copy', args as unknown as Record<string, unknown>, ['src', 'content'], where);
  // A dict or list given as content is written as JSON, as Ansible does.
  if (args.content !== undefined && typeof args.content !== 'string') {
    args.content = typeof args.content === 'object' ? JSON.stringify(args.content) : String(args.content);
  }
  args.mode = parseMode('copy', 'mode', args.mode, where, loadTime, true);
  args.directory_mode = parseMode('copy', 'directory_mode', args.directory_mode, where, loadTime);
  checkValidate('copy', args.validate, where, loadTime);
  if (args.remote_src && args.src === undefined) throw new ParseError("copy: 'remote_src' needs 'src'", where);
  return args as CopyArgs;
}

function common(args: CopyArgs): Omit<FileWrite, 'dest' | 'data'> {
  return {
    module: 'copy',
    mode: args.mode,
    owner: args.owner,
    group: args.group,
    backup: args.backup,
    validate: args.validate,
    force: args.force,
  };
}

/** Every regular file under a controller directory, as paths relative to it (sorted, stable plans). */
function walk(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...walk(dir, r));
    else if (entry.isFile() || entry.isSymbolicLink()) out.push(r);
  }
  return out;
}

/** A controller directory: `src: dir` lands in dest/dir/, `src: dir/` puts its content into dest/. */
async function planDirectory(args: CopyArgs, local: string, ctx: ModuleContext): Promise<Plan> {
  const root = args.src!.endsWith('/') ? args.dest : posix.join(args.dest, basename(local));
  const files = walk(local);
  const dirs = new Set<string>([root]);
  for (const f of files) dirs.add(posix.dirname(posix.join(root, f)));
  const steps: Step[] = [];
  const diff: FileDiff[] = [];
  const mkdirMode = args.directory_mode && isOctal(args.directory_mode) ? `-m ${args.directory_mode} ` : '';
  const probe = await ctx.probe([...dirs].map((d) => `[ -d ${quote(d)} ] || echo missing`).join('; '));
  if (probe.stdout.includes('missing')) steps.push({ cmd: `mkdir -p ${mkdirMode}-- ${[...dirs].map((d) => quote(d)).join(' ')}` });
  for (const f of files) {
    const path = join(local, f);
    const plan = await planFileWrite(
      { ...common(args), dest: posix.join(root, f), data: readFileSync(path), srcMode: octal(statSync(path).mode & 0o7777), parentWillExist: true, noReadBack: true },
      ctx,
    );
    if (plan.failed) return plan;
    steps.push(...plan.steps);
    diff.push(...(plan.diff ?? []));
  }
  return { steps, diff, result: { dest: root, src: args.src } };
}

export async function planCopy(args: CopyArgs, ctx: ModuleContext): Promise<Plan> {
  if (args.content !== undefined) {
    return planFileWrite({ ...common(args), dest: args.dest, data: Buffer.from(args.content, 'utf8') }, ctx);
  }
  const src = args.src!;
  if (args.remote_src) {
    const data = await readRemoteBytes(ctx, src);
    if (data === undefined) return { steps: [], failed: true, msg: `Source ${src} not found` };
    return planFileWrite({ ...common(args), dest: args.dest, data, srcName: posix.basename(src), result: { src } }, ctx);
  }
  let local: string;
  try {
    local = ctx.findLocalFile('files', src);
  } catch (e) {
    if (e instanceof TsplayError) return { steps: [], failed: true, msg: `Could not find or access '${src}': ${e.message}` };
    throw e;
  }
  const st = statSync(local);
  if (st.isDirectory()) return planDirectory(args, local, ctx);
  return planFileWrite(
    { ...common(args), dest: args.dest, data: readFileSync(local), srcName: basename(local), srcMode: octal(st.mode & 0o7777), result: { src } },
    ctx,
  );
}

export const copyModule: ModuleDef<CopyArgs> = {
  selinuxArgs: true,
  name: 'copy',
  parse: parseCopy,
  plan: planCopy,
};
