import { posix } from 'node:path';
import { ParseError, type Source } from '../errors.js';
import { statFile, statFiles, type FileStat } from '../facts/file.js';
import type { ExecResult } from '../connection/types.js';
import { defaultFinish } from '../executor/apply.js';
import { quote } from '../util/quote.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { ansibleMode, applyMode, attributeSteps, parseMode, type Attributes } from './file-attrs.js';
import type { ModuleContext, ModuleDef, Outcome, Plan, Step } from './types.js';
import { SELINUX_SPECS } from './selinux-args.js';
import { freshFlagsStep, planFlags } from './file-flags.js';
import { fail, STATE_PLANNERS, type Kind, type PathPlan, type State } from './file-states.js';
import { DEFAULT_TIME_FORMAT, parseTime, planTimes, timeFor, type TimeSpec } from './file-times.js';

export interface FileArgs {
  path: string;
  state?: State;
  src?: string;
  mode?: string;
  owner?: string;
  group?: string;
  /** lsattr/chattr flags: 'A' exactly, '+A' added, '-A' removed (file-flags.ts). */
  attributes?: string;
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
  attributes: { type: 'str', aliases: ['attr'] },
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
  // Ansible checks these when the module runs (additional_parameter_handling, ensure_hardlink); known
  // at load time, they reject the playbook. At run time the plan fails with Ansible's message.
  if (args.recurse && args.attributes !== undefined) throw new ParseError("file: 'attributes' with 'recurse' is not supported", where);
  if (loadTime) {
    const why = argumentConflict(args, args.state);
    if (why !== undefined) throw new ParseError(`file: ${why}`, where);
  }
  args.mtime = parseTime('modification_time', args.modification_time, args.modification_time_format, where, loadTime);
  args.atime = parseTime('access_time', args.access_time, args.access_time_format, where, loadTime);
  return args;
}

/** Ansible's message for arguments that do not go with the state (undefined: they do). */
function argumentConflict(args: FileArgs, state: State | undefined): string | undefined {
  if (state === undefined) return undefined;
  if (args.recurse && state !== 'directory') return "recurse option requires state to be 'directory'";
  if (args.src !== undefined && state !== 'link' && state !== 'hard') return "src option requires state to be 'link' or 'hard'";
  // state link without src keeps an existing link's target (Ansible: to change the link itself); hard needs it
  if (state === 'hard' && args.src === undefined) return 'src is required for creating new hardlinks';
  return undefined;
}

/** Ansible's name for what a path is now. */
function kindOf(st: FileStat): Kind {
  if (!st.exists) return 'absent';
  if (st.isLink && !st.isDir && !st.isFile) return 'link';
  return st.isDir ? 'directory' : 'file';
}


export async function planFile(args: FileArgs, ctx: ModuleContext): Promise<Plan> {
  const { warnings, unknown } = args.state === 'absent' ? { warnings: [] } : await lookUpAccounts(args, ctx);
  const plan = await planPath(args, ctx, false, unknown);
  if (warnings.length === 0) return plan;
  const later = (plan.result?.warnings as string[] | undefined) ?? [];
  return { ...plan, result: { ...plan.result, warnings: [...warnings, ...later] } };
}

/**
 * check_owner_exists / check_group_exists: an owner or group the host does not know is a warning first;
 * `unknown`: set_owner_if_different's failure once a name (not a number) is applied to an existing path.
 */
async function lookUpAccounts(args: FileArgs, ctx: ModuleContext): Promise<{ warnings: string[]; unknown?: string }> {
  const asked = [['user', 'passwd', args.owner], ['group', 'group', args.group]].filter((a): a is [string, string, string] => a[2] !== undefined);
  if (asked.length === 0) return { warnings: [] };
  const r = await ctx.probe(asked.map(([kind, db, name]) => `getent ${db} ${quote(name)} >/dev/null || echo ${kind}`).join('; '));
  const missing = asked.filter(([kind]) => r.stdout.split('\n').includes(kind));
  const numeric = (name: string) => /^\d+$/.test(name);
  const warnings = missing.map(([kind, , name]) => `failed to look up ${kind}${numeric(name) ? ` with ${kind === 'user' ? 'uid' : 'gid'}` : ''} ${name}. Create ${kind} up to this point in real play`);
  const named = missing.find(([, , name]) => !numeric(name));
  return { warnings, ...(named ? { unknown: `${named[0] === 'user' ? 'chown' : 'chgrp'} failed: failed to look up ${named[0]} ${named[2]}` } : {}) };
}

