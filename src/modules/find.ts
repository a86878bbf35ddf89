import { posix } from 'node:path';
import { ParseError, TsplayError, type Source } from '../errors.js';
import { globToRegExp } from '../util/glob.js';
import { quote } from '../util/quote.js';
import { parseArgs, unrendered, type ArgSpecs } from './args.js';
import { pythonRegExp } from '../util/py-regex.js';
import type { ModuleContext, ModuleDef, Plan } from './types.js';

/** find: files matching criteria under paths on the target (GNU find lists, the rules apply here). Read-only. */
export interface FindArgs {
  paths: string[];
  patterns: string[];
  excludes?: string[];
  contains?: string;
  read_whole_file: boolean;
  file_type: 'any' | 'directory' | 'file' | 'link';
  age?: string;
  age_stamp: 'atime' | 'ctime' | 'mtime';
  size?: string;
  recurse: boolean;
  hidden: boolean;
  follow: boolean;
  get_checksum: boolean;
  use_regex: boolean;
  depth?: number;
}

const specs: ArgSpecs = {
  paths: { type: 'list', elements: 'str', required: true, aliases: ['name', 'path'] },
  patterns: { type: 'list', elements: 'str', default: [], aliases: ['pattern'] },
  excludes: { type: 'list', elements: 'str', aliases: ['exclude'] },
  contains: { type: 'str' },
  read_whole_file: { type: 'bool', default: false },
  file_type: { type: 'str', default: 'file', choices: ['any', 'directory', 'file', 'link'] },
  age: { type: 'str' },
  age_stamp: { type: 'str', default: 'mtime', choices: ['atime', 'ctime', 'mtime'] },
  size: { type: 'str' },
  recurse: { type: 'bool', default: false },
  hidden: { type: 'bool', default: false },
  follow: { type: 'bool', default: false },
  get_checksum: { type: 'bool', default: false },
  use_regex: { type: 'bool', default: false },
  depth: { type: 'int' },
};

const AGE_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** '2d' → 172800, '-1w' → -604800 (seconds); Ansible's rules (a bare number is seconds). */
export function parseAge(age: string): number | undefined {
  const m = /^(-?\d+)(s|m|h|d|w)?$/.exec(age.toLowerCase());
  return m ? Number(m[1]) * AGE_UNITS[m[2] ?? 's']! : undefined;
}
/** '10m' → 10485760, '-1k' → -1024 (bytes). */
export function parseSize(size: string): number | undefined {
  const m = /^(-?\d+)(b|k|m|g|t)?$/.exec(size.toLowerCase());
  return m ? Number(m[1]) * SIZE_UNITS[m[2] ?? 'b']! : undefined;
}

function parse(raw: unknown, where: Source, loadTime: boolean): FindArgs {
  const a = parseArgs<FindArgs>('find', specs, raw, where, loadTime);
  if (a.age !== undefined && !unrendered(a.age, loadTime) && parseAge(a.age) === undefined) throw new ParseError(`find: failed to process age ${JSON.stringify(a.age)}`, where);
  if (a.size !== undefined && !unrendered(a.size, loadTime) && parseSize(a.size) === undefined) throw new ParseError(`find: failed to process size ${JSON.stringify(a.size)}`, where);
  if (a.use_regex && !loadTime) {
    for (const p of [...a.patterns, ...(a.excludes ?? [])]) {
      try {
        pythonRegExp(p);
      } catch (e) {
        throw new ParseError(`find: pattern ${JSON.stringify(p)} is not a valid regular expression: ${(e as Error).message}`, where);
      }
    }
  }
  return a;
}

/** One entry as GNU find's -printf below describes it. */
export interface Entry {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  owner: string;
  group: string;
  size: number;
  inode: number;
  dev: number;
  nlink: number;
  atime: number;
  mtime: number;
  ctime: number;
  path: string;
}

const FORMAT = '%y\\t%m\\t%U\\t%G\\t%u\\t%g\\t%s\\t%i\\t%D\\t%n\\t%A@\\t%T@\\t%C@\\t%p\\0';

