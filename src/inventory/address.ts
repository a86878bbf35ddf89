/**
 * Host addresses and ranges as Ansible's parse_address / expand_hostname_range read them:
 * `host:port`, `[v6::addr]:port`, and `[01:10]`, `[1:9:2]`, `[a:f]` ranges (zero padding kept).
 */

const NUMERIC_RANGE = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const HEX_RANGE = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const V6 = `(?:[0-9a-f]{1,4}|${HEX_RANGE})`;
const V4 = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${NUMERIC_RANGE})`;
const LABEL = String.raw`(?:[\p{L}\p{N}_]|${ALNUM_RANGE})(?:[\p{L}\p{N}_-]|${ALNUM_RANGE})*(?<![_-])`;

const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;
const IPV4 = new RegExp(`^(?:${V4}\\.){3}${V4}$`, 'i');
const IPV6 = new RegExp(
  '^(?:' +
    [
      `(?:${V6}:){7}${V6}`,
      `(?:${V6}:){1,6}:`,
      `(?:${V6}:)(?::${V6}){1,6}`,
      `(?:${V6}:){2}(?::${V6}){1,5}`,
      `(?:${V6}:){3}(?::${V6}){1,4}`,
      `(?:${V6}:){4}(?::${V6}){1,3}`,
      `(?:${V6}:){5}(?::${V6}){1,2}`,
      `(?:${V6}:){6}(?::${V6})`,
      `:(?::${V6}){1,6}`,
      `${V6}?::`,
      `(?:0:){6}(?:${V6}\\.){3}${V6}`,
      `::(?:ffff:)?(?:${V6}\\.){3}${V6}`,
      `(?:0:){5}ffff:(?:${V6}\\.){3}${V6}`,
    ].join('|') +
    ')$',
  'i',
);
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'iu');

/** Split `host:port` (or `[addr]:port`); null when Ansible would not recognise a host address. */
export function parseAddress(address: string, allowRanges: boolean): { host: string; port?: number } | null {
  let port: number | undefined;
  let rest = address;
  for (const re of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = re.exec(rest);
    if (m) {
      rest = m[1]!;
      port = Number(m[2]);
    }
  }
  if (!(IPV4.test(rest) || IPV6.test(rest) || HOSTNAME.test(rest))) return null;
  if (!allowRanges && rest.includes('[')) return null;
  return { host: rest, port };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** More hosts than any real inventory has: a range beyond this is a typo, not a fleet. */
const MAX_RANGE_HOSTS = 100_000;

/** Expand every `[x:y(:step)]` range in a host name, left to right, as Ansible does. */
export function expandHostRange(name: string): string[] {
  const out = expandRange(name);
  if (out.length > MAX_RANGE_HOSTS) throw new Error(`host range expands to ${out.length} hosts, more than ${MAX_RANGE_HOSTS}: ${name}`);
  return out;
}

function expandRange(name: string): string[] {
  const open = name.indexOf('[');
  if (open < 0) return [name];
  const close = name.indexOf(']', open);
  if (close < 0) throw new Error(`host range must be begin:end or begin:end:step: ${name}`);
  const head = name.slice(0, open);
  const tail = name.slice(close + 1);
  const bounds = name.slice(open + 1, close).split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new Error(`host range must be begin:end or begin:end:step: ${name}`);
  const beg = bounds[0] || '0';
  const end = bounds[1]!;
  const step = bounds.length === 3 ? Number(bounds[2]) : 1;
  if (!end) throw new Error(`host range must specify end value: ${name}`);
  if (!Number.isInteger(step) || step <= 0) throw new Error(`host range step must be a positive integer: ${name}`);
  let pad = 0;
  if (beg[0] === '0' && beg.length > 1) {
    if (beg.length !== end.length) throw new Error(`host range must specify equal-length begin and end formats: ${name}`);
    pad = beg.length;
  }
  const seq: string[] = [];
  const ib = LETTERS.indexOf(beg);
  const ie = LETTERS.indexOf(end);
  if (beg.length === 1 && end.length === 1 && ib >= 0 && ie >= 0) {
    if (ib > ie) throw new Error(`host range must have begin <= end: ${name}`);
    for (let i = ib; i <= ie; i += step) seq.push(LETTERS[i]!);
  } else {
    if (!/^[0-9]+$/.test(beg) || !/^[0-9]+$/.test(end)) throw new Error(`invalid host range [${bounds.join(':')}]: ${name}`);
    if (Number(beg) > Number(end)) throw new Error(`host range must have begin <= end: ${name}`);
    if ((Number(end) - Number(beg)) / step >= MAX_RANGE_HOSTS) throw new Error(`host range expands to more than ${MAX_RANGE_HOSTS} hosts: ${name}`);
    for (let i = Number(beg); i <= Number(end); i += step) seq.push(String(i).padStart(pad, '0'));
  }
  const out: string[] = [];
  for (const part of seq) {
    out.push(...expandRange(head + part + tail));
    if (out.length > MAX_RANGE_HOSTS) throw new Error(`host range expands to more than ${MAX_RANGE_HOSTS} hosts: ${name}`);
  }
  return out;
}

/** A host entry of an INI line or YAML key: expanded names and the port, if any. */
export function expandHostPattern(pattern: string): { names: string[]; port?: number } {
  const parsed = parseAddress(pattern, true);
  const host = parsed ? parsed.host : pattern;
  return { names: host.includes('[') ? expandHostRange(host) : [host], port: parsed?.port };
}
