import { TsplayError } from '../errors.js';
import type { ModuleContext } from '../modules/types.js';
import { quote } from '../util/quote.js';

/** What one `stat` of a path on the target tells (lstat semantics unless `follow`). */
export interface FileStat {
  exists: boolean;
  isFile: boolean;
  isDir: boolean;
  isLink: boolean;
  /** Permission bits as four octal digits, e.g. '0644' ('4755' with setuid). */
  mode?: string;
  owner?: string;
  group?: string;
  uid?: number;
  gid?: number;
  size?: number;
  /** Seconds since the epoch (fractional, as Ansible's stat gives them). */
  mtime?: number;
  atime?: number;
  ctime?: number;
  /** Hard links to the inode. */
  nlink?: number;
  /** SHA-1 of the content (regular files, when asked for). */
  sha1?: string;
  /** Where a symbolic link points (as written in the link). */
  linkTarget?: string;
  /** Inode and device numbers: two paths with the same pair are hard links of each other. */
  inode?: number;
  dev?: number;
  /** The umask of the shell that probed (octal, e.g. '0022'): new files get 0666 minus it. */
  umask?: string;
}

export interface StatOptions {
  /** Compute the SHA-1 of a regular file. */
  checksum?: boolean;
  /** Follow a symbolic link and describe what it points to (isLink still tells it was a link). */
  follow?: boolean;
}

/** What a file fact needs: the probe, and under --check the host's predicted overlay (predicted.ts). */
type Probe = Pick<ModuleContext, 'probe' | 'predicted'>;

/** The sh script behind statFile: prints key=value lines, one round trip, coreutils only. */
export function statScript(path: string, opts: StatOptions = {}): string {
  const p = quote(path);
  const file = opts.follow ? `[ -f ${p} ]` : `[ ! -L ${p} ] && [ -f ${p} ]`;
  const dir = opts.follow ? `[ -d ${p} ]` : `[ ! -L ${p} ] && [ -d ${p} ]`;
  return [
    `echo umask=$(umask)`,
    `if [ ! -e ${p} ] && [ ! -L ${p} ]; then echo exists=0; exit 0; fi`,
    `echo exists=1`,
    `if [ -L ${p} ]; then echo link=1; printf 'target=%s\\n' "$(readlink -- ${p})"; fi`,
    `if ${file}; then echo file=1; fi`,
    `if ${dir}; then echo dir=1; fi`,
    // A dangling link followed has nothing to stat: describe the link itself.
    opts.follow ? `if [ -e ${p} ]; then L=-L; else L=; fi` : 'L=',
    `stat $L --printf 'mode=%a\\nuid=%u\\ngid=%g\\nowner=%U\\ngroup=%G\\nsize=%s\\nmtime=%.9Y\\natime=%.9X\\nctime=%.9Z\\nnlink=%h\\ninode=%i\\ndev=%d\\n' -- ${p} || exit 1`,
    opts.checksum ? `if ${file}; then printf 'sha1=%s\\n' "$(sha1sum < ${p} | cut -d' ' -f1)"; fi` : ':',
  ].join('\n');
}

/** A one-line `stat` of a path known to exist (its output parses with parseStat): attributes after a write. */
export function statLineScript(path: string): string {
  return `printf 'exists=1\\nfile=1\\n'; stat -L --printf 'mode=%a\\nuid=%u\\ngid=%g\\nowner=%U\\ngroup=%G\\nsize=%s\\n' -- ${quote(path)}`;
}

/** Parse the key=value output of statScript. */
export function parseStat(output: string): FileStat {
  const kv = new Map<string, string>();
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const exists = kv.get('exists') === '1';
  const st: FileStat = { exists, isFile: kv.get('file') === '1', isDir: kv.get('dir') === '1', isLink: kv.get('link') === '1' };
  if (kv.has('umask')) st.umask = kv.get('umask')!.padStart(4, '0');
  if (!exists) return st;
  const num = (k: string): number | undefined => (kv.has(k) ? Number(kv.get(k)) : undefined);
  const mode = kv.get('mode');
  if (mode !== undefined) st.mode = mode.padStart(4, '0');
  if (kv.has('owner')) st.owner = kv.get('owner');
  if (kv.has('group')) st.group = kv.get('group');
  st.uid = num('uid');
  st.gid = num('gid');
  st.size = num('size');
  st.mtime = num('mtime');
  st.atime = num('atime');
  st.ctime = num('ctime');
  st.nlink = num('nlink');
  if (kv.get('sha1')) st.sha1 = kv.get('sha1');
  if (kv.has('target')) st.linkTarget = kv.get('target');
  st.inode = num('inode');
  st.dev = num('dev');
  return st;
}

