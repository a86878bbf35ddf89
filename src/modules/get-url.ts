import { posix } from 'node:path';
import { ParseError, TsplayError, type Source } from '../errors.js';
import { statFiles } from '../facts/file.js';
import { quote } from '../util/quote.js';
import { parseArgs, unrendered, type ArgSpecs } from './args.js';
import { backupName, ownership } from './atomic-write.js';
import { applyMode, attributeSteps, octal, parseMode } from './file-attrs.js';
import type { ExecResult } from '../connection/types.js';
import type { ModuleContext, ModuleDef, Outcome, Plan, Step } from './types.js';
import { cfgQuote } from './uri.js';
import { SELINUX_SPECS } from './selinux-args.js';

/**
 * get_url: download a URL on the target with its `curl` (or `wget`), into a temp file, check the
 * `checksum`, then renamed over dest (the temp file sits beside it) only when its SHA-1 differs.
 * Credentials and headers reach the tool through a config on stdin, never argv.
 */
export interface GetUrlArgs {
  url: string;
  dest: string;
  backup: boolean;
  checksum: string;
  force: boolean;
  timeout: number;
  headers: Record<string, unknown>;
  tmp_dest?: string;
  url_username?: string;
  url_password?: string;
  force_basic_auth: boolean;
  validate_certs: boolean;
  use_proxy: boolean;
  http_agent: string;
  client_cert?: string;
  client_key?: string;
  mode?: string;
  owner?: string;
  group?: string;
}

const specs: ArgSpecs = {
  ...SELINUX_SPECS,
  url: { type: 'str', required: true },
  dest: { type: 'path', required: true },
  backup: { type: 'bool', default: false },
  checksum: { type: 'str', default: '' },
  force: { type: 'bool', default: false, aliases: ['thirsty'] },
  timeout: { type: 'int', default: 10 },
  headers: { type: 'dict', default: {} },
  tmp_dest: { type: 'path' },
  url_username: { type: 'str', aliases: ['username'] },
  url_password: { type: 'str', aliases: ['password'] },
  force_basic_auth: { type: 'bool', default: false },
  validate_certs: { type: 'bool', default: true },
  use_proxy: { type: 'bool', default: true },
  http_agent: { type: 'str', default: 'ansible-httpget' },
  client_cert: { type: 'path' },
  client_key: { type: 'path' },
  mode: { type: 'raw' },
  owner: { type: 'str' },
  group: { type: 'str' },
};

const ALGORITHMS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
const isUrl = (s: string) => /^(https?|ftp|file):\/\//i.test(s);

function parse(raw: unknown, where: Source, loadTime: boolean): GetUrlArgs {
  const a = parseArgs<GetUrlArgs>('get_url', specs, raw, where, loadTime);
  a.mode = parseMode('get_url', 'mode', a.mode, where, loadTime);
  if (!unrendered(a.url, loadTime) && !/^(https?|ftp):\/\//i.test(a.url)) {
    throw new ParseError(`get_url: argument 'url' must start with http://, https:// or ftp://, got ${JSON.stringify(a.url)}`, where);
  }
  if (a.checksum && !unrendered(a.checksum, loadTime)) {
    const colon = a.checksum.indexOf(':');
    if (colon < 0) throw new ParseError('get_url: The checksum parameter has to be in format <algorithm>:<checksum>', where);
    const algo = a.checksum.slice(0, colon);
    if (!ALGORITHMS.includes(algo)) throw new ParseError(`get_url: checksum algorithm must be one of ${ALGORITHMS.join(', ')}, got ${JSON.stringify(algo)}`, where);
    const value = a.checksum.slice(colon + 1);
    if (!isUrl(value) && !/^[0-9a-fA-F]+$/.test(value.replace(/\W+/g, ''))) throw new ParseError('get_url: The checksum format is invalid', where);
  }
  for (const [k, v] of Object.entries(a.headers)) {
    if (/[\r\n]/.test(`${k}${String(v ?? '')}`)) throw new ParseError(`get_url: argument 'headers.${k}' must not contain a newline`, where);
  }
  return a;
}

/** Ansible's url_filename: the last path segment of the URL, unquoted; 'index.html' when empty. */
export function urlFilename(url: string): string {
  const path = new URL(url).pathname;
  const name = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  return name || 'index.html';
}

