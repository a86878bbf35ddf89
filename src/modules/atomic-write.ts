import { createHash } from 'node:crypto';
import { dirname, basename } from 'node:path';
import { quote } from '../util/quote.js';
import type { Step } from './types.js';

export interface AtomicWriteOptions {
  /** Octal ('0644') or symbolic ('u=rw,go=r') mode. Unset: keep the old file's mode, or 0666 minus umask. */
  mode?: string;
  /** Unset: keep the old file's owner/group (or the writing user's for a new file). */
  owner?: string;
  group?: string;
  /** Copy the old file to `dest.<pid>.<YYYY-MM-DD@HH:MM:SS>~` before replacing it, as Ansible does. */
  backup?: boolean;
  /** A command checking the new content before it goes live; `%s` is replaced by the temp file's path. */
  validate?: string;
}

export interface AtomicWrite {
  steps: Step[];
  /** The backup's path, when `backup` was asked for (made only if the destination exists). */
  backupFile?: string;
}

const issued = new Set<string>();

/** Ansible's backup name: `dest.<pid>.<YYYY-MM-DD@HH:MM:SS>~`, unique within this run. */
export function backupName(dest: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}@${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}`;
  let name = `${dest}.${process.pid}.${stamp}~`;
  for (let i = 1; issued.has(name); i++) name = `${dest}.${process.pid}-${i}.${stamp}~`;
  issued.add(name);
  return name;
}

/** `validate: 'visudo -cf %s'` with the temp file in place of %s (as a quoted shell word). */
export function validateCommand(validate: string, tempVar = '"$t"'): string {
  return validate.replace(/%s/g, tempVar);
}

/** chown/chgrp arguments for owner and/or group, or undefined when neither is set. */
export function ownership(owner?: string, group?: string): string | undefined {
  if (owner && group) return `chown ${quote(`${owner}:${group}`)}`;
  if (owner) return `chown ${quote(owner)}`;
  if (group) return `chgrp ${quote(group)}`;
  return undefined;
}

/**
 * Check what arrived against what was sent before anything is renamed: a transfer cut short (the
 * controller killed, the connection dropped, a full disk) leaves a short file that must never go live.
 */
function verifyLines(content: string | Buffer): string[] {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const sum = createHash('sha1').update(buf).digest('hex');
  return [
    `n=$(wc -c < "$t") && [ "$n" -eq ${buf.length} ] || { echo "incomplete transfer: $n of ${buf.length} bytes arrived; nothing replaced" >&2; exit 1; }`,
    `s=$(sha1sum < "$t") && [ "\${s%% *}" = ${sum} ] || { echo 'transfer corrupted: checksum mismatch; nothing replaced' >&2; exit 1; }`,
  ];
}

/**
 * Steps that replace `dest` with `content` atomically: the content goes through stdin into a temp file in
 * the destination's own directory (so the final `mv` is a rename on one filesystem), gets its mode and
 * owner, its size and SHA-1 are checked against what was sent, it is validated, the old file is backed
 * up, and only then is it moved into place. Any failure
 * removes the temp file and leaves `dest` as it was; a failed validation fails the step with the
 * validator's output on stderr.
 */
export function atomicWriteSteps(dest: string, content: string | Buffer, opts: AtomicWriteOptions = {}): AtomicWrite {
  const d = quote(dest);
  const dir = dirname(dest);
  const lines: string[] = [
    `t=$(mktemp ${quote(`${dir}/.${basename(dest)}.tsplay.XXXXXX`)}) || exit 1`,
    // A dropped connection (controller killed, Ctrl-C) hangs up or cuts stdin: the temp file goes, dest stays.
    `trap 'rm -f "$t"' EXIT`,
    `trap 'exit 129' HUP INT TERM PIPE`,
    `cat > "$t" || exit 1`,
    ...verifyLines(content),
  ];
  // Without an explicit mode/owner the new file looks like the one it replaces (as Ansible's atomic_move).
  if (opts.mode) {
    lines.push(/^[0-7]+$/.test(opts.mode) ? `chmod ${quote(opts.mode)} "$t" || exit 1` : `chmod =rw "$t" && chmod ${quote(opts.mode)} "$t" || exit 1`);
  } else {
    lines.push(`if [ -e ${d} ]; then chmod --reference=${d} "$t"; else chmod =rw "$t"; fi || exit 1`);
  }
  if (!opts.owner || !opts.group) lines.push(`if [ -e ${d} ]; then chown --reference=${d} "$t" 2>/dev/null || true; fi`);
  const own = ownership(opts.owner, opts.group);
  if (own) lines.push(`${own} "$t" || exit 1`);
  if (opts.validate && !opts.validate.includes('%s')) {
    // found only when the task runs (a load-time error otherwise): Ansible's modules fail so when they would write
    lines.push(`echo ${quote(`validate must contain %s: ${opts.validate}`)} >&2; exit 1`);
  } else if (opts.validate) {
    lines.push(
      `out=$( { ${validateCommand(opts.validate)} ; } 2>&1 ); rc=$?`,
      `if [ $rc -ne 0 ]; then echo ${quote(`failed to validate: ${opts.validate}`)} >&2; printf '%s\\n' "$out" >&2; exit $rc; fi`,
    );
  }
  let backupFile: string | undefined;
  if (opts.backup) {
    backupFile = backupName(dest);
    // a backup cut short (a full disk) is no backup: it goes, and nothing is replaced
    lines.push(`if [ -e ${d} ]; then cp -p ${d} ${quote(backupFile)} || { rm -f ${quote(backupFile)}; exit 1; }; fi`);
  }
  lines.push(`mv -f "$t" ${d}`);
  return { steps: [{ cmd: lines.join('\n'), stdin: content }], backupFile };
}