/** The listing script: per path, "dir" or "notdir", then NUL-terminated entries; the controller's clock is not used. */
export function listScript(a: FindArgs): string {
  const maxdepth = a.recurse ? (a.depth ? ` -maxdepth ${a.depth}` : '') : ' -maxdepth 1';
  const lines = ['date +now=%s'];
  for (const p of a.paths) {
    const q = quote(p);
    lines.push(`if [ -d ${q} ]; then printf 'path\\0'; find ${a.follow ? '-L ' : ''}${q} -mindepth 1${maxdepth} -printf '${FORMAT}' 2>/dev/null; printf 'end\\0'; else printf 'notdir\\0'; fi`);
  }
  return lines.join('\n');
}

export function parseListing(out: string, paths: string[]): { now: number; lists: (Entry[] | undefined)[] } {
  const nl = out.indexOf('\n');
  const now = Number(/now=(\d+)/.exec(out.slice(0, nl))?.[1] ?? Date.now() / 1000);
  const records = out.slice(nl + 1).split('\0');
  const lists: (Entry[] | undefined)[] = [];
  let current: Entry[] | undefined;
  for (const rec of records) {
    if (rec === 'notdir') lists.push(undefined);
    else if (rec === 'path') current = [];
    else if (rec === 'end') lists.push(current ?? []), (current = undefined);
    else if (current && rec !== '') {
      const f = rec.split('\t');
      if (f.length < 14) continue;
      current.push({
        type: f[0]!,
        mode: Number.parseInt(f[1]!, 8),
        uid: Number(f[2]),
        gid: Number(f[3]),
        owner: f[4]!,
        group: f[5]!,
        size: Number(f[6]),
        inode: Number(f[7]),
        dev: Number(f[8]),
        nlink: Number(f[9]),
        atime: Number(f[10]),
        mtime: Number(f[11]),
        ctime: Number(f[12]),
        path: posix.normalize(f.slice(13).join('\t')),
      });
    }
  }
  while (lists.length < paths.length) lists.push(undefined);
  return { now, lists };
}

/** Ansible's pfilter: the basename against patterns (fnmatch or re.match), minus excludes. */
export function nameMatches(name: string, a: Pick<FindArgs, 'patterns' | 'excludes' | 'use_regex'>): boolean {
  const patterns = a.patterns.length ? a.patterns : [a.use_regex ? '.*' : '*'];
  const test = (p: string) => (a.use_regex ? pythonRegExp(p, '', true).test(name) : globToRegExp(p).test(name));
  if (!patterns.some(test)) return false;
  return !(a.excludes ?? []).some(test);
}

/** Which entries Ansible would keep (before the content and checksum checks, which need the target). */
export function selectEntries(entries: Entry[], a: FindArgs, now: number): Entry[] {
  const age = a.age !== undefined ? parseAge(a.age)! : undefined;
  const size = a.size !== undefined ? parseSize(a.size)! : undefined;
  const ageOk = (e: Entry) => age === undefined || (age >= 0 ? now - e[a.age_stamp] >= Math.abs(age) : now - e[a.age_stamp] <= Math.abs(age));
  const sizeOk = (e: Entry) => size === undefined || (size >= 0 ? e.size >= Math.abs(size) : e.size <= Math.abs(size));
  return entries.filter((e) => {
    const name = posix.basename(e.path);
    if (name.startsWith('.') && !a.hidden) return false;
    if (!nameMatches(name, a) || !ageOk(e)) return false;
    if (a.file_type === 'any') return e.type !== 'f' || sizeOk(e);
    if (a.file_type === 'directory') return e.type === 'd';
    if (a.file_type === 'link') return e.type === 'l';
    return e.type === 'f' && sizeOk(e);
  });
}

