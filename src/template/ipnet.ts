import { isIPv4, isIPv6 } from 'node:net';

/**
 * IP addresses and networks as Python's netaddr (which Ansible's ipaddr filters use) reads and writes
 * them: an address with its prefix length (`IPNetwork('192.168.1.5/24')` keeps the .5), as 128-bit
 * integers. Addresses are read strictly (inet_pton: no '10.1', no leading zeros, no zone id) and
 * written as glibc's inet_ntop writes them ('2001:db8::1', '::ffff:192.0.2.1').
 */
export interface IpNet {
  version: 4 | 6;
  /** the address as written, not masked */
  ip: bigint;
  prefix: number;
}

export const bitsOf = (version: 4 | 6): number => (version === 4 ? 32 : 128);
const all = (version: 4 | 6): bigint => (1n << BigInt(bitsOf(version))) - 1n;

export const hostmaskOf = (n: IpNet): bigint => (1n << BigInt(bitsOf(n.version) - n.prefix)) - 1n;
export const netmaskOf = (n: IpNet): bigint => all(n.version) ^ hostmaskOf(n);
export const networkOf = (n: IpNet): bigint => n.ip & netmaskOf(n);
export const sizeOf = (n: IpNet): bigint => 1n << BigInt(bitsOf(n.version) - n.prefix);
/** netaddr has no broadcast address for a /31, /32, /127 or /128. */
export const broadcastOf = (n: IpNet): bigint | undefined => (bitsOf(n.version) - n.prefix <= 1 ? undefined : n.ip | hostmaskOf(n));

/** An address (inet_pton's forms) as its integer, or undefined. */
export function parseAddress(s: string): { version: 4 | 6; ip: bigint } | undefined {
  if (isIPv4(s)) return { version: 4, ip: s.split('.').reduce((acc, o) => (acc << 8n) | BigInt(o), 0n) };
  if (!isIPv6(s) || s.includes('%')) return undefined;
  let text = s;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const tail = parseAddress(v4[1]!)!.ip;
    text = `${text.slice(0, -v4[1]!.length)}${(tail >> 16n).toString(16)}:${(tail & 0xffffn).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const words = (part: string | undefined): string[] => (part ? part.split(':') : []);
  const left = words(head);
  const right = words(rest);
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return { version: 6, ip: groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n) };
}

/** A network as netaddr's IPNetwork reads it: 'address', 'address/prefix' or an IPv4 'address/netmask'. */
export function parseNet(s: string): IpNet | undefined {
  const [addr, mask, ...extra] = s.split('/');
  if (extra.length > 0 || addr === undefined) return undefined;
  const a = parseAddress(addr);
  if (!a) return undefined;
  const bits = bitsOf(a.version);
  if (mask === undefined) return { ...a, prefix: bits };
  if (/^\d+$/.test(mask)) {
    const prefix = Number(mask);
    return prefix <= bits ? { ...a, prefix } : undefined;
  }
  const m = a.version === 4 ? parseAddress(mask) : undefined;
  if (!m || m.version !== 4) return undefined;
  const prefix = maskLength(m.ip, 32) ?? (isHostmask(m.ip) ? 32 - m.ip.toString(2).replace(/^0+/, '').length : undefined);
  return prefix === undefined ? undefined : { ...a, prefix };
}

/** The prefix length of a netmask (ones then zeros), or undefined. */
function maskLength(mask: bigint, bits: number): number | undefined {
  const inverted = mask ^ ((1n << BigInt(bits)) - 1n);
  if (!isHostmask(inverted)) return undefined;
  return bits - (inverted === 0n ? 0 : inverted.toString(2).length);
}

/** netaddr's is_hostmask: zeros then ones (0 included). */
export const isHostmask = (v: bigint): boolean => ((v + 1n) & v) === 0n;
/** netaddr's is_netmask: ones then zeros. */
export const isNetmask = (v: bigint, version: 4 | 6): boolean => isHostmask(v ^ all(version));

/** An address as glibc's inet_ntop writes it. */
export function formatAddress(ip: bigint, version: 4 | 6): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip >> s) & 0xffn)).join('.');
  const words = Array.from({ length: 8 }, (_x, i) => Number((ip >> BigInt(112 - 16 * i)) & 0xffffn));
  // the longest run of zero words (the first of equal ones), compressed to '::' when two or more
  let best = { base: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.len) best = { base: i, len: j - i };
    i = j;
  }
  if (best.len < 2) best = { base: -1, len: 0 };
  // an IPv4-compatible (::a.b.c.d) or IPv4-mapped (::ffff:a.b.c.d) address ends in its IPv4 form
  if (best.base === 0 && (best.len === 6 || (best.len === 5 && words[5] === 0xffff))) {
    return `::${best.len === 5 ? 'ffff:' : ''}${formatAddress(ip & 0xffffffffn, 4)}`;
  }
  if (best.base < 0) return words.map((w) => w.toString(16)).join(':');
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  return `${hex(words.slice(0, best.base))}::${hex(words.slice(best.base + best.len))}`;
}

export const formatNet = (n: IpNet): string => `${formatAddress(n.ip, n.version)}/${n.prefix}`;

/** Is network (or address) `n` wholly inside `outer`? */
export function within(n: IpNet, outer: IpNet): boolean {
  return n.version === outer.version && n.prefix >= outer.prefix && (n.ip & netmaskOf(outer)) === networkOf(outer);
}

/** The reverse DNS name of an address (netaddr's reverse_dns, with its final dot). */
export function reverseDns(ip: bigint, version: 4 | 6): string {
  const labels = version === 4
    ? formatAddress(ip, 4).split('.').reverse()
    : ip.toString(16).padStart(32, '0').split('').reverse();
  return [...labels, version === 4 ? 'in-addr' : 'ip6', 'arpa', ''].join('.');
}

const nets = (list: string[]): IpNet[] => list.map((s) => parseNet(s)!);
// IANA's special-purpose registries, as netaddr's is_global() reads them
const NOT_GLOBAL = {
  4: nets(['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
    '192.0.0.170/31', '192.0.2.0/24', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '240.0.0.0/4',
    '255.255.255.255/32']),
  6: nets(['::1/128', '::/128', '::ffff:0:0/96', '64:ff9b:1::/48', '100::/64', '2001::/23', '2001:db8::/32', '2002::/16',
    'fc00::/7', 'fe80::/10']),
};
const GLOBAL_EXCEPTIONS = {
  4: nets(['192.0.0.9/32', '192.0.0.10/32']),
  6: nets(['2001:1::1/128', '2001:1::2/128', '2001:3::/32', '2001:4:112::/48', '2001:20::/28', '2001:30::/28']),
};
export const LOOPBACK = { 4: parseNet('127.0.0.0/8')!, 6: parseNet('::1/128')! };
export const LINK_LOCAL = { 4: parseNet('169.254.0.0/16')!, 6: parseNet('fe80::/10')! };
export const MULTICAST = { 4: parseNet('224.0.0.0/4')!, 6: parseNet('ff00::/8')! };

/** netaddr's is_global() of an address. */
export function isGlobal(ip: bigint, version: 4 | 6): boolean {
  const a: IpNet = { version, ip, prefix: bitsOf(version) };
  return !NOT_GLOBAL[version].some((n) => within(a, n)) || GLOBAL_EXCEPTIONS[version].some((n) => within(a, n));
}