/** Find the hash for `filename` in a checksum file (one bare hash, or `HASH  name` / `HASH *name` lines). */
export function checksumFromFile(text: string, filename: string): string | undefined {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, '')).filter((l, i, all) => l !== '' || i < all.length - 1);
  if (lines.length === 1 && lines[0]!.trim().split(/\s+/).length === 1) return lines[0]!.trim();
  for (const line of lines) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    let name = line.slice(sp + 1);
    if (name.startsWith(' ') || name.startsWith('*')) name = name.slice(1);
    name = name.replace(/^[./]+/, '');
    if (name === filename) return line.slice(0, sp);
  }
  return undefined;
}

/** curl's config (stdin): the URL, headers, credentials and TLS options of the request. */
export function curlConfig(a: GetUrlArgs, url = a.url): string {
  const cfg = [`url = ${cfgQuote(url)}`, 'location', `user-agent = ${cfgQuote(a.http_agent)}`, `max-time = ${a.timeout}`];
  for (const [k, v] of Object.entries(a.headers)) cfg.push(`header = ${cfgQuote(`${k}: ${v ?? ''}`)}`);
  if (a.url_username !== undefined) cfg.push(`user = ${cfgQuote(`${a.url_username}:${a.url_password ?? ''}`)}`, a.force_basic_auth ? 'basic' : 'anyauth');
  if (!a.validate_certs) cfg.push('insecure');
  if (!a.use_proxy) cfg.push('noproxy = "*"');
  if (a.client_cert !== undefined) cfg.push(`cert = ${cfgQuote(a.client_cert)}`);
  if (a.client_key !== undefined) cfg.push(`key = ${cfgQuote(a.client_key)}`);
  return cfg.join('\n') + '\n';
}

/** wget's config file (a wgetrc, written 0600 from stdin): the same request options. */
export function wgetConfig(a: GetUrlArgs): string {
  const cfg = [`user_agent = ${a.http_agent}`, `timeout = ${a.timeout}`, 'tries = 1'];
  for (const [k, v] of Object.entries(a.headers)) cfg.push(`header = ${k}: ${v ?? ''}`);
  if (a.url_username !== undefined) cfg.push(`http_user = ${a.url_username}`, `http_password = ${a.url_password ?? ''}`);
  if (a.force_basic_auth) cfg.push('auth_no_challenge = on');
  if (!a.validate_certs) cfg.push('check_certificate = off');
  if (!a.use_proxy) cfg.push('use_proxy = off');
  if (a.client_cert !== undefined) cfg.push(`certificate = ${a.client_cert}`);
  if (a.client_key !== undefined) cfg.push(`private_key = ${a.client_key}`);
  return cfg.join('\n') + '\n';
}

export type Tool = 'curl' | 'wget';

/**
 * Download `url` into "$d" (a temp file) and print `status=CODE`; exits 1 with the tool's error on
 * stderr when the request fails, prints `notmodified` and exits 0 on a 304 (`ifModifiedSince` names
 * the file whose mtime the request carries, as Ansible's get_url sends If-Modified-Since).
 * `head`: a HEAD request instead (Ansible's get_url in check mode), "$d" stays empty as its body.
 */
export function downloadLines(tool: Tool, url: string, tmpDir: string | undefined, ifModifiedSince?: string, head = false): string[] {
  const lines = [
    tmpDir !== undefined ? `d=$(mktemp ${quote(`${tmpDir}/.tsplay-get_url.XXXXXX`)}) || exit 1` : 'd=$(mktemp) || exit 1',
    `cfg=$(mktemp) || exit 1`,
    `trap 'rm -f "$d" "$cfg"' EXIT`,
    `cat > "$cfg"`,
  ];
  if (tool === 'curl') {
    const z = ifModifiedSince !== undefined ? ` -z ${quote(ifModifiedSince)}` : '';
    lines.push(
      `code=$(curl -K "$cfg" -sS${z}${head ? ' -I -o /dev/null' : ' -o "$d"'} -w '%{http_code}') || { echo 'status=-1'; exit 1; }`,
    );
  } else {
    // wget has no -z: the header, from the file's mtime as curl sends it
    const ims = ifModifiedSince !== undefined ? ` --header="If-Modified-Since: $(LC_ALL=C date -u -r ${quote(ifModifiedSince)} '+%a, %d %b %Y %H:%M:%S GMT')"` : '';
    lines.push(
      `wget --config="$cfg" -S${ims}${head ? ' --spider' : ' -O "$d"'} -- ${quote(url)} 2>"$cfg.err"; rc=$?`,
      `code=$(grep -E '^ +HTTP/' "$cfg.err" | tail -n 1 | awk '{print $2}'); rm -f "$cfg.err"`,
      `if [ -z "$code" ]; then echo 'status=-1'; echo "wget failed (exit $rc)" >&2; exit 1; fi`,
    );
  }
  lines.push(
    `echo "status=$code"`,
    `if [ "$code" = 304 ]; then echo notmodified; exit 0; fi`,
    `if [ "$code" != 200 ]; then echo "Request failed: HTTP $code" >&2; exit 1; fi`,
    `echo "sha1=$(sha1sum < "$d" | cut -d' ' -f1)"`,
  );
  return lines;
}

