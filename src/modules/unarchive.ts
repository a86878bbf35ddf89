import { readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { ParseError, TsplayError, type Source } from '../errors.js';
import { quote } from '../util/quote.js';
import { exclusive, parseArgs, type ArgSpecs } from './args.js';
import { ownership } from './atomic-write.js';
import { attributeSteps, parseMode } from './file-attrs.js';
import { parseStat } from '../facts/file.js';
import type { ModuleContext, ModuleDef, Plan, Step } from './types.js';
import { SELINUX_SPECS } from './selinux-args.js';

/**
 * unarchive: a tar (plain, gz, bz2, xz, zstd) or zip archive unpacked into an existing directory by
 * the target's own `tar`/`unzip`. The archive comes from the controller (sent on stdin into a temp
 * file), from the target (`remote_src`), or from a URL the target downloads (`remote_src` + `://`).
 * Whether it is already unpacked is decided as Ansible does: `tar --diff` (its "Mod time / Mode /
 * Uid / Gid differs" and missing-file lines), and for zip a comparison of a scratch extraction.
 */
export interface UnarchiveArgs {
  src: string;
  dest: string;
  remote_src: boolean;
  creates?: string;
  list_files: boolean;
  keep_newer: boolean;
  exclude: string[];
  include: string[];
  extra_opts: string[];
  validate_certs: boolean;
  mode?: string;
  owner?: string;
  group?: string;
}

const specs: ArgSpecs = {
  ...SELINUX_SPECS,
  src: { type: 'path', required: true },
  dest: { type: 'path', required: true },
  remote_src: { type: 'bool', default: false },
  creates: { type: 'path' },
  list_files: { type: 'bool', default: false },
  keep_newer: { type: 'bool', default: false },
  exclude: { type: 'list', elements: 'str', default: [] },
  include: { type: 'list', elements: 'str', default: [] },
  extra_opts: { type: 'list', elements: 'str', default: [] },
  validate_certs: { type: 'bool', default: true },
  io_buffer_size: { type: 'int', default: 65536 },
  copy: { type: 'bool' },
  decrypt: { type: 'bool', default: true },
  mode: { type: 'raw' },
  owner: { type: 'str' },
  group: { type: 'str' },
};

function parse(raw: unknown, where: Source, loadTime: boolean): UnarchiveArgs {
  const a = parseArgs<UnarchiveArgs & { copy?: boolean; decrypt?: boolean; io_buffer_size?: number }>('unarchive', specs, raw, where, loadTime);
  exclusive('unarchive', a as unknown as Record<string, unknown>, ['include', 'exclude'].filter((k) => (a[k as 'include'] ?? []).length > 0), where, false);
  if (a.copy !== undefined) {
    if (a.copy === false && (raw as Record<string, unknown>).remote_src !== undefined) throw new ParseError("unarchive: arguments 'copy' and 'remote_src' are mutually exclusive", where);
    if (a.copy === false) a.remote_src = true;
  }
  delete a.copy;
  delete a.decrypt;
  delete a.io_buffer_size;
  a.mode = parseMode('unarchive', 'mode', a.mode, where, loadTime);
  return a;
}

export type Handler = 'ZipArchive' | 'TarArchive' | 'TgzArchive' | 'TarBzipArchive' | 'TarXzArchive' | 'TarZstdArchive';

/** The handler Ansible would pick, from the archive's first bytes (hex). */
export function handlerFor(magic: string): Handler {
  if (magic.startsWith('504b')) return 'ZipArchive';
  if (magic.startsWith('1f8b')) return 'TgzArchive';
  if (magic.startsWith('425a68')) return 'TarBzipArchive';
  if (magic.startsWith('fd377a585a00')) return 'TarXzArchive';
  if (magic.startsWith('28b52ffd')) return 'TarZstdArchive';
  return 'TarArchive';
}

const ZIPFLAG: Record<Handler, string> = {
  ZipArchive: '',
  TarArchive: '',
  TgzArchive: ' -z',
  TarBzipArchive: ' -j',
  TarXzArchive: ' -J',
  TarZstdArchive: ' --use-compress-program=zstd',
};

/** Where the archive comes from: the lines that leave its path in "$a" (a temp file removed at exit). */
function acquire(a: UnarchiveArgs, url: boolean): string[] {
  const lines = [`owned=; z=; trap '[ -z "$z" ] || rm -rf "$z"; [ -z "$owned" ] || rm -f "$a"' EXIT`];
  if (a.remote_src && !url) return [...lines, `a=${quote(a.src)}`, `if [ ! -e "$a" ]; then echo 'state=missing'; exit 0; fi`];
  lines.push(`a=$(mktemp) || exit 1; owned=1`);
  if (!url) lines.push(`cat > "$a" || exit 1`);
  else {
    const k = a.validate_certs ? '' : ' -k';
    const w = a.validate_certs ? '' : ' --no-check-certificate';
    lines.push(
      `if command -v curl >/dev/null 2>&1; then curl -fsSL${k} -o "$a" -- ${quote(a.src)}; else wget -q${w} -O "$a" -- ${quote(a.src)}; fi || { echo ${quote(`Failure downloading ${a.src}`)} >&2; exit 1; }`,
    );
  }
  return lines;
}

const tarOpts = (a: UnarchiveArgs) => (a.extra_opts.length ? ` --show-transformed-names ${a.extra_opts.map((o) => quote(o)).join(' ')}` : '');
const tarCommon = (a: UnarchiveArgs, h: Handler) =>
  `${ZIPFLAG[h]}${tarOpts(a)}${a.owner ? ` --owner=${quote(a.owner)}` : ''}${a.group ? ` --group=${quote(a.group)}` : ''}` +
  `${a.keep_newer ? ' --keep-newer-files' : ''}${a.exclude.map((e) => ` --exclude=${quote(e)}`).join('')} -f "$a"${a.include.map((f) => ` ${quote(f)}`).join('')}`;

/** The extraction command, as Ansible's TgzArchive/ZipArchive.unarchive build it. */
export function extractCommand(a: UnarchiveArgs, h: Handler): string {
  if (h === 'ZipArchive') {
    const opts = a.extra_opts.map((o) => ` ${quote(o)}`).join('');
    const x = a.exclude.length ? ` -x${a.exclude.map((e) => ` ${quote(e)}`).join('')}` : '';
    return `unzip -o${opts} "$a"${a.include.map((f) => ` ${quote(f)}`).join('')}${x} -d ${quote(a.dest)}`;
  }
  return `tar --extract -C ${quote(a.dest)}${tarCommon(a, h)}`;
}

const SEP = '@@tsplay-unarchive@@';

/** The read-only probe: the archive's kind, its file list, and its differences with dest. */
export function probeScript(a: UnarchiveArgs, url: boolean): string {
  const d = quote(a.dest);
  const zipList = `unzip -Z1 "$a"${a.include.map((f) => ` ${quote(f)}`).join('')}${a.exclude.length ? ` -x${a.exclude.map((e) => ` ${quote(e)}`).join('')}` : ''}`;
  const zipCompare = [
    `z=$(mktemp -d) || exit 1`,
    `unzip -qq -o "$a"${a.include.map((f) => ` ${quote(f)}`).join('')}${a.exclude.length ? ` -x${a.exclude.map((e) => ` ${quote(e)}`).join('')}` : ''} -d "$z" >/dev/null 2>&1`,
    `(cd "$z" && find . -mindepth 1 -printf '%P\\n') | while IFS= read -r f; do`,
    `  if [ ! -e ${d}/"$f" ] && [ ! -L ${d}/"$f" ]; then echo "$f: Warning: Cannot stat: No such file or directory"; continue; fi`,
    `  if [ -d "$z/$f" ]; then [ -d ${d}/"$f" ] || echo "$f: File type differs"; continue; fi`,
    `  if ! cmp -s "$z/$f" ${d}/"$f"; then echo "$f: Contents differ"; fi`,
    a.mode ? '' : `  if [ "$(stat -c %a "$z/$f")" != "$(stat -c %a ${d}/"$f")" ]; then echo "$f: Mode differs"; fi`,
    'done; true',
  ].filter(Boolean);
  const lines = [
    ...acquire(a, url),
    `if [ ! -s "$a" ]; then echo 'state=empty'; exit 0; fi`,
    `if [ ! -d ${d} ]; then echo 'state=notdir'; exit 0; fi`,
    `echo "magic=$(head -c 6 "$a" | od -An -tx1 | tr -d ' \\n')"`,
    `case "$(head -c 2 "$a" | od -An -tx1 | tr -d ' \\n')" in`,
    `504b)`,
    `  command -v unzip >/dev/null 2>&1 || { echo 'unarchive: unzip is not installed on the target' >&2; exit 3; }`,
    `  echo ${SEP}list; ${zipList} || exit 2`,
    `  echo ${SEP}diff`,
    ...zipCompare.map((l) => `  ${l}`),
    `  ;;`,
    `*)`,
    `  echo ${SEP}list; tar -t${ZIPFLAG_AUTO}${tarOpts(a)}${a.exclude.map((e) => ` --exclude=${quote(e)}`).join('')} -f "$a"${a.include.map((f) => ` ${quote(f)}`).join('')} || exit 2`,
    `  echo ${SEP}diff; LANG=C LC_ALL=C tar --diff -C ${d}${tarCommonAuto(a)} 2>&1 || true`,
    `  ;;`,
    `esac`,
    `exit 0`,
  ];
  return lines.join('\n');
}
// tar detects the compression itself when reading a file: no flag is needed for listing and diffing.
const ZIPFLAG_AUTO = '';
const tarCommonAuto = (a: UnarchiveArgs) => tarCommon(a, 'TarArchive');

const OWNER_DIFF = /: Uid differs$/;
const GROUP_DIFF = /: Gid differs$/;
const MODE_DIFF = /: Mode differs$/;
const MTIME_DIFF = /: Mod time differs$/;
const EMPTY_FILE = /: : Warning: Cannot stat: No such file or directory$/;
const MISSING = /: Warning: Cannot stat: No such file or directory$/;
const BAD_OWNER = /: Invalid owner/;
const BAD_GROUP = /: Invalid group/;
const CONTENT_DIFF = /: (Contents|File type) differ/;

/** The difference lines that count (Ansible's TgzArchive.is_unarchived filter; running as root). */
export function differences(out: string, a: Pick<UnarchiveArgs, 'owner' | 'group' | 'mode'>, root = true): string[] {
  const keep: string[] = [];
  for (const line of out.split('\n')) {
    if (EMPTY_FILE.test(line)) continue;
    if ((root && !a.owner && OWNER_DIFF.test(line)) || (root && !a.group && GROUP_DIFF.test(line)) || (!a.mode && MODE_DIFF.test(line))) keep.push(line);
    else if (MTIME_DIFF.test(line) || MISSING.test(line) || BAD_OWNER.test(line) || BAD_GROUP.test(line) || CONTENT_DIFF.test(line)) keep.push(line);
  }
  return keep;
}

/** Ansible's files_in_archive: leading '/' dropped. */
export function filesInArchive(list: string): string[] {
  return list
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (l.startsWith('/') ? l.slice(1) : l));
}

