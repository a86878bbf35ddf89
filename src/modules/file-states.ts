import { posix } from 'node:path';
import { predictedFile, type Prediction } from '../facts/predicted.js';
import { statFile, type FileStat } from '../facts/file.js';
import { quote } from '../util/quote.js';
import { ownership } from './atomic-write.js';
import { applyMode, defaultMode, isOctal, octal, type Attributes } from './file-attrs.js';
import { freshFlagsStep } from './file-flags.js';
import type { FileArgs } from './file.js';
import type { ModuleContext, Plan, Step } from './types.js';

/**
 * The file module's states, one planner each, named for Ansible's functions (ensure_absent,
 * ensure_file_attributes, ensure_directory, execute_touch, ensure_symlink, ensure_hardlink). file.ts
 * stats the path, decides the state and hands them a PathPlan; they add steps, predictions and diff
 * entries to it, and return a Plan only to end there (a failure, or absent's whole plan).
 */

export type State = 'file' | 'directory' | 'absent' | 'link' | 'touch' | 'hard';
export type Kind = 'absent' | 'link' | 'directory' | 'file';

/** One path's plan as it is built: what is there now, and what the state's planner adds. */
export interface PathPlan {
  args: FileArgs;
  ctx: ModuleContext;
  path: string;
  /** `path`, quoted for the shell. */
  p: string;
  /** The path as it is (followed, as `follow` says, but for link, hard and absent). */
  st: FileStat;
  /** link/hard: the source, as the link's directory (symbolic) or the working directory (hard) sees it. */
  srcPath: string | undefined;
  srcSt: FileStat | undefined;
  /** What the path is now, as Ansible names it. */
  prev: Kind;
  want: Attributes;
  result: Record<string, unknown>;
  steps: Step[];
  creates: Prediction[];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  /** Where the times go: the path (touch follows a link), or none (a link to nothing, followed). */
  timesPath: string | undefined;
  /** set_fs_attributes_if_different: owner, group, mode, then the lsattr flags, of `at` (default: the path) as it is now. */
  withAttrs(s: FileStat, at?: string): Promise<void>;
  /** The lsattr flags of a path made now. */
  fresh(at: string): void;
}

export type StatePlanner = (pp: PathPlan) => Promise<Plan | undefined>;

/** ensure_absent: the path goes, whatever it is (the diff lists a directory's content). */
async function planAbsent({ path, p, prev, ctx, steps, before, result, after }: PathPlan): Promise<Plan> {
  if (prev !== 'absent') {
    steps.push({ cmd: `rm -rf -- ${p}` });
    if (prev === 'directory') before.path_content = await pathContent(path, ctx);
  }
  return { steps, result: { ...result, diff: { before, after } }, creates: [{ kind: 'absent', path }] };
}

/** ensure_file_attributes: an existing file gets its attributes; anything else fails. */
async function planFileAttributes({ path, prev, st, withAttrs }: PathPlan): Promise<Plan | undefined> {
  if (prev !== 'file') return fail(`file (${path}) is ${prev}, cannot continue`, path, { state: prev });
  await withAttrs(st);
  return undefined;
}

/** ensure_directory: each missing level made with the attributes, or an existing directory's attributes (recursively with recurse). */
async function planDirectory({ args, ctx, path, st, prev, want, steps, creates, withAttrs }: PathPlan): Promise<Plan | undefined> {
  if (prev === 'absent') {
    // Create each missing level, giving every new one the attributes (as Ansible does).
    const levels: string[] = [];
    for (let d = path; d !== '/' && d !== '.'; d = posix.dirname(d)) levels.unshift(d);
    const mode = newMode(args.mode, true, st.umask);
    const attrs = [creationAttrs('"$d"', want, mode), freshFlagsStep('', args.attributes, '"$d"')?.cmd].filter(Boolean).join(' && ');
    steps.push({ cmd: `for d in ${levels.map((l) => quote(l)).join(' ')}; do [ -d "$d" ] || { mkdir -- "$d"${attrs ? ` && ${attrs}` : ''}; } || exit 1; done` });
    creates.push({ kind: 'dir', path, ...(mode ? { mode } : {}), ...(want.owner ? { owner: want.owner } : {}), ...(want.group ? { group: want.group } : {}) });
  } else if (prev !== 'directory') {
    return fail(`${path} already exists as a ${prev}`, path);
  } else {
    await withAttrs(st);
    if (args.recurse) steps.push(...(await recurseSteps(path, want, st.umask, args.follow, ctx)));
  }
  return undefined;
}

