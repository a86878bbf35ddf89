import type { Source } from '../errors.js';
import { TsplayError } from '../errors.js';
import { quote } from '../util/quote.js';
import { parseArgs, type ArgSpecs } from './args.js';
import type { ModuleContext, ModuleDef, Plan } from './types.js';

export interface StatArgs {
  path: string;
  follow: boolean;
  get_checksum: boolean;
  checksum_algorithm: 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'md5';
  get_mime: boolean;
  get_attributes: boolean;
}

const specs: ArgSpecs = {
  path: { type: 'path', required: true, aliases: ['dest', 'name'] },
  follow: { type: 'bool', default: false },
  get_checksum: { type: 'bool', default: true },
  checksum_algorithm: { type: 'str', default: 'sha1', choices: ['sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'md5'], aliases: ['checksum', 'checksum_algo'] },
  get_mime: { type: 'bool', default: true, aliases: ['mime', 'mime_type', 'mime-type'] },
  get_attributes: { type: 'bool', default: true, aliases: ['attr', 'attributes'] },
};

export function parseStatArgs(raw: unknown, where: Source, loadTime: boolean): StatArgs {
  return parseArgs<StatArgs>('stat', specs, raw, where, loadTime);
}

/** lsattr's flag letters, as Ansible names them (module_utils/common/file.py FILE_ATTRIBUTES). */
const FILE_ATTRIBUTES: Record<string, string> = {
  A: 'noatime', a: 'append', c: 'compressed', C: 'nocow', d: 'nodump', D: 'dirsync', e: 'extents', E: 'encrypted', h: 'blocksize',
  i: 'immutable', I: 'indexed', j: 'journalled', N: 'inline', s: 'zero', S: 'synchronous', t: 'notail', T: 'blockroot',
  u: 'undelete', X: 'compressedraw', Z: 'compresseddirty',
};

/**
 * One sh probe with POSIX tools (coreutils stat, file, sha1sum…, lsattr when there): key=value lines.
 * lstat unless `follow` (then a dangling link does not exist, as os.stat says).
 */
export function statModuleScript(a: StatArgs): string {
  const p = quote(a.path);
  const missing = a.follow ? `[ ! -e ${p} ]` : `[ ! -e ${p} ] && [ ! -L ${p} ]`;
  return [
    `if ${missing}; then echo exists=0; exit 0; fi`,
    'echo exists=1',
    `stat ${a.follow ? '-L ' : ''}--printf 'mode=%a\\nftype=%F\\nuid=%u\\ngid=%g\\nowner=%U\\ngroup=%G\\nsize=%s\\nmtime=%.9Y\\natime=%.9X\\nctime=%.9Z\\nnlink=%h\\ninode=%i\\ndev=%d\\nblocks=%b\\nblock_size=%o\\nrdev=%r\\n' -- ${p} || exit 1`,
    a.follow ? ':' : `if [ -L ${p} ]; then printf 'lnk_target=%s\\n' "$(readlink -- ${p})"; printf 'lnk_source=%s\\n' "$(readlink -m -- ${p})"; fi`,
    `[ -r ${p} ] && echo readable=1; [ -w ${p} ] && echo writeable=1; [ -x ${p} ] && echo executable=1`,
    a.get_mime ? `command -v file >/dev/null 2>&1 && printf 'mime=%s\\n' "$(file ${a.follow ? '-L ' : ''}--mime-type --mime-encoding -- ${p} 2>/dev/null)"` : ':',
    a.get_checksum
      ? `if [ -r ${p} ] && [ -f ${p} ]${a.follow ? '' : ` && [ ! -L ${p} ]`}; then printf 'checksum=%s\\n' "$(${a.checksum_algorithm}sum < ${p} | cut -d' ' -f1)"; fi`
      : ':',
    a.get_attributes ? `command -v lsattr >/dev/null 2>&1 && printf 'lsattr=%s\\n' "$(lsattr -vd -- ${p} 2>/dev/null)"` : ':',
    'exit 0',
  ].join('\n');
}

const TYPES: Record<string, string> = {
  'regular file': 'isreg', 'regular empty file': 'isreg', directory: 'isdir', 'symbolic link': 'islnk', fifo: 'isfifo',
  socket: 'issock', 'character special file': 'ischr', 'block special file': 'isblk',
};

/** The probe's output as Ansible's stat result (`stat:`), field for field. */
export function statResult(a: StatArgs, output: string): Record<string, unknown> {
  const kv = new Map<string, string>();
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && !kv.has(line.slice(0, eq))) kv.set(line.slice(0, eq), line.slice(eq + 1));
  }
  if (kv.get('exists') !== '1') return { exists: false };
  const num = (k: string): number => Number(kv.get(k));
  const bits = Number.parseInt(kv.get('mode') ?? '0', 8);
  const type = TYPES[kv.get('ftype') ?? ''];
  const out: Record<string, unknown> = {
    exists: true,
    path: a.path,
    mode: (bits & 0o7777).toString(8).padStart(4, '0'),
    isdir: false, ischr: false, isblk: false, isreg: false, isfifo: false, islnk: false, issock: false,
    uid: num('uid'),
    gid: num('gid'),
    size: num('size'),
    inode: num('inode'),
    dev: num('dev'),
    nlink: num('nlink'),
    atime: num('atime'),
    mtime: num('mtime'),
    ctime: num('ctime'),
    wusr: !!(bits & 0o200), rusr: !!(bits & 0o400), xusr: !!(bits & 0o100),
    wgrp: !!(bits & 0o020), rgrp: !!(bits & 0o040), xgrp: !!(bits & 0o010),
    woth: !!(bits & 0o002), roth: !!(bits & 0o004), xoth: !!(bits & 0o001),
    isuid: !!(bits & 0o4000), isgid: !!(bits & 0o2000),
    blocks: num('blocks'),
    block_size: num('block_size'),
    readable: kv.has('readable'),
    writeable: kv.has('writeable'),
    executable: kv.has('executable'),
  };
  if (type) out[type] = true;
  out.device_type = num('rdev');
  // UNKNOWN is what stat prints for an id with no name; Ansible leaves the name out then
  if (kv.get('owner') !== 'UNKNOWN') out.pw_name = kv.get('owner');
  if (kv.get('group') !== 'UNKNOWN') out.gr_name = kv.get('group');
  if (out.islnk) {
    out.lnk_source = kv.get('lnk_source');
    out.lnk_target = kv.get('lnk_target');
  }
  if (kv.has('checksum') && out.isreg) out.checksum = kv.get('checksum');
  if (a.get_mime) {
    // `file` prints "PATH: TYPE; charset=CS", split as Ansible splits it
    out.mimetype = 'unknown';
    out.charset = 'unknown';
    const mime = kv.get('mime');
    const m = mime === undefined ? null : /:\s*([^:;]*);\s*charset=(\S+)\s*$/.exec(mime);
    if (m) {
      out.mimetype = m[1]!.trim();
      out.charset = m[2]!.trim();
    }
  }
  if (a.get_attributes) {
    out.version = null;
    out.attributes = [];
    out.attr_flags = '';
    const m = /^\s*(\d+)\s+(\S+)\s/.exec(kv.get('lsattr') ?? '');
    if (m) {
      out.version = m[1];
      out.attr_flags = m[2]!.replace(/-/g, '');
      out.attributes = [...(out.attr_flags as string)].map((f) => FILE_ATTRIBUTES[f]).filter(Boolean);
    }
  }
  return out;
}

/** Read-only: one probe, never changed; the fields are Ansible's stat's. */
export async function planStat(args: StatArgs, ctx: ModuleContext): Promise<Plan> {
  const r = await ctx.probe(statModuleScript(args));
  if (r.rc !== 0) throw new TsplayError(`cannot stat ${args.path}: ${r.stderr.trim() || `rc ${r.rc}`}`);
  return { steps: [], result: { stat: statResult(args, r.stdout) } };
}

export const statModule: ModuleDef<StatArgs> = {
  targetPaths: ['path'],
  name: 'stat',
  parse: parseStatArgs,
  plan: planStat,
};