/**
 * `joined`: the path is already a directory's path joined with src's name (done once, as Ansible does).
 * `unknown`: why an owner or group cannot be given to an existing path (lookUpAccounts).
 */
async function planPath(args: FileArgs, ctx: ModuleContext, joined: boolean, unknown?: string): Promise<Plan> {
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
  // a symbolic link's src is relative to the link's directory; a hard link's, as os.link takes it, to the
  // working directory (the remote user's home)
  const srcPath = args.src === undefined || args.state === 'hard' || args.src.startsWith('/') ? args.src : `${posix.dirname(path)}/${args.src}`;
  const [st, srcSt] = await statFiles(ctx, srcPath ? [path, srcPath] : [path], { follow: !linkish && args.follow });
  // additional_parameter_handling: but for link and absent, a directory given as the path with a src
  // means the file of src's name inside it
  if (!joined && st!.isDir && args.src !== undefined && args.state !== 'link' && args.state !== 'absent') {
    return planPath({ ...args, path: `${path}/${posix.basename(args.src)}` }, ctx, true, unknown);
  }
  const prev = kindOf(st!);
  const state: State = args.state ?? (args.recurse ? 'directory' : prev === 'absent' ? 'file' : prev === 'link' ? 'link' : prev);
  // Ansible's ensure_symlink, ensure_hardlink and execute_touch name the path `dest`; the others `path`
  const conflict = argumentConflict(args, state);
  if (conflict !== undefined) return fail(conflict, path);
  const result: Record<string, unknown> = { [state === 'link' || state === 'hard' || state === 'touch' ? 'dest' : 'path']: path, state };
  const steps: Step[] = [];
  // Ansible's file diff, in the result whatever the diff mode: the path, and what changes (initial_diff:
  // the state when it differs, as get_state names it; src, mode/owner/group, times)
  const before: Record<string, unknown> = { path };
  const after: Record<string, unknown> = { path };
  const diff = { before, after };
  const named = prev === 'file' && (st!.nlink ?? 1) > 1 ? 'hard' : prev;
  if (named !== state) [before.state, after.state] = [named, state];
  let failure: { msg: string; path: string } | undefined;
  const pp: PathPlan = {
    args, ctx, path, p, st: st!, srcPath, srcSt, prev, want, result, steps, creates: [], before, after,
    timesPath: path,
    async withAttrs(s: FileStat, at = path) {
      if (unknown !== undefined) failure ??= { msg: unknown, path: at };
      const a = attributeSteps(at, s, want);
      const f = await planFlags(at, args.attributes, ctx);
      steps.push(...a.steps, ...f.steps);
      Object.assign(before, a.before, f.before);
      Object.assign(after, a.after, f.after);
    },
    fresh(at: string) {
      const f = freshFlagsStep(at, args.attributes);
      if (f) steps.push(f);
    },
  };
  const ended = await STATE_PLANNERS[state](pp);
  if (ended) return ended;
  if (failure) return fail(failure.msg, failure.path);
  // (absent returned above: times do not apply to it)
  const { timesPath, creates } = pp;
  if (timesPath !== undefined) {
    const times = await planTimes(timesPath, timeFor(args.mtime, state), timeFor(args.atime, state), prev === 'absent' && (state === 'touch' || state === 'directory'), ctx);
    if (times.failed) return fail(times.failed, path);
    steps.push(...times.steps);
    Object.assign(before, times.before);
    Object.assign(after, times.after);
  }
  if (want.mode && st!.exists && st!.mode) result.mode = ansibleMode(applyMode(want.mode, Number.parseInt(st!.mode, 8), st!.isDir));
  else if (st!.mode) result.mode = ansibleMode(st!.mode);
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
  return { state, mode: st.mode === undefined ? undefined : ansibleMode(st.mode), uid: st.uid, gid: st.gid, owner: st.owner, group: st.group, size: st.size };
}

export const fileModule: ModuleDef<FileArgs> = {
  targetPaths: ['path', 'src'],
  selinuxArgs: true,
  name: 'file',
  parse: parseFile,
  plan: planFile,
};