/** How the downloaded temp file becomes dest: its attributes, the backup, then a rename (as atomic-write.ts). */
export interface Placement {
  mode?: string;
  owner?: string;
  group?: string;
  backupFile?: string;
}

function placeLines(dest: string, p: Placement): string[] {
  const d = quote(dest);
  const lines: string[] = [];
  if (p.mode) lines.push(/^[0-7]+$/.test(p.mode) ? `chmod ${quote(p.mode)} "$d" || exit 1` : `chmod =rw "$d" && chmod ${quote(p.mode)} "$d" || exit 1`);
  else lines.push(`if [ -e ${d} ]; then chmod --reference=${d} "$d"; else chmod =rw "$d"; fi || exit 1`);
  if (!p.owner || !p.group) lines.push(`if [ -e ${d} ]; then chown --reference=${d} "$d" 2>/dev/null || true; fi`);
  const own = ownership(p.owner, p.group);
  if (own) lines.push(`${own} "$d" || exit 1`);
  if (p.backupFile) lines.push(`if [ -e ${d} ]; then cp -p ${d} ${quote(p.backupFile)} || exit 1; fi`);
  lines.push(`mv -f "$d" ${d} || exit 1`);
  return lines;
}

/**
 * The whole download script: fetch into a temp file, verify the checksum, compare with dest, and (with
 * `place`) rename it over dest — the temp file is then made beside dest, so the rename is atomic.
 */
export function downloadScript(o: {
  tool: Tool;
  url: string;
  dest: string;
  tmpDir?: string;
  ifModifiedSince?: string;
  checksum?: { algo: string; value: string };
  /** Absent: only report whether dest would change (check mode). */
  place?: Placement;
}): string {
  const d = quote(o.dest);
  const lines = downloadLines(o.tool, o.url, o.place ? posix.dirname(o.dest) : o.tmpDir, o.ifModifiedSince);
  if (o.checksum) {
    lines.push(
      `c=$(${o.checksum.algo}sum < "$d" | cut -d' ' -f1)`,
      `if [ "$c" != ${quote(o.checksum.value)} ]; then echo "The checksum for ${o.dest.replace(/[\\"$`]/g, '\\$&')} did not match ${o.checksum.value}; it was $c." >&2; exit 1; fi`,
    );
  }
  lines.push(`if [ -f ${d} ] && [ "$(sha1sum < ${d} | cut -d' ' -f1)" = "$(sha1sum < "$d" | cut -d' ' -f1)" ]; then echo same; exit 0; fi`);
  if (!o.place) lines.push('echo differs');
  else lines.push(...placeLines(o.dest, o.place), 'echo written');
  return lines.join('\n');
}

/** What the download script printed. */
export function readDownload(stdout: string): { status?: number; sha1?: string; outcome?: 'notmodified' | 'same' | 'differs' | 'written' } {
  const status = /^status=(-?\d+)$/m.exec(stdout)?.[1];
  const sha1 = /^sha1=([0-9a-f]+)$/m.exec(stdout)?.[1];
  const outcome = /^(notmodified|same|differs|written)$/m.exec(stdout)?.[1] as 'notmodified' | 'same' | 'differs' | 'written' | undefined;
  return { status: status !== undefined ? Number(status) : undefined, sha1, outcome };
}

/** The tool on the target, and digests of the candidate paths (`-` when not a regular file). */
async function probeTarget(ctx: ModuleContext, algo: string | undefined, paths: string[]): Promise<{ tool?: Tool; digests: (string | undefined)[] }> {
  const lines = ['if command -v curl >/dev/null 2>&1; then echo tool=curl; elif command -v wget >/dev/null 2>&1; then echo tool=wget; else echo tool=; fi'];
  if (algo) for (const p of paths) lines.push(`if [ -f ${quote(p)} ]; then ${algo}sum < ${quote(p)} | cut -d' ' -f1; else echo -; fi`);
  const r = await ctx.probe(lines.join('\n'));
  if (r.rc !== 0) throw new TsplayError(`get_url: cannot read ${paths.join(', ')}: ${r.stderr.trim() || `rc ${r.rc}`}`);
  const out = r.stdout.split('\n');
  const tool = (/^tool=(\w*)/.exec(out[0] ?? '')?.[1] || undefined) as Tool | undefined;
  return { tool, digests: paths.map((_, i) => (out[i + 1] && out[i + 1] !== '-' ? out[i + 1] : undefined)) };
}

