import { randomBytes } from 'node:crypto';
import type { ExecResult } from '../connection/types.js';
import { ParseError, type Source } from '../errors.js';
import { parseArgs, unrendered, type ArgSpecs } from './args.js';
import type { ModuleDef, Outcome, Plan } from './types.js';

/**
 * uri: an HTTP(S) request made by `curl` on the target. The whole request — URL, headers, credentials,
 * body — goes to curl as a config file on stdin (`curl -K -`), so no secret shows in the target's process
 * list. GET/HEAD/OPTIONS run while planning; other methods are steps. Under --check no request is sent,
 * whatever the method — a GET may have side effects on the server too — and the task is reported as
 * "would run" (skipped); `check_mode: false` on the task sends it. Never "changed" (as Ansible's uri);
 * failed when the status is not in `status_code`.
 */
export interface UriArgs {
  url: string;
  method: string;
  body?: unknown;
  body_format: 'raw' | 'json' | 'form-urlencoded';
  headers: Record<string, unknown>;
  status_code: number[];
  return_content: boolean;
  validate_certs: boolean;
  client_cert?: string;
  client_key?: string;
  timeout: number;
  url_username?: string;
  url_password?: string;
  force_basic_auth: boolean;
  follow_redirects: string;
}

const specs: ArgSpecs = {
  url: { type: 'str', required: true },
  method: { type: 'str', default: 'GET' },
  body: { type: 'raw' },
  body_format: { type: 'str', default: 'raw', choices: ['raw', 'json', 'form-urlencoded'] },
  headers: { type: 'dict', default: {} },
  status_code: { type: 'list', elements: 'int', default: [200] },
  return_content: { type: 'bool', default: false },
  validate_certs: { type: 'bool', default: true },
  client_cert: { type: 'path' },
  client_key: { type: 'path' },
  timeout: { type: 'int', default: 30 },
  url_username: { type: 'str', aliases: ['user', 'username'] },
  url_password: { type: 'str', aliases: ['password'] },
  force_basic_auth: { type: 'bool', default: false },
  follow_redirects: { type: 'str', default: 'safe', choices: ['none', 'safe', 'all', 'urllib2', 'yes', 'no'] },
};

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function parse(raw: unknown, where: Source, loadTime: boolean): UriArgs {
  const a = parseArgs<UriArgs>('uri', specs, raw, where, loadTime);
  // a literal URL is checked at load time: a typo must not wait for a host to be contacted
  if (!unrendered(a.url, loadTime) && !/^https?:\/\//i.test(a.url)) throw new ParseError(`uri: argument 'url' must start with http:// or https://, got ${JSON.stringify(a.url)}`, where);
  if (loadTime) return a;
  a.method = a.method.toUpperCase();
  if (!/^[A-Z]+$/.test(a.method)) throw new ParseError(`uri: argument 'method' must be an HTTP method, got ${JSON.stringify(a.method)}`, where);
  if (!/^https?:\/\//i.test(a.url)) throw new ParseError(`uri: argument 'url' must start with http:// or https://, got ${JSON.stringify(a.url)}`, where);
  if (a.body_format === 'form-urlencoded' && a.body !== undefined && (typeof a.body !== 'object' || a.body === null) && typeof a.body !== 'string') {
    throw new ParseError(`uri: argument 'body' must be a dictionary or a string with body_format form-urlencoded`, where);
  }
  if (a.body_format === 'raw' && a.body !== undefined && typeof a.body === 'object') {
    throw new ParseError(`uri: argument 'body' is a ${Array.isArray(a.body) ? 'list' : 'dictionary'}: set body_format: json`, where);
  }
  for (const [k, v] of Object.entries(a.headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) throw new ParseError(`uri: argument 'headers': invalid header name ${JSON.stringify(k)}`, where);
    if (typeof v === 'object' && v !== null) throw new ParseError(`uri: argument 'headers.${k}' must be a string`, where);
    if (/[\r\n]/.test(String(v ?? ''))) throw new ParseError(`uri: argument 'headers.${k}' must not contain a newline`, where);
  }
  return a;
}

/** A curl config-file string: double quotes, with \\ \" \n \r \t \v escaped. */
export function cfgQuote(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/\v/g, '\\v') + '"';
}

/** The request body as text, and the content type it implies. */
export function bodyOf(a: UriArgs): { data?: string; contentType?: string } {
  if (a.body === undefined) return {};
  if (a.body_format === 'json') return { data: typeof a.body === 'string' ? a.body : JSON.stringify(a.body), contentType: 'application/json' };
  if (a.body_format === 'form-urlencoded') {
    const data = typeof a.body === 'string' ? a.body : new URLSearchParams(Object.entries(a.body as object).map(([k, v]) => [k, String(v)])).toString();
    return { data, contentType: 'application/x-www-form-urlencoded' };
  }
  return { data: String(a.body) };
}

/** curl's config (stdin): everything about the request, secrets included. */
export function curlConfig(a: UriArgs): string {
  const cfg: string[] = [`url = ${cfgQuote(a.url)}`, `request = ${cfgQuote(a.method)}`];
  if (a.method === 'HEAD') cfg.push('head');
  const { data, contentType } = bodyOf(a);
  const hasType = Object.keys(a.headers).some((k) => k.toLowerCase() === 'content-type');
  if (contentType && !hasType) cfg.push(`header = ${cfgQuote(`Content-Type: ${contentType}`)}`);
  for (const [k, v] of Object.entries(a.headers)) cfg.push(`header = ${cfgQuote(`${k}: ${v ?? ''}`)}`);
  if (data !== undefined) cfg.push(`data-raw = ${cfgQuote(data)}`);
  if (a.url_username !== undefined) {
    cfg.push(`user = ${cfgQuote(`${a.url_username}:${a.url_password ?? ''}`)}`);
    cfg.push(a.force_basic_auth ? 'basic' : 'anyauth');
  }
  if (!a.validate_certs) cfg.push('insecure');
  if (a.client_cert !== undefined) cfg.push(`cert = ${cfgQuote(a.client_cert)}`);
  if (a.client_key !== undefined) cfg.push(`key = ${cfgQuote(a.client_key)}`);
  const follow = a.follow_redirects;
  if (follow === 'all' || follow === 'yes' || ((follow === 'safe' || follow === 'urllib2') && SAFE.has(a.method))) cfg.push('location');
  cfg.push(`max-time = ${a.timeout}`);
  return cfg.join('\n') + '\n';
}

/** The target-side script: curl with the config on stdin, then its pieces between markers. */
export function curlScript(nonce: string): string {
  const m = (part: string) => `echo '@@${nonce}@@${part}'`;
  return [
    `d=$(mktemp -d) || exit 1; trap 'rm -rf "$d"' EXIT`,
    `curl -K - -sS -o "$d/b" -D "$d/h" -w '%{http_code}\\n%{url_effective}\\n%{num_redirects}\\n' >"$d/w" 2>"$d/e"; rc=$?`,
    `echo "rc=$rc"`,
    m('W'),
    `cat "$d/w"`,
    m('E'),
    `cat "$d/e"`,
    m('H'),
    `cat "$d/h" 2>/dev/null`,
    m('B'),
    `cat "$d/b" 2>/dev/null`,
  ].join('\n');
}

/** The last header block (after redirects): lower-cased names; repeated headers joined with ", ". */
export function parseHeaders(raw: string): Record<string, string> {
  const blocks = raw.split(/\r?\n\r?\n/).filter((b) => b.trim() !== '');
  const last = blocks[blocks.length - 1] ?? '';
  const headers: Record<string, string> = {};
  for (const line of last.split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const k = line.slice(0, colon).trim().toLowerCase();
    const v = line.slice(colon + 1).trim();
    headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
  }
  return headers;
}

export function readResponse(a: UriArgs, r: ExecResult, nonce: string, base: Outcome): Outcome {
  const part = (name: string, next?: string): string => {
    const start = r.stdout.indexOf(`@@${nonce}@@${name}\n`);
    if (start < 0) return '';
    const from = start + `@@${nonce}@@${name}\n`.length;
    const end = next ? r.stdout.indexOf(`@@${nonce}@@${next}\n`, from) : -1;
    return end < 0 ? r.stdout.slice(from) : r.stdout.slice(from, end);
  };
  const curlRc = Number(/^rc=(\d+)/m.exec(r.stdout)?.[1] ?? r.rc);
  const [code, effective, redirects] = part('W', 'E').split('\n');
  const err = part('E', 'H').trim();
  const status = curlRc === 0 ? Number(code) : -1;
  const out: Outcome = { ...base, changed: false, status, url: effective || a.url, redirected: Number(redirects || 0) > 0 };
  if (r.rc !== 0 && !/^rc=/m.test(r.stdout)) {
    return { ...out, failed: true, msg: `could not run curl on the target: ${r.stderr.trim() || `rc ${r.rc}`}` };
  }
  const headers = parseHeaders(part('H', 'B'));
  const body = part('B');
  out.headers = headers;
  for (const [k, v] of Object.entries(headers)) {
    const key = k.replace(/-/g, '_');
    if (!(key in out)) out[key] = v;
  }
  if (a.return_content) out.content = body;
  if (/[/+]json\b/i.test(headers['content-type'] ?? '') && body.trim() !== '') {
    try {
      out.json = JSON.parse(body);
    } catch {
      /* a JSON content type with a body that is not JSON: leave json unset */
    }
  }
  const ok = a.status_code.includes(status);
  if (curlRc !== 0) out.msg = `Status code was -1 and not ${JSON.stringify(a.status_code)}: Request failed: ${err || `curl exit ${curlRc}`}`;
  else if (!ok) out.msg = `Status code was ${status} and not ${JSON.stringify(a.status_code)}: ${body.slice(0, 200)}`;
  else out.msg = `OK (${headers['content-length'] ?? Buffer.byteLength(body)} bytes)`;
  return ok ? { ...out, failed: false } : { ...out, failed: true };
}

export const uriModule: ModuleDef<UriArgs> = {
  targetPaths: ['client_cert', 'client_key'],
  name: 'uri',
  parse,
  async plan(a, ctx): Promise<Plan> {
    const nonce = randomBytes(6).toString('hex');
    const cmd = curlScript(nonce);
    const stdin = curlConfig(a);
    const timeoutMs = (a.timeout + 30) * 1000;
    if (ctx.check) {
      return { steps: [{ cmd, stdin, timeoutMs }], unpredictable: true, msg: `would run: ${a.method} ${a.url} (no request is sent under --check; check_mode: false sends it)` };
    }
    if (SAFE.has(a.method)) {
      const out = readResponse(a, await ctx.probe(cmd, { stdin, timeoutMs, signal: ctx.signal }), nonce, { changed: false, failed: false });
      const { changed: _c, failed, msg, ...result } = out;
      return failed ? { steps: [], failed: true, msg, result } : { steps: [], changed: false, msg, result };
    }
    return {
      steps: [{ cmd, stdin, timeoutMs }],
      changed: false,
      finish: (results, base) => {
        const r = results[0];
        return r ? readResponse(a, r, nonce, base) : base;
      },
    };
  },
};