/** Stat a path on the target in one round trip. */
export async function statFile(ctx: Probe, path: string, opts: StatOptions = {}): Promise<FileStat> {
  const r = await ctx.probe(statScript(path, opts));
  if (r.rc !== 0) throw new TsplayError(`cannot stat ${path}: ${r.stderr.trim() || `rc ${r.rc}`}`);
  const st = parseStat(r.stdout);
  return ctx.predicted ? ctx.predicted.stat(path, st) : st;
}

const SEPARATOR = '--tsplay-stat--';

/** Stat several paths in one round trip (each as statFile would). */
export async function statFiles(ctx: Probe, paths: string[], opts: StatOptions = {}): Promise<FileStat[]> {
  if (paths.length === 0) return [];
  const script = paths.map((p) => `(\n${statScript(p, opts)}\n) || exit 1; echo ${SEPARATOR}`).join('\n');
  const r = await ctx.probe(script);
  if (r.rc !== 0) throw new TsplayError(`cannot stat ${paths.join(', ')}: ${r.stderr.trim() || `rc ${r.rc}`}`);
  const parts = r.stdout.split(`${SEPARATOR}\n`);
  return paths.map((p, i) => {
    const st = parseStat(parts[i] ?? '');
    return ctx.predicted ? ctx.predicted.stat(p, st) : st;
  });
}

/** Stat a path and, when it is a regular file, read its content — one round trip (for edit-in-place modules). */
export async function statAndRead(ctx: Probe, path: string, opts: StatOptions = {}): Promise<{ stat: FileStat; content?: Buffer }> {
  const p = quote(path);
  const r = await ctx.probe(`(\n${statScript(path, opts)}\n) || exit 1; echo ${SEPARATOR}; if [ -f ${p} ]; then echo content; base64 < ${p} || exit 1; fi`);
  if (r.rc !== 0) throw new TsplayError(`cannot read ${path}: ${r.stderr.trim() || `rc ${r.rc}`}`);
  const [head, body = ''] = r.stdout.split(`${SEPARATOR}\n`);
  const real = parseStat(head ?? '');
  if (ctx.predicted?.covers(path)) {
    // what an earlier task would have written (--check): its content when kept, else unknown
    const stat = ctx.predicted.stat(path, real);
    const content = ctx.predicted.content(path);
    return content !== undefined && stat.isFile ? { stat, content } : { stat };
  }
  const stat = real;
  if (!body.startsWith('content\n')) return { stat };
  return { stat, content: Buffer.from(body.slice('content\n'.length).replace(/\s+/g, ''), 'base64') };
}

/** Read a file on the target as raw bytes (base64 over the channel); undefined when it does not exist. */
export async function readRemoteBytes(ctx: Probe, path: string, maxBytes?: number): Promise<Buffer | undefined> {
  const p = quote(path);
  const reader = maxBytes !== undefined ? `head -c ${Math.max(0, Math.floor(maxBytes))} ${p}` : `cat ${p}`;
  const r = await ctx.probe(
    `if [ ! -e ${p} ]; then echo missing; exit 0; fi; ` +
      `if [ -d ${p} ]; then echo 'is a directory' >&2; exit 1; fi; ` +
      `if [ ! -r ${p} ]; then echo 'permission denied' >&2; exit 1; fi; ` +
      `echo present; ${reader} | base64`,
  );
  if (r.rc !== 0) throw new TsplayError(`cannot read ${path}: ${r.stderr.trim() || `rc ${r.rc}`}`);
  const nl = r.stdout.indexOf('\n');
  const head = nl < 0 ? r.stdout.trim() : r.stdout.slice(0, nl);
  if (head === 'missing') return undefined;
  if (head !== 'present') throw new TsplayError(`cannot read ${path}: unexpected output`);
  return Buffer.from(r.stdout.slice(nl + 1).replace(/\s+/g, ''), 'base64');
}

/** Read a text file on the target (UTF-8); undefined when it does not exist. */
export async function readRemoteFile(ctx: Probe, path: string, maxBytes?: number): Promise<string | undefined> {
  const bytes = await readRemoteBytes(ctx, path, maxBytes);
  return bytes?.toString('utf8');
}
