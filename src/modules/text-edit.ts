import { posix } from 'node:path';
import { predictedFile, type Prediction } from '../facts/predicted.js';
import { quote } from '../util/quote.js';
import type { FileStat } from '../facts/file.js';
import { atomicWriteSteps } from './atomic-write.js';
import { applyMode, attributeSteps, defaultMode, octal } from './file-attrs.js';
import type { FileDiff, Plan, Step } from './types.js';
import { attributeDiff } from './write-file.js';

/** The file arguments every edit-in-place module (replace, blockinfile, ini_file) shares. */
export interface EditFileArgs {
  mode?: string;
  owner?: string;
  group?: string;
  backup: boolean;
  validate?: string;
}

export interface TextEdit {
  path: string;
  /** What the path is now (stat'ed following links). */
  stat: FileStat;
  before: string;
  after: string;
  /** The module's message when the content changes ('3 replacements made', 'Block inserted'…). */
  msg: string;
  /** Key of the backup's path in the result: Ansible names it `backup_file` (lineinfile: `backup`). */
  backupKey?: string;
}

const ATTRS_CHANGED = 'ownership, perms or SE linux context changed';

/**
 * Plan an edit computed on the controller: a changed text is written atomically (temp file beside the
 * file, validate, backup, mv; a missing parent directory is created as Ansible's `create` does); an
 * unchanged text may still need its attributes fixed — Ansible's "ownership, perms or SE linux context
 * changed", appended to the message with " and " when both happen.
 */
export function planTextEdit(edit: TextEdit, args: EditFileArgs): Plan {
  const { path, stat: st } = edit;
  const steps: Step[] = [];
  const diff: FileDiff[] = [];
  const result: Record<string, unknown> = {};
  const creates: Prediction[] = [];
  let msg = '';
  const contentChanged = edit.before !== edit.after || !st.exists;
  if (contentChanged) {
    msg = edit.msg;
    let mode = args.mode;
    if (mode !== undefined) {
      const base = st.exists && st.mode ? Number.parseInt(st.mode, 8) : defaultMode(false, st.umask);
      mode = octal(applyMode(mode, base, false, Number.parseInt(st.umask ?? '0022', 8)));
    }
    if (!st.exists) steps.push({ cmd: `mkdir -p -- ${quote(posix.dirname(path))}` });
    const write = atomicWriteSteps(path, edit.after, { mode, owner: args.owner, group: args.group, backup: args.backup, validate: args.validate });
    steps.push(...write.steps);
    if (write.backupFile && st.exists) result[edit.backupKey ?? 'backup_file'] = write.backupFile;
    diff.push({ path, before: edit.before, after: edit.after, beforeHeader: `${path} (content)`, afterHeader: `${path} (content)` });
    creates.push(predictedFile(path, edit.after, { mode, owner: args.owner, group: args.group }));
  } else if (st.exists) {
    const attrs = attributeSteps(path, st, { mode: args.mode, owner: args.owner, group: args.group });
    if (attrs.steps.length > 0) {
      steps.push(...attrs.steps);
      diff.push(...attributeDiff(path, attrs.before, attrs.after));
      msg = ATTRS_CHANGED;
    }
  }
  // A new file written with attributes also gets them (atomic write), so the message says both.
  if (contentChanged && (args.mode !== undefined || args.owner !== undefined || args.group !== undefined) && st.exists) {
    const attrs = attributeSteps(path, st, { mode: args.mode, owner: args.owner, group: args.group });
    if (attrs.steps.length > 0) msg += ` and ${ATTRS_CHANGED}`;
  }
  result.msg = msg;
  return { steps, diff, result, msg, madeBySteps: { [edit.backupKey ?? 'backup_file']: edit.backupKey === 'backup' ? '' : undefined }, creates };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A file's bytes as text, or a failed plan when they are not UTF-8: editing them as text would
 * silently replace the undecodable bytes, so the file is refused instead (Ansible's replace fails too).
 */
export function textOf(path: string, content: Buffer | undefined): string | Plan {
  if (content === undefined) return '';
  try {
    return strictUtf8.decode(content);
  } catch {
    return { steps: [], failed: true, msg: `${path} is not UTF-8 text: refusing to edit it` };
  }
}