/** The paths whose attributes unarchive manages: each listed file, and the top folders. */
export function managedPaths(files: string[]): string[] {
  const out = new Set<string>();
  for (const f of files) out.add(f.replace(/\/+$/, ''));
  for (const f of files) if (f.includes('/')) out.add(f.split('/')[0]!);
  return [...out].filter((p) => p !== '' && p !== '.');
}

async function plan(a: UnarchiveArgs, ctx: ModuleContext): Promise<Plan> {
  const url = a.remote_src && a.src.includes('://');
  if (a.creates !== undefined) {
    const r = await ctx.probe(`if [ -e ${quote(a.creates)} ]; then echo yes; fi`);
    if (r.stdout.trim() === 'yes') {
      const msg = `skipped, since ${a.creates} exists`;
      return { steps: [], msg, result: { skipped: true, msg } };
    }
  }
  let stdin: Buffer | undefined;
  if (!a.remote_src) {
    let local: string;
    try {
      local = ctx.findLocalFile('files', a.src);
    } catch (e) {
      if (e instanceof TsplayError) return { steps: [], failed: true, msg: `Source '${a.src}' failed to transfer: ${e.message}` };
      throw e;
    }
    if (!statSync(local).isFile()) return { steps: [], failed: true, msg: `Source '${a.src}' is not a file` };
    stdin = readFileSync(local);
  }
  const r = await ctx.probe(probeScript(a, url), stdin ? { stdin } : {});
  const out = r.stdout;
  const state = /^state=(\w+)$/m.exec(out)?.[1];
  if (state === 'missing') return { steps: [], failed: true, msg: `Source '${a.src}' does not exist` };
  if (state === 'empty') return { steps: [], failed: true, msg: `Invalid archive '${a.src}', the file is 0 bytes` };
  if (state === 'notdir') return { steps: [], failed: true, msg: `Destination '${a.dest}' is not a directory` };
  if (r.rc !== 0) {
    const why = r.stderr.trim().split('\n').pop() || `rc ${r.rc}`;
    return { steps: [], failed: true, msg: r.rc === 2 ? `Failed to find handler for "${a.src}". Make sure the required command to extract the file is installed. ${why}` : why };
  }
  const handler = handlerFor(/^magic=(\w*)$/m.exec(out)?.[1] ?? '');
  const listStart = out.indexOf(`${SEP}list\n`) + `${SEP}list\n`.length;
  const diffStart = out.indexOf(`${SEP}diff\n`);
  const files = filesInArchive(out.slice(listStart, diffStart));
  const diffs = differences(out.slice(diffStart + `${SEP}diff\n`.length), a);
  const unarchived = diffs.length === 0;

  const result: Record<string, unknown> = { handler, dest: a.dest, src: a.src };
  if (a.list_files) result.files = files;
  const steps: Step[] = [];
  if (!unarchived) {
    const extract = extractCommand(a, handler);
    steps.push({ cmd: [...acquire(a, url), `${extract}`].join('\n'), stdin });
  }
  // Ansible sets mode/owner/group on every listed path (and the top folders) after unpacking.
  let attrsDiffer = false;
  if (a.mode !== undefined || a.owner !== undefined || a.group !== undefined) {
    const paths = managedPaths(files).map((f) => posix.join(a.dest, f));
    if (unarchived) {
      const stats = await statEach(ctx, paths);
      const cmds: string[] = [];
      stats.forEach((st) => {
        if (!st.exists) return;
        cmds.push(...attributeSteps(st.path, st, { mode: a.mode, owner: a.owner, group: a.group }).steps.map((s) => s.cmd));
      });
      if (cmds.length > 0) (attrsDiffer = true), steps.push({ cmd: cmds.join(' &&\n') });
    } else if (paths.length > 0) {
      const own = ownership(a.owner, a.group);
      const words = paths.map((p) => quote(p)).join(' ');
      const cmds = [own ? `${own.replace(/^(chown|chgrp)/, '$1 -h')} -- ${words}` : '', a.mode ? `chmod ${quote(a.mode)} -- ${words}` : ''].filter(Boolean);
      steps.push({ cmd: cmds.join(' &&\n') });
    }
  }
  return {
    steps,
    changed: !unarchived || attrsDiffer,
    result,
    finish(results, base) {
      const ex = unarchived ? undefined : results[0];
      if (ex) base.extract_results = { cmd: extractCommand(a, handler).replace('"$a"', a.src), rc: ex.rc, out: ex.stdout, err: ex.stderr };
      if (ex && ex.rc !== 0) return { ...base, changed: false, failed: true, msg: `failed to unpack ${a.src} to ${a.dest}` };
      const bad = results.find((x) => x.rc !== 0);
      if (bad) return { ...base, failed: true, msg: bad.stderr.trim() || `rc ${bad.rc}` };
      return base;
    },
  };
}