/**
 * execute_touch: an existing path keeps its content; its times change as modification_time/access_time
 * say (default: both now, so always changed, as in Ansible). A new file it cannot give its attributes
 * to is removed again.
 */
async function planTouch({ args, path, p, st, prev, want, steps, creates, withAttrs }: PathPlan): Promise<Plan | undefined> {
  if (prev === 'absent') {
    const mode = newMode(args.mode, false, st.umask);
    const attrs = [creationAttrs(p, want, mode), freshFlagsStep(path, args.attributes)?.cmd].filter(Boolean).join(' && ');
    steps.push({ cmd: `touch -- ${p}${attrs ? ` && { ${attrs} || { rm -f -- ${p}; exit 1; }; }` : ''}` });
    creates.push(predictedFile(path, '', { ...(mode ? { mode } : {}), owner: want.owner, group: want.group }));
  } else await withAttrs(st);
  return undefined;
}

/** ensure_symlink: the link made or re-pointed (force converts a file or an empty directory); following, what it resolves to gets the attributes. */
async function planLink(pp: PathPlan): Promise<Plan | undefined> {
  const { args, ctx, path, p, st, srcSt, srcPath, prev, want, steps, result, before, after, withAttrs } = pp;
  const src = args.src ?? st.linkTarget;
  if (src === undefined) return fail(`src is required for state 'link' on ${path}`, path);
  const relink = !(prev === 'link' && st.linkTarget === src);
  if (prev === 'file' && !args.force) {
    return fail(`refusing to convert from file to symlink for ${path}`, path);
  } else if (prev === 'directory') {
    if (!args.force) return fail(`refusing to convert from directory to symlink for ${path}`, path);
    const r = await ctx.probe(`ls -A -- ${p} | head -n 1`);
    if (r.stdout.trim() !== '') return fail(`the directory ${path} is not empty, refusing to convert it`, path);
  }
  if (relink && srcSt && !srcSt.exists && !args.force) {
    return fail(`src file does not exist, use "force=yes" if you really want to create the link: ${srcPath}`, path);
  }
  if (relink) {
    // not following, owner and group are the link's own (lchown); its mode cannot change on Linux
    const own = args.follow ? undefined : ownership(want.owner, want.group);
    const replace = prev === 'directory' ? `rmdir -- ${p} && ln -s -- ${quote(src)} ${p}` : `ln -sfn -- ${quote(src)} ${p}`;
    steps.push({ cmd: `${replace}${own ? ` && ${own.replace(/^(chown|chgrp)/, '$1 -h')} ${p}` : ''}` });
    if (prev === 'link') [before.src, after.src] = [st.linkTarget, src];
    if (!args.follow) pp.fresh(path);
  } else if (!args.follow) await withAttrs(st);
  result.src = src;
  // Following (the default), Ansible gives owner, group, mode and times to what the link resolves to
  // once made (load_file_common_arguments: realpath), or warns when that does not exist. Under --check
  // a link still to be made gets none (ensure_symlink returns before).
  if (args.follow && !(ctx.check && prev === 'absent')) {
    const linked = relink ? (src.startsWith('/') ? src : `${posix.dirname(path)}/${src}`) : path;
    const real = await ctx.probe(`realpath -e -- ${quote(linked)}`);
    if (real.rc !== 0) {
      result.warnings = ['Cannot set fs attributes on a non-existent symlink target. follow should be set to False to avoid this.'];
      pp.timesPath = undefined;
    } else {
      pp.timesPath = real.stdout.replace(/\n$/, '');
      await withAttrs(await statFile(ctx, pp.timesPath), pp.timesPath);
    }
  }
  return undefined;
}

/** ensure_hardlink: the path made a hard link of src (force replaces a file); already one, it gets the attributes. */
async function planHard({ args, path, p, st, srcSt, srcPath, prev, want, steps, result, withAttrs, fresh }: PathPlan): Promise<Plan | undefined> {
  if (!srcSt?.exists) return { steps: [], failed: true, msg: 'src does not exist', result: { dest: path, src: args.src } };
  if (prev !== 'absent' && st.inode === srcSt.inode && st.dev === srcSt.dev) {
    await withAttrs(st);
    return undefined;
  }
  if (prev === 'directory') return fail(`refusing to convert from directory to hard link for ${path}`, path);
  if (prev !== 'absent' && !args.force) return fail(`Cannot link, ${prev} exists at destination ${path}`, path);
  const mode = args.mode !== undefined && srcSt.mode ? octal(applyMode(args.mode, Number.parseInt(srcSt.mode, 8), false)) : undefined;
  const attrs = creationAttrs(p, want, mode !== srcSt.mode ? mode : undefined);
  steps.push({ cmd: `ln -f -- ${quote(srcPath!)} ${p}${attrs ? ` && ${attrs}` : ''}` });
  fresh(path);
  result.src = args.src;
  return undefined;
}