/** `algo:url`: read the checksum file on the target (a GET while planning, also in check mode). */
async function checksumFromUrl(ctx: ModuleContext, a: GetUrlArgs, tool: Tool, sumUrl: string): Promise<string | undefined> {
  const script = [...downloadLines(tool, sumUrl, undefined), 'echo @@body', 'cat "$d"'].join('\n');
  const r = await ctx.probe(script, { stdin: tool === 'curl' ? curlConfig(a, sumUrl) : wgetConfig(a), timeoutMs: (a.timeout + 30) * 1000 });
  if (r.rc !== 0) throw new TsplayError(`get_url: cannot fetch the checksum file ${sumUrl}: ${r.stderr.trim() || `rc ${r.rc}`}`);
  const body = r.stdout.slice(r.stdout.indexOf('@@body\n') + '@@body\n'.length);
  return checksumFromFile(body, urlFilename(a.url));
}

async function plan(a: GetUrlArgs, ctx: ModuleContext): Promise<Plan> {
  const fail = (msg: string, extra: Record<string, unknown> = {}): Plan => ({ steps: [], failed: true, msg, result: { dest: a.dest, url: a.url, ...extra } });
  const name = urlFilename(a.url);
  const inner = posix.join(a.dest, name);
  let algo: string | undefined;
  let wanted: string | undefined;
  if (a.checksum) {
    const colon = a.checksum.indexOf(':');
    algo = a.checksum.slice(0, colon);
    wanted = a.checksum.slice(colon + 1);
  }
  const { tool, digests } = await probeTarget(ctx, algo, [a.dest, inner]);
  if (!tool) return fail('get_url needs curl or wget on the target: neither was found in PATH');
  if (wanted !== undefined && isUrl(wanted)) {
    const found = await checksumFromUrl(ctx, a, tool, wanted);
    if (found === undefined) return fail(`Unable to find a checksum for file '${name}' in '${wanted}'`);
    wanted = found;
  }
  if (wanted !== undefined) {
    wanted = wanted.replace(/\W+/g, '').toLowerCase();
    if (!/^[0-9a-f]+$/.test(wanted)) return fail('The checksum format is invalid');
  }
  const [destSt, innerSt] = await statFiles(ctx, [a.dest, inner, posix.dirname(a.dest)], { follow: true });
  const dest = destSt!.isDir ? inner : a.dest;
  const st = destSt!.isDir ? innerSt! : destSt!;
  const digest = destSt!.isDir ? digests[1] : digests[0];
  const want = { mode: a.mode, owner: a.owner, group: a.group };
  const attrs = st.exists && st.isFile ? attributeSteps(dest, st, want) : { steps: [] as Step[] };
  const result: Record<string, unknown> = { dest, url: a.url, checksum_dest: null, checksum_src: null };
  if (st.exists && st.isDir) return fail(`Destination ${dest} is a directory`);
  // a missing parent: Ansible finds out after its request (check mode asks the URL first)
  const noParent = !st.exists && !(await statFiles(ctx, [posix.dirname(dest)]))[0]!.isDir ? fail(`Destination ${posix.dirname(dest)} does not exist`) : undefined;
  if (noParent && !ctx.check) return noParent;

  // A file with the right checksum is not downloaded again (unless force).
  const checksumMatches = st.exists && wanted !== undefined && digest === wanted;
  if (st.exists && !a.force && checksumMatches) {
    const msg = attrs.steps.length > 0 ? 'file already exists but file attributes changed' : 'file already exists';
    return { steps: attrs.steps, msg, result: { ...result, msg } };
  }
  // If-Modified-Since as Ansible sends it: dest given as a file that exists, no force, no checksum
  // (a wrong one forces the download); never for a directory dest
  const ifModifiedSince = st.exists && !destSt!.isDir && !a.force && wanted === undefined ? dest : undefined;
  const checksum = wanted !== undefined ? { algo: algo!, value: wanted } : undefined;
  const stdin = tool === 'curl' ? curlConfig(a) : wgetConfig(a);
  const timeoutMs = (a.timeout + 60) * 1000;
  const base = { tool, url: a.url, dest, tmpDir: a.tmp_dest, ifModifiedSince, checksum };

  let mode = a.mode;
  if (mode !== undefined) {
    const current = st.exists && st.mode ? Number.parseInt(st.mode, 8) : 0o666 & ~Number.parseInt(st.umask ?? '0022', 8);
    mode = octal(applyMode(mode, current, false, Number.parseInt(st.umask ?? '0022', 8)));
  }
  const place: Placement = { mode, owner: a.owner, group: a.group, backupFile: a.backup && st.exists ? backupName(dest) : undefined };
  const read = (r: ExecResult, out: Outcome): Outcome => {
    const d = readDownload(r.stdout);
    const o: Outcome = { ...out, status_code: d.status ?? -1, checksum_src: d.sha1 ?? null };
    if (d.outcome === 'same' || d.outcome === 'notmodified') o.checksum_dest = d.sha1 ?? null;
    if (r.rc !== 0) return { ...o, changed: false, failed: true, msg: r.stderr.trim().split('\n').pop() || `download failed (rc ${r.rc})` };
    // a 304's message is Python's str(HTTPError), as Ansible reports it
    o.msg = d.outcome === 'notmodified' ? 'HTTP Error 304: Not Modified' : `OK (${d.status})`;
    return o;
  };

  const download: Step = { cmd: downloadScript({ ...base, place }), stdin, timeoutMs };
  if (ctx.check) return checkModePlan(ctx, { ...base, stdin, timeoutMs }, read, result, download, noParent);
  return {
    steps: [download, ...attrs.steps],
    result,
    finish(results, b) {
      const out = read(results[0]!, b);
      if (out.failed) return out;
      const written = readDownload(results[0]!.stdout).outcome === 'written';
      const attrFailed = results.slice(1).find((r) => r.rc !== 0);
      if (attrFailed) return { ...out, failed: true, changed: written, msg: attrFailed.stderr.trim() || `rc ${attrFailed.rc}` };
      if (written && place.backupFile) out.backup_file = place.backupFile;
      return { ...out, changed: written || attrs.steps.length > 0 };
    },
  };
}

