import { TsplayError } from '../errors.js';
import { typeName } from './values.js';

/**
 * Ansible's uri/url/urn tests (plugins/test/uri.py), on Python's urlparse: any string is a URI
 * (urlparse never fails on one), optionally with its scheme among `schemes`; a URL also has a
 * network location (or is a file: URL).
 */

/** Python 3.11's urllib.parse.urlsplit: scheme (lower-cased), netloc, path, query, fragment, as written. */
function urlSplit(url: string): { scheme: string; netloc: string; path: string; query: string; fragment: string } {
  // WHATWG C0 controls and space stripped from the start, tab/CR/LF removed anywhere (as Python does)
  let rest = url.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end);
    rest = end < 0 ? '' : rest.slice(2 + end);
  }
  let fragment = '';
  let query = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) [rest, fragment] = [rest.slice(0, hash), rest.slice(hash + 1)];
  const q = rest.indexOf('?');
  if (q >= 0) [rest, query] = [rest.slice(0, q), rest.slice(q + 1)];
  return { scheme, netloc, path: rest, query, fragment };
}

/**
 * Ansible's urlsplit filter (plugins/filter/urlsplit.py): Python's SplitResult as a dict (hostname
 * lower-cased, port an int, None for what is absent), or the one component `query` names.
 */
export function urlsplitFilter(value: unknown, query?: unknown): unknown {
  if (typeof value !== 'string') throw new TsplayError(`urlsplit: expected a string, got ${typeName(value)}`);
  const parts = urlSplit(value);
  const at = parts.netloc.lastIndexOf('@');
  const userinfo = at >= 0 ? parts.netloc.slice(0, at) : undefined;
  const hostinfo = at >= 0 ? parts.netloc.slice(at + 1) : parts.netloc;
  const colon = userinfo?.indexOf(':') ?? -1;
  let host: string;
  let port: string;
  const br = hostinfo.indexOf('[');
  if (br >= 0) {
    const inner = hostinfo.slice(br + 1);
    const close = inner.indexOf(']');
    host = close >= 0 ? inner.slice(0, close) : inner;
    const after = close >= 0 ? inner.slice(close + 1) : '';
    port = after.includes(':') ? after.slice(after.indexOf(':') + 1) : '';
  } else {
    const c = hostinfo.indexOf(':');
    [host, port] = c >= 0 ? [hostinfo.slice(0, c), hostinfo.slice(c + 1)] : [hostinfo, ''];
  }
  let portValue: number | null = null;
  if (port !== '') {
    if (!/^[0-9]+$/.test(port)) throw new TsplayError(`urlsplit: Port could not be cast to integer value as '${port}'`);
    portValue = Number(port);
    if (portValue > 65535) throw new TsplayError('urlsplit: Port out of range 0-65535');
  }
  // a scoped IPv6 address keeps its zone's case
  const pct = host.indexOf('%');
  const hostname = host === '' ? null : pct >= 0 ? host.slice(0, pct).toLowerCase() + host.slice(pct) : host.toLowerCase();
  const all: Record<string, unknown> = {
    fragment: parts.fragment,
    hostname,
    netloc: parts.netloc,
    password: userinfo !== undefined && colon >= 0 ? userinfo.slice(colon + 1) : null,
    path: parts.path,
    port: portValue,
    query: parts.query,
    scheme: parts.scheme,
    username: userinfo === undefined ? null : colon >= 0 ? userinfo.slice(0, colon) : userinfo,
  };
  if (query === undefined || query === null || query === '') return all;
  const key = String(query);
  if (!Object.hasOwn(all, key)) throw new TsplayError(`urlsplit: unknown URL component: ${key}`);
  return all[key];
}

const schemeList = (schemes: unknown): string[] | undefined =>
  schemes === undefined || schemes === null ? undefined : (Array.isArray(schemes) ? schemes : [schemes]).map(String);

export function isUri(v: unknown, schemes?: unknown): boolean {
  if (typeof v !== 'string') return false;
  const allowed = schemeList(schemes);
  return !allowed || allowed.length === 0 || allowed.includes(urlSplit(v).scheme);
}

export function isUrl(v: unknown, schemes?: unknown): boolean {
  if (!isUri(v, schemes)) return false;
  const { scheme, netloc } = urlSplit(v as string);
  return netloc !== '' || scheme === 'file';
}

export const isUrn = (v: unknown): boolean => isUri(v, ['urn']);