/** Each state's planner. */
export const STATE_PLANNERS: Record<State, StatePlanner> = {
  absent: planAbsent,
  file: planFileAttributes,
  directory: planDirectory,
  touch: planTouch,
  link: planLink,
  hard: planHard,
};

/** What an absent state removes from a directory, as Ansible's diff lists it (os.walk: links to directories count as directories). */
async function pathContent(path: string, ctx: ModuleContext): Promise<{ directories: string[]; files: string[] }> {
  const r = await ctx.probe(`find ${quote(path)} -mindepth 1 \\( -type d -o \\( -type l -xtype d \\) \\) -printf 'd %p\\n' -o -printf 'f %p\\n'`);
  const lines = r.stdout.split('\n').filter(Boolean);
  return { directories: lines.filter((l) => l.startsWith('d ')).map((l) => l.slice(2)), files: lines.filter((l) => l.startsWith('f ')).map((l) => l.slice(2)) };
}

/** `mode` as octal for a path that is created now (its starting mode comes from the umask). */
function newMode(mode: string | undefined, isDir: boolean, umask: string | undefined): string | undefined {
  if (mode === undefined) return undefined;
  return octal(applyMode(mode, defaultMode(isDir, umask), isDir, Number.parseInt(umask ?? '0022', 8)));
}

/** Commands that give a just-created path its attributes. */
function creationAttrs(target: string, want: Attributes, mode: string | undefined): string {
  const own = ownership(want.owner, want.group);
  return [mode ? `chmod ${mode} ${target}` : '', own ? `${own} ${target}` : ''].filter(Boolean).join(' && ');
}

/** A failed plan for `path`, with Ansible's message. */
export function fail(msg: string, path: string, extra: Record<string, unknown> = {}): Plan {
  return { steps: [], failed: true, msg, result: { path, ...extra } };
}

/**
 * Recursive attributes: one listing of the tree, compared on the controller. Following links (the
 * default), what a link in the tree points to gets them too, and a linked directory's content
 * (recursive_set_attributes); a link to nothing is left alone.
 */
async function recurseSteps(path: string, want: Attributes, umask: string | undefined, follow: boolean, ctx: ModuleContext): Promise<Step[]> {
  const find = `find ${follow ? '-L ' : ''}${quote(path)} -mindepth 1 ! -type l`;
  const r = await ctx.probe(`${find} -exec stat ${follow ? '-L ' : ''}--printf '%a %u %g %U %G %F\\n' {} +`);
  if (r.rc !== 0) throw new Error(`cannot list ${path}: ${r.stderr.trim()}`);
  let modeDiffers = false;
  let ownDiffers = false;
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const [mode, uid, gid, owner, group, ...type] = line.split(' ');
    const isDir = type.join(' ') === 'directory';
    if (want.mode !== undefined) {
      const target = applyMode(want.mode, Number.parseInt(mode!, 8), isDir, Number.parseInt(umask ?? '0022', 8));
      if (target !== Number.parseInt(mode!, 8)) modeDiffers = true;
    }
    if (want.owner !== undefined && want.owner !== owner && want.owner !== uid) ownDiffers = true;
    if (want.group !== undefined && want.group !== group && want.group !== gid) ownDiffers = true;
  }
  const steps: Step[] = [];
  const own = ownership(want.owner, want.group);
  const mode = want.mode === undefined ? '' : isOctal(want.mode) ? want.mode : quote(want.mode);
  if (ownDiffers && own) {
    steps.push({ cmd: `${own.replace(/^(chown|chgrp)/, '$1 -R')} ${quote(path)}` });
    if (follow) steps.push({ cmd: `${find} -exec ${own} {} +` });
  }
  // chmod -R passes links by; named through a link (find -L), chmod changes what it points to
  if (modeDiffers) steps.push({ cmd: follow ? `${find} -exec chmod ${mode} {} +` : `chmod -R ${mode} ${quote(path)}` });
  return steps;
}