/** SHA-1 of nothing: the body of a HEAD request, which Ansible's check mode compares with dest. */
const EMPTY_SHA1 = 'da39a3ee5e6b4b0d3255bfef95601890afd80709';

/**
 * Check mode as Ansible's get_url: a HEAD request from the target (If-Modified-Since when a real run
 * would send it); a request that fails fails the task as a failed download does; a 304 is ok; otherwise
 * the empty body is compared with dest by SHA-1 — changed unless dest is an empty file. Attributes and
 * the checksum are not looked at (Ansible exits before them).
 */
async function checkModePlan(
  ctx: ModuleContext,
  req: { tool: Tool; url: string; dest: string; ifModifiedSince?: string; stdin: string; timeoutMs: number },
  read: (r: ExecResult, out: Outcome) => Outcome,
  result: Record<string, unknown>,
  download: Step,
  noParent: Plan | undefined,
): Promise<Plan> {
  const d = quote(req.dest);
  const script = [...downloadLines(req.tool, req.url, undefined, req.ifModifiedSince, true), `if [ -f ${d} ]; then echo "dsha1=$(sha1sum < ${d} | cut -d' ' -f1)"; fi`].join('\n');
  const r = await ctx.probe(script, { stdin: req.stdin, timeoutMs: req.timeoutMs });
  const { changed: _c, failed: _f, ...out } = read(r, { changed: false, failed: false, ...result });
  if (r.rc !== 0) return { steps: [], failed: true, msg: out.msg as string, result: out };
  if (readDownload(r.stdout).outcome === 'notmodified') return { steps: [], msg: out.msg as string, result: out };
  if (noParent) return noParent;
  const destSha1 = /^dsha1=([0-9a-f]+)$/m.exec(r.stdout)?.[1] ?? null;
  const changed = destSha1 !== EMPTY_SHA1;
  // no status_code: Ansible's check mode returns before adding it
  const { status_code: _s, ...fields } = out;
  return { steps: changed ? [download] : [], changed, msg: out.msg as string, result: { ...fields, checksum_src: EMPTY_SHA1, checksum_dest: destSha1 } };
}

export const getUrlModule: ModuleDef<GetUrlArgs> = { name: 'get_url', targetPaths: ['dest', 'tmp_dest', 'client_cert', 'client_key'], selinuxArgs: true, parse, plan };