/** The stat fields Ansible's find returns for each file. */
export function statInfo(e: Entry): Record<string, unknown> {
  const m = e.mode;
  return {
    path: e.path,
    mode: (m & 0o7777).toString(8).padStart(4, '0'),
    isdir: e.type === 'd',
    ischr: e.type === 'c',
    isblk: e.type === 'b',
    isreg: e.type === 'f',
    isfifo: e.type === 'p',
    islnk: e.type === 'l',
    issock: e.type === 's',
    uid: e.uid,
    gid: e.gid,
    size: e.size,
    inode: e.inode,
    dev: e.dev,
    nlink: e.nlink,
    atime: e.atime,
    mtime: e.mtime,
    ctime: e.ctime,
    gr_name: e.group === String(e.gid) ? '' : e.group,
    pw_name: e.owner === String(e.uid) ? '' : e.owner,
    wusr: !!(m & 0o200), rusr: !!(m & 0o400), xusr: !!(m & 0o100),
    wgrp: !!(m & 0o20), rgrp: !!(m & 0o40), xgrp: !!(m & 0o10),
    woth: !!(m & 0o2), roth: !!(m & 0o4), xoth: !!(m & 0o1),
    isuid: !!(m & 0o4000), isgid: !!(m & 0o2000),
  };
}

/** Per file: '1' when it contains the pattern (grep -P: Perl regexps, close to Python's), its SHA-1 when asked. */
function detailScript(files: Entry[], a: FindArgs): string {
  const lines: string[] = [];
  for (const f of files) {
    const q = quote(f.path);
    const parts: string[] = [];
    if (a.contains !== undefined && f.type === 'f') {
      const grep = a.read_whole_file ? `grep -qPz -e ${quote(a.contains)} -- ${q}` : `grep -qP -e ${quote(`^(?:${a.contains})`)} -- ${q}`;
      parts.push(`if ${grep} 2>/dev/null; then c=1; else c=0; fi`);
    } else parts.push('c=1');
    if (a.get_checksum && f.type === 'f') parts.push(`s=$(sha1sum < ${q} 2>/dev/null | cut -d' ' -f1)`);
    else parts.push('s=');
    parts.push(`printf '%s %s\\n' "$c" "$s"`);
    lines.push(parts.join('; '));
  }
  return lines.join('\n');
}

async function plan(a: FindArgs, ctx: ModuleContext): Promise<Plan> {
  const r = await ctx.probe(listScript(a));
  if (r.rc !== 0) throw new TsplayError(`find: cannot list ${a.paths.join(', ')}: ${r.stderr.trim() || `rc ${r.rc}`}`);
  const { now, lists } = parseListing(r.stdout, a.paths);
  const skipped: Record<string, string> = {};
  const warnings: string[] = [];
  let examined = 0;
  let selected: Entry[] = [];
  lists.forEach((entries, i) => {
    const p = a.paths[i]!;
    if (!entries) {
      skipped[p] = `'${p}' is not a directory`;
      warnings.push(`Skipped '${p}' path due to this access issue: ${skipped[p]}`);
      return;
    }
    examined += entries.length;
    selected.push(...selectEntries(entries, a, now));
  });
  const needDetail = selected.filter((e) => e.type === 'f' && (a.contains !== undefined || a.get_checksum));
  const detail = new Map<Entry, { contains: boolean; checksum?: string }>();
  if (needDetail.length > 0) {
    const d = await ctx.probe(detailScript(needDetail, a));
    const rows = d.stdout.split('\n');
    needDetail.forEach((e, i) => {
      const [c, s] = (rows[i] ?? '0 ').split(' ');
      detail.set(e, { contains: c === '1', checksum: s || undefined });
    });
  }
  if (a.contains !== undefined && a.file_type === 'file') selected = selected.filter((e) => detail.get(e)?.contains);
  const files = selected.map((e) => {
    const info = statInfo(e);
    const sum = detail.get(e)?.checksum;
    if (sum) info.checksum = sum;
    return info;
  });
  const msg = warnings.length > 0 ? 'Not all paths examined, check warnings for details' : 'All paths examined';
  const result: Record<string, unknown> = { files, matched: files.length, examined, msg, skipped_paths: skipped };
  if (warnings.length > 0) result.warnings = warnings;
  return { steps: [], msg, result };
}

export const findModule: ModuleDef<FindArgs> = { name: 'find', targetPaths: ['paths'], parse, plan };
