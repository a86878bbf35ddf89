import { createHash } from 'node:crypto';
import { dirname, posix } from 'node:path';
import { predictedFile, type Prediction } from '../facts/predicted.js';
import { parseStat, readRemoteFile, statFiles, statLineScript, type FileStat } from '../facts/file.js';
import { quote } from '../util/quote.js';
import { atomicWriteSteps } from './atomic-write.js';
import { applyMode, attributeSteps, attributeText, defaultMode, octal } from './file-attrs.js';
import type { FileDiff, ModuleContext, Outcome, Plan, Step } from './types.js';
import type { ExecResult } from '../connection/types.js';
import { defaultFinish } from '../executor/apply.js';
import { unrendered, type ArgSpecs } from './args.js';
import { ParseError, type Source } from '../errors.js';
import { SELINUX_SPECS } from './selinux-args.js';

/** The arguments copy and template share (copy semantics). */
export interface WriteArgs {
  dest: string;
  mode?: string;
  owner?: string;
  group?: string;
  backup: boolean;
  validate?: string;
  force: boolean;
}

export const writeArgSpecs: ArgSpecs = {
  ...SELINUX_SPECS,
  dest: { type: 'path', required: true },
  mode: { type: 'raw' },
  owner: { type: 'str' },
  group: { type: 'str' },
  backup: { type: 'bool', default: false },
  validate: { type: 'str' },
  force: { type: 'bool', default: true },
};

/** `validate` must name the file to check with %s, as in Ansible. */
export function checkValidate(module: string, validate: string | undefined, where: Source, loadTime: boolean): void {
  // at run time (a task kept under ignore_errors/rescue/a condition) it fails only when it would write,
  // with Ansible's message (atomicWriteSteps), as Ansible's modules check it there
  if (validate === undefined || !loadTime || unrendered(validate, loadTime)) return;
  if (!validate.includes('%s')) throw new ParseError(`${module}: argument 'validate' must contain %s (the file to check), got ${JSON.stringify(validate)}`, where);
}

/** What copy and template share: put these bytes at dest, with these attributes. */
export interface FileWrite {
  module: string;
  dest: string;
  data: Buffer;
  /** Basename of the controller source: used when dest is a directory (`dest/` or an existing dir). */
  srcName?: string;
  /** Octal, symbolic, or 'preserve' (then `srcMode` is used). */
  mode?: string;
  srcMode?: string;
  owner?: string;
  group?: string;
  backup: boolean;
  validate?: string;
  /** false: never replace an existing file. */
  force: boolean;
  /** The parent directory is created by an earlier step (copying a directory tree). */
  parentWillExist?: boolean;
  /** Extra result fields (src…). */
  result?: Record<string, unknown>;
  /** Part of a larger plan (a directory copy): no read-back of the written file's attributes. */
  noReadBack?: boolean;
  /**
   * dest is a symbolic link: true writes the file it leads to, false replaces the link with a file
   * (even of the same content), as Ansible's copy `follow`. Undefined: written through the path as it is.
   */
  follow?: boolean;
}

/** A write's fields as copy and template take them from their common arguments (not dest: a caller may join it). */
export function writeFields(module: string, a: WriteArgs): Pick<FileWrite, 'module' | 'mode' | 'owner' | 'group' | 'backup' | 'validate' | 'force'> {
  return { module, mode: a.mode, owner: a.owner, group: a.group, backup: a.backup, validate: a.validate, force: a.force };
}

export function sha1(data: Buffer | string): string {
  return createHash('sha1').update(data).digest('hex');
}

/** Text shown in a diff: binary and huge content is named, not dumped (as Ansible does). */
export function diffText(data: Buffer | string | undefined): string {
  if (data === undefined) return '';
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (buf.includes(0)) return '(binary content)\n';
  if (buf.length > 1024 * 1024) return `(content of ${buf.length} bytes, too large to show)\n`;
  return buf.toString('utf8');
}

/** Diff entries for attribute-only changes, headed like Ansible's "(file attributes)". */
export function attributeDiff(path: string, before: Record<string, string>, after: Record<string, string>): FileDiff[] {
  if (Object.keys(after).length === 0) return [];
  return [
    {
      path,
      before: attributeText(before),
      after: attributeText(after),
      beforeHeader: `${path} (file attributes)`,
      afterHeader: `${path} (file attributes)`,
    },
  ];
}

/**
 * Plan writing `data` to `dest` the way Ansible's copy does: idempotent by SHA-1, attribute-only changes
 * are changes too, `force: false` leaves an existing file alone, writes are atomic (atomic-write.ts).
 */
