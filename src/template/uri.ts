/**
 * Ansible's uri/url/urn tests (plugins/test/uri.py), on Python's urlparse: any string is a URI
 * (urlparse never fails on one), optionally with its scheme among `schemes`; a URL also has a
 * network location (or is a file: URL).
 */

/** Python's urlsplit, as far as the tests need it: scheme and netloc. */
function urlSplit(s: string): { scheme: string; netloc: string } {
  let scheme = '';
  let rest = s;
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s);
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = s.slice(m[0].length);
  }
  const netloc = rest.startsWith('//') ? (/^\/\/([^/?#]*)/.exec(rest)![1] ?? '') : '';
  return { scheme, netloc };
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
