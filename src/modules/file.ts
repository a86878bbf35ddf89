import { posix } from 'node:path';
import { predictedFile, type Prediction } from '../facts/predicted.js';
import { ParseError, type Source } from '../errors.js';
import { statFile, statFiles, type FileStat } from '../facts/file.js';
import type { ExecResult } from '../connection/types.js';
import { defaultFinish } from '../executor/apply.js';
import { quote } from '../util/quote.js';
import { ownership } from './atomic-write.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { applyMode, attributeSteps, defaultMode, isOctal, octal, parseMode, type Attributes } from './file-attrs.js';
import type { ModuleContext, ModuleDef, Outcome, Plan, Step } from './types.js';
import { SELINUX_SPECS } from './selinux-args.js';
import { DEFAULT_TIME_FORMAT, parseTime, planTimes, timeFor, type TimeSpec } from './file-times.js';

type State = 'file' | 'directory' | 'absent' | 'link' | 'touch' | 'hard';

export interface FileArgs {
  path: string;
  state?: State;
  src?: string;
  mode?: string;
  owner?: string;
  group?: string;
  recurse: boolean;
  force: boolean;
  follow: boolean;
  modification_time?: string;
  modification_time_format: string;
  access_time?: string;
  access_time_format: string;
  /** The two times as read (undefined: the state's default, timeFor). */
  mtime?: TimeSpec;
  atime?: TimeSpec;
  /** Internal to Ansible's action plugins (template/copy diffs): only tell whether the file looks binary. */
  _diff_peek?: boolean;
}

const specs: ArgSpecs = {
  ...SELINUX_SPECS,
  path: { type: 'path', required: true, aliases: ['dest', 'name'] },
  state: { type: 'str', choices: ['file', 'directory', 'absent', 'link', 'touch', 'hard'] },
  src: { type: 'path' },
  mode: { type: 'raw' },
  owner: { type: 'str' },
  group: { type: 'str' },
  recurse: { type: 'bool', default: false },
  force: { type: 'bool', default: false },
  follow: { type: 'bool', default: true },
  modification_time: { type: 'str' },
  modification_time_format: { type: 'str', default: DEFAULT_TIME_FORMAT },
  access_time: { type: 'str' },
  access_time_format: { type: 'str', default: DEFAULT_TIME_FORMAT },
  _diff_peek: { type: 'bool' },
};

export function parseFile(raw: unknown, where: Source, loadTime: boolean): FileArgs {
  const args = parseArgs<FileArgs>('file', specs, raw, where, loadTime);
  args.mode = parseMode('file', 'mode', args.mode, where, loadTime);
  if (args.recurse && args.state !== undefined && args.state !== 'directory') {
    throw new ParseError("file: argument 'recurse' requires state 'directory'", where);
  }
  if (args.src !== undefined && args.state !== undefined && args.state !== 'link' && args.state !== 'hard') {
    throw new ParseError("file: argument 'src' requires state 'link' or 'hard'", where);
  }
  // state link without src keeps an existing link's target (Ansible: to change the link itself); hard needs it
  if (args.state === 'hard' && args.src === undefined) {
    throw new ParseError(`file: state '${args.state}' needs argument 'src'`, where);
  }
  args.mtime = parseTime('modification_time', args.modification_time, args.modification_time_format, where, loadTime);
  args.atime = parseTime('access_time', args.access_time, args.access_time_format, where, loadTime);
  return args;
}

/** Ansible's name for what a path is now. */
function kindOf(st: FileStat): 'absent' | 'link' | 'directory' | 'file' {
  if (!st.exists) return 'absent';
  if (st.isLink && !st.isDir && !st.isFile) return 'link';
  return st.isDir ? 'directory' : 'file';
}

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

function fail(msg: string, path: string): Plan {
  return { steps: [], failed: true, msg, result: { path } };
}

/** Recursive attributes: one listing of the tree, compared on the controller. */
async function recurseSteps(path: string, want: Attributes, umask: string | undefined, ctx: ModuleContext): Promise<Step[]> {
  const r = await ctx.probe(`find ${quote(path)} -mindepth 1 ! -type l -exec stat --printf '%a %u %g %U %G %F\\n' {} +`);
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
  if (ownDiffers && own) steps.push({ cmd: `${own.replace(/^(chown|chgrp)/, '$1 -R')} ${quote(path)}` });
  if (modeDiffers) steps.push({ cmd: `chmod -R ${isOctal(want.mode!) ? want.mode : quote(want.mode!)} ${quote(path)}` });
  return steps;
}