/** stat (no follow) of many paths in one round trip; each with its path. */
async function statEach(ctx: ModuleContext, paths: string[]) {
  const script =
    'echo umask=$(umask)\n' +
    paths
      .map(
        (p) =>
          `if [ -e ${quote(p)} ] || [ -L ${quote(p)} ]; then echo exists=1; [ -L ${quote(p)} ] && echo link=1; [ -d ${quote(p)} ] && [ ! -L ${quote(p)} ] && echo dir=1; ` +
          `[ -f ${quote(p)} ] && [ ! -L ${quote(p)} ] && echo file=1; stat --printf 'mode=%a\\nuid=%u\\ngid=%g\\nowner=%U\\ngroup=%G\\n' -- ${quote(p)}; else echo exists=0; fi; echo ${SEP}`,
      )
      .join('\n');
  const r = await ctx.probe(script);
  if (r.rc !== 0) throw new TsplayError(`unarchive: cannot stat the unpacked files: ${r.stderr.trim() || `rc ${r.rc}`}`);
  const umask = /^umask=(\d+)/.exec(r.stdout)?.[1] ?? '0022';
  const body = r.stdout.slice(r.stdout.indexOf('\n') + 1);
  return body
    .split(`${SEP}\n`)
    .slice(0, paths.length)
    .map((chunk, i) => ({ ...parseStat(`umask=${umask}\n${chunk}`), path: paths[i]! }));
}

export const unarchiveModule: ModuleDef<UnarchiveArgs> = { name: 'unarchive', targetPaths: ['dest', 'creates', { arg: 'src', when: 'remote_src' }], selinuxArgs: true, parse, plan };