export async function planFileWrite(w: FileWrite, ctx: ModuleContext): Promise<Plan> {
  const checksum = sha1(w.data);
  let dest = w.dest;
  const steps: Step[] = [];
  const creates: Prediction[] = [];
  const intoDir = dest.endsWith('/');
  if (intoDir && !w.srcName) return fail(`can not use content with a dir as dest`, dest);
  const inner = w.srcName ? posix.join(dest, w.srcName) : undefined;
  const parent = dirname(dest.replace(/\/+$/, '') || '/');
  const stats = await statFiles(ctx, inner ? [dest, inner, parent] : [dest, parent], { follow: true, checksum: true });
  const destSt = stats[0]!;
  const parentSt = stats[stats.length - 1]!;
  let st: FileStat = destSt;
  if (inner && (intoDir || destSt.isDir)) {
    dest = inner;
    st = stats[1]!;
    // `dest/` that does not exist yet is created, as Ansible's copy does.
    if (!destSt.exists) {
      steps.push({ cmd: `mkdir -p ${quote(w.dest)}` });
      creates.push({ kind: 'dir', path: w.dest });
    }
    else if (!destSt.isDir) return fail(`destination ${w.dest} is not a directory`, dest);
  } else if (destSt.isDir) {
    return fail(`can not use content with a dir as dest`, dest);
  } else if (!parentSt.isDir && !w.parentWillExist) {
    return fail(`Destination directory ${parent} does not exist`, dest);
  }
  if (st.exists && st.isDir) return fail(`destination ${dest} is a directory`, dest);
  // a link at dest: follow writes where it leads, else the link itself is replaced
  let replaceLink = false;
  if (w.follow !== undefined && st.isLink) {
    const real = w.follow ? (await ctx.probe(`readlink -f -- ${quote(dest)} || true`)).stdout.replace(/\n$/, '') : '';
    if (real !== '') dest = real;
    else replaceLink = true;
  }
  // Ansible's copy/template result fields; uid/gid/owner/group/mode are the file's own once written
  const result: Record<string, unknown> = { ...w.result, dest, checksum, md5sum: createHash('md5').update(w.data).digest('hex'), size: w.data.length, state: 'file' };
  if (st.exists && !w.force) return { steps: [], result: { ...result, msg: 'file already exists' } };

  let mode = w.mode === 'preserve' ? w.srcMode : w.mode;
  if (mode !== undefined) {
    const base = st.exists && st.mode ? Number.parseInt(st.mode, 8) : defaultMode(false, st.umask);
    mode = octal(applyMode(mode, base, false, Number.parseInt(st.umask ?? '0022', 8)));
  }
  const want = { mode, owner: w.owner, group: w.group };
  const diff: FileDiff[] = [];
  if (st.exists && st.sha1 === checksum && !replaceLink) {
    const attrs = attributeSteps(dest, st, want);
    steps.push(...attrs.steps);
    diff.push(...attributeDiff(dest, attrs.before, attrs.after));
  } else {
    const write = atomicWriteSteps(dest, w.data, { ...want, backup: w.backup, validate: w.validate });
    steps.push(...write.steps);
    if (write.backupFile && st.exists) result.backup_file = write.backupFile;
    const before = st.exists && st.isFile && ctx.diff ? await readRemoteFile(ctx, dest, 1024 * 1024 + 1) : undefined;
    diff.push({ path: dest, before: diffText(before), after: diffText(w.data) });
    creates.push(predictedFile(dest, w.data, { mode, owner: w.owner, group: w.group }));
  }
  if (mode) result.mode = mode;
  else if (st.mode) result.mode = st.mode;
  if (w.owner ?? st.owner) result.owner = w.owner ?? st.owner;
  if (w.group ?? st.group) result.group = w.group ?? st.group;
  if (steps.length === 0 || w.noReadBack) {
    if (st.uid !== undefined) result.uid = st.uid;
    if (st.gid !== undefined) result.gid = st.gid;
    return { steps, diff, result, madeBySteps: { backup_file: undefined }, creates };
  }
  return {
    steps,
    diff,
    result,
    madeBySteps: { backup_file: undefined },
    creates,
    // One probe after the write reads back what the file became (the owner and ids of a new file)
    async finishAsync(results: ExecResult[], base: Outcome): Promise<Outcome> {
      const done = defaultFinish(results, base, steps);
      if (done.failed || results.length < steps.length) return done;
      const r = await ctx.probe(statLineScript(dest));
      if (r.rc !== 0) return done;
      const after = parseStat(r.stdout);
      return { ...done, mode: after.mode, uid: after.uid, gid: after.gid, owner: after.owner, group: after.group, size: after.size };
    },
  };
}

function fail(msg: string, dest: string): Plan {
  return { steps: [], failed: true, msg, result: { dest } };
}