export async function planFile(args: FileArgs, ctx: ModuleContext): Promise<Plan> {
  const path = args.path.replace(/(.)\/+$/, '$1');
  const p = quote(path);
  if (args._diff_peek !== undefined) {
    // execute_diff_peek: a NUL byte in the first 8 KiB (an unreadable file counts as text)
    const head = `head -c 8192 -- ${p} 2>/dev/null`;
    const r = await ctx.probe(`[ "$(${head} | wc -c)" = "$(${head} | tr -d '\\000' | wc -c)" ] && echo text || echo binary`);
    return { steps: [], result: { path, appears_binary: r.stdout.trim() === 'binary' } };
  }
  const want: Attributes = { mode: args.mode, owner: args.owner, group: args.group };
  const linkish = args.state === 'link' || args.state === 'hard' || args.state === 'absent';
  const srcPath = args.src === undefined ? undefined : posix.resolve(posix.dirname(path), args.src);
  const [st, srcSt] = await statFiles(ctx, srcPath ? [path, srcPath] : [path], { follow: !linkish && args.follow });
  const prev = kindOf(st!);
  const state: State = args.state ?? (args.recurse ? 'directory' : prev === 'absent' ? 'file' : prev === 'link' ? 'link' : prev);
  const result: Record<string, unknown> = { path, state };
  const steps: Step[] = [];
  const creates: Prediction[] = [];
  // Ansible's file diff, in the result whatever the diff mode: the path, and what changes (initial_diff:
  // the state when it differs, as get_state names it; src, mode/owner/group, times)
  const before: Record<string, unknown> = { path };
  const after: Record<string, unknown> = { path };
  const diff = { before, after };
  const named = prev === 'file' && (st!.nlink ?? 1) > 1 ? 'hard' : prev;
  if (named !== state) [before.state, after.state] = [named, state];
  const withAttrs = (s: FileStat) => {
    const a = attributeSteps(path, s, want);
    steps.push(...a.steps);
    Object.assign(before, a.before);
    Object.assign(after, a.after);
  };

  switch (state) {
    case 'absent':
      if (prev !== 'absent') {
        steps.push({ cmd: `rm -rf -- ${p}` });
        if (prev === 'directory') before.path_content = await pathContent(path, ctx);
      }
      return { steps, result: { ...result, diff }, creates: [{ kind: 'absent', path }] };
    case 'file':
      if (prev === 'absent') return fail(`file (${path}) is absent, cannot continue`, path);
      if (prev !== 'file') return fail(`file (${path}) is ${prev}, cannot continue`, path);
      withAttrs(st!);
      break;
    case 'directory':
      if (prev === 'absent') {
        // Create each missing level, giving every new one the attributes (as Ansible does).
        const levels: string[] = [];
        for (let d = path; d !== '/' && d !== '.'; d = posix.dirname(d)) levels.unshift(d);
        const mode = newMode(args.mode, true, st!.umask);
        const attrs = creationAttrs('"$d"', want, mode);
        steps.push({ cmd: `for d in ${levels.map((l) => quote(l)).join(' ')}; do [ -d "$d" ] || { mkdir -- "$d"${attrs ? ` && ${attrs}` : ''}; } || exit 1; done` });
        creates.push({ kind: 'dir', path, ...(mode ? { mode } : {}), ...(want.owner ? { owner: want.owner } : {}), ...(want.group ? { group: want.group } : {}) });
      } else if (prev !== 'directory') {
        return fail(`${path} already exists as a ${prev}`, path);
      } else {
        withAttrs(st!);
        if (args.recurse) steps.push(...(await recurseSteps(path, want, st!.umask, ctx)));
      }
      break;
    case 'touch': {
      // An existing path keeps its content; its times change as modification_time/access_time say
      // (default: both now, so always changed, as in Ansible)
      if (prev === 'absent') {
        const mode = newMode(args.mode, false, st!.umask);
        const attrs = creationAttrs(p, want, mode);
        steps.push({ cmd: `touch -- ${p}${attrs ? ` && ${attrs}` : ''}` });
        creates.push(predictedFile(path, '', { ...(mode ? { mode } : {}), owner: want.owner, group: want.group }));
      } else withAttrs(st!);
      break;
    }
    case 'link': {
      const src = args.src ?? st!.linkTarget;
      if (src === undefined) return fail(`src is required for state 'link' on ${path}`, path);
      if (prev === 'link') {
        if (st!.linkTarget === src) {
          withAttrs(st!);
          break;
        }
      } else if (prev === 'file' && !args.force) {
        return fail(`refusing to convert from file to symlink for ${path}`, path);
      } else if (prev === 'directory') {
        if (!args.force) return fail(`refusing to convert from directory to symlink for ${path}`, path);
        const r = await ctx.probe(`ls -A -- ${p} | head -n 1`);
        if (r.stdout.trim() !== '') return fail(`the directory ${path} is not empty, refusing to convert it`, path);
      }
      if (srcSt && !srcSt.exists && !args.force) {
        return fail(`src file does not exist, use "force=yes" if you really want to create the link: ${srcPath}`, path);
      }
      const own = ownership(want.owner, want.group);
      const replace = prev === 'directory' ? `rmdir -- ${p} && ln -s -- ${quote(src)} ${p}` : `ln -sfn -- ${quote(src)} ${p}`;
      steps.push({ cmd: `${replace}${own ? ` && ${own.replace(/^(chown|chgrp)/, '$1 -h')} ${p}` : ''}` });
      if (prev === 'link') [before.src, after.src] = [st!.linkTarget, src];
      result.src = src;
      break;
    }
    case 'hard': {
      if (!srcSt?.exists) return fail(`src does not exist: ${srcPath}`, path);
      if (prev !== 'absent' && st!.inode === srcSt.inode && st!.dev === srcSt.dev) {
        withAttrs(st!);
        break;
      }
      if (prev === 'directory') return fail(`refusing to convert from directory to hard link for ${path}`, path);
      if (prev !== 'absent' && !args.force) return fail(`Cannot link, ${prev} exists at destination ${path}`, path);
      const mode = args.mode !== undefined && srcSt.mode ? octal(applyMode(args.mode, Number.parseInt(srcSt.mode, 8), false)) : undefined;
      const attrs = creationAttrs(p, want, mode !== srcSt.mode ? mode : undefined);
      steps.push({ cmd: `ln -f -- ${quote(srcPath!)} ${p}${attrs ? ` && ${attrs}` : ''}` });
      result.src = srcPath;
      break;
    }
  }
  // (absent returned above: times do not apply to it)
  const times = await planTimes(path, timeFor(args.mtime, state), timeFor(args.atime, state), prev === 'absent' && (state === 'touch' || state === 'directory'), ctx);
  if (times.failed) return fail(times.failed, path);
  if (times.steps.length > 0) {
    steps.push(...times.steps);
    Object.assign(before, times.before);
    Object.assign(after, times.after);
  }
  if (want.mode && st!.exists && st!.mode) result.mode = octal(applyMode(want.mode, Number.parseInt(st!.mode, 8), st!.isDir));
  else if (st!.mode) result.mode = st!.mode;
  if (want.owner ?? st!.owner) result.owner = want.owner ?? st!.owner;
  if (want.group ?? st!.group) result.group = want.group ?? st!.group;
  result.diff = diff;
  if (steps.length === 0) return { steps, result: { ...result, ...pathInfo(st!) } };
  return {
    steps,
    result,
    creates,
    // As Ansible's file module: the result describes the path as it is now (one probe after the change)
    async finishAsync(results: ExecResult[], base: Outcome): Promise<Outcome> {
      const done = defaultFinish(results, base, steps);
      if (done.failed || results.length < steps.length) return done;
      return { ...done, ...pathInfo(await statFile(ctx, path)) };
    },
  };
}

/** Ansible's file result for a path: state as get_state tells it (hard: a file with several links), ids, mode, size. */
function pathInfo(st: FileStat): Record<string, unknown> {
  if (!st.exists) return { state: 'absent' };
  const state = st.isLink ? 'link' : st.isDir ? 'directory' : (st.nlink ?? 1) > 1 ? 'hard' : 'file';
  return { state, mode: st.mode, uid: st.uid, gid: st.gid, owner: st.owner, group: st.group, size: st.size };
}

export const fileModule: ModuleDef<FileArgs> = {
  selinuxArgs: true,
  name: 'file',
  parse: parseFile,
  plan: planFile,
};
