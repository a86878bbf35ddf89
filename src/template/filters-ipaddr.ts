import { TsplayError } from '../errors.js';
import type { FuncDef } from './func-args.js';
import {
  bitsOf, broadcastOf, formatAddress, formatNet, hostmaskOf, isGlobal, isHostmask, isNetmask, LINK_LOCAL, LOOPBACK,
  MULTICAST, netmaskOf, networkOf, parseAddress, parseNet, reverseDns, sizeOf, within, type IpNet,
} from './ipnet.js';
import { isPlainObject, pyStr } from './values.js';

/**
 * ansible.utils' ipaddr, ipv4, ipv6 and ipmath filters, query by query as its ipaddr_utils.py (netaddr)
 * answers them: `'192.168.1.5/24' | ipaddr('network')` → '192.168.1.0', `| ipaddr('revdns')`,
 * `| ipaddr('private')`… A value that is no address gives false; a list keeps its items that give
 * something. A query that is itself a network ('10.0.0.0/8') keeps the values inside it.
 */

type Vtype = 'address' | 'network';
/** What a query returns: a string, a number, true, or null (Python's None) / false for nothing. */
type Answer = string | number | boolean | null;
interface Q { v: IpNet; vtype: Vtype; value: string; alias: string }

const fmt = (ip: bigint, n: IpNet): string => formatAddress(ip, n.version);
/** A Python int as a template value: a number while exact, else its decimal text. */
const pyInt = (i: bigint): number | string => (i <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(i) : i.toString());
const notNetwork = (q: Q): never => {
  throw new TsplayError(`${q.alias}: Not a network address`);
};
/** The first and last usable addresses (both of a /31, all but the ends otherwise). */
function usable(v: IpNet): [bigint, bigint] {
  const first = networkOf(v);
  const last = first | hostmaskOf(v);
  return sizeOf(v) === 2n ? [first, last] : [first + 1n, last - 1n];
}
const hostOrNet = (q: Q, fn: (v: IpNet) => Answer): Answer => (q.vtype === 'address' ? notNetwork(q) : fn(q.v));
const isMulticast = (v: IpNet): boolean => within(v, MULTICAST[v.version]);
const addressOnly = (v: IpNet): IpNet => ({ ...v, prefix: bitsOf(v.version) });
/** `address/prefix` unless the address is the network's or its broadcast (gateway, router…). */
const addressPrefix = ({ v }: Q): Answer => (sizeOf(v) > 2n && (v.ip === networkOf(v) || v.ip === broadcastOf(v)) ? false : formatNet(v));

const QUERIES: Record<string, (q: Q) => Answer> = {
  '': ({ v, vtype }) => (vtype === 'address' ? fmt(v.ip, v) : formatNet(v)),
  '6to4': (q) => {
    const { v } = q;
    if (v.version === 6) {
      const in2002 = within(q.vtype === 'address' ? v : addressOnly(v), parseNet('2002::/16')!);
      return in2002 && (q.vtype === 'address' || v.ip !== networkOf(v)) ? q.value : false;
    }
    if (sizeOf(v) > 1n && v.ip === networkOf(v)) return false;
    const a = addressOnly(v);
    const publicOrPrivate = QUERIES.public!({ ...q, v: a }) || QUERIES.private!({ ...q, v: a });
    if (!publicOrPrivate) return false;
    const hex = (v.ip & 0xffffffffn).toString(16).padStart(8, '0');
    return `2002:${hex.slice(0, 4)}:${hex.slice(4)}::1/48`;
  },
  address: ({ v }) => {
    if (sizeOf(v) === 1n) return fmt(v.ip, v);
    return v.ip !== networkOf(v) || broadcastOf(v) === undefined || v.version === 6 ? fmt(v.ip, v) : null;
  },
  'address/prefix': addressPrefix,
  bool: () => true,
  broadcast: ({ v }) => (sizeOf(v) > 2n ? fmt(broadcastOf(v)!, v) : null),
  cidr: ({ v }) => formatNet(v),
  first_usable: (q) => hostOrNet(q, (v) => (sizeOf(v) > 1n ? fmt(usable(v)[0], v) : null)),
  gateway: addressPrefix,
  gw: addressPrefix,
  host: ({ v }) => {
    if (sizeOf(v) === 1n) return formatNet(v);
    return v.ip !== networkOf(v) || broadcastOf(v) === undefined ? formatNet(v) : null;
  },
  'host/prefix': addressPrefix,
  hostmask: ({ v }) => fmt(hostmaskOf(v), v),
  hostnet: addressPrefix,
  int: ({ v, vtype }) => (vtype === 'address' ? pyInt(v.ip) : `${v.ip}/${v.prefix}`),
  ip: (q) => QUERIES.address!(q),
  'ip/prefix': ({ v }) => (sizeOf(v) === 2n || (sizeOf(v) > 1n && v.ip !== networkOf(v)) ? formatNet(v) : null),
  ip_netmask: ({ v }) => (sizeOf(v) === 2n || (sizeOf(v) > 1n && v.ip !== networkOf(v)) ? `${fmt(v.ip, v)} ${fmt(netmaskOf(v), v)}` : null),
  ipv4: ({ v, value }) => {
    if (v.version === 4) return value;
    const ip = v.ip <= 0xffffffffn ? v.ip : v.ip <= 0xffffffffffffn ? v.ip - 0xffff00000000n : undefined;
    return ip === undefined || v.prefix < 96 ? false : formatNet({ version: 4, ip, prefix: v.prefix - 96 });
  },
  ipv6: ({ v, value }) => (v.version === 6 ? value : formatNet({ version: 6, ip: 0xffff00000000n + v.ip, prefix: v.prefix + 96 })),
  last_usable: (q) => hostOrNet(q, (v) => (sizeOf(v) > 1n ? fmt(usable(v)[1], v) : null)),
  'link-local': ({ v, value }) => (within(addressOnly(v), LINK_LOCAL[v.version]) ? value : null),
  loopback: ({ v, value }) => (within(addressOnly(v), LOOPBACK[v.version]) ? value : null),
  multicast: ({ v, value }) => (isMulticast(v) ? value : null),
  net: ({ v }) => (sizeOf(v) > 1n && v.ip === networkOf(v) ? formatNet(v) : null),
  netmask: ({ v }) => fmt(netmaskOf(v), v),
  network: ({ v }) => fmt(networkOf(v), v),
  'network/prefix': ({ v }) => formatNet({ ...v, ip: networkOf(v) }),
  network_netmask: ({ v }) => `${fmt(networkOf(v), v)} ${fmt(netmaskOf(v), v)}`,
  network_wildcard: ({ v }) => `${fmt(networkOf(v), v)} ${fmt(hostmaskOf(v), v)}`,
  next_usable: (q) => hostOrNet(q, (v) => {
    if (sizeOf(v) <= 1n) return null;
    const [first, last] = usable(v);
    return v.ip + 1n >= first && v.ip + 1n <= last ? fmt(v.ip + 1n, v) : null;
  }),
  peer: (q) => hostOrNet(q, (v) => {
    if (sizeOf(v) === 2n) return fmt(v.ip ^ 1n, v);
    if (sizeOf(v) === 4n) {
      if (v.ip % 4n === 0n) throw new TsplayError(`${q.alias}: Network address of /30 has no peer`);
      if (v.ip % 4n === 3n) throw new TsplayError(`${q.alias}: Broadcast address of /30 has no peer`);
      return fmt(v.ip ^ 3n, v);
    }
    throw new TsplayError(`${q.alias}: Not a point-to-point network`);
  }),
  prefix: ({ v }) => v.prefix,
  previous_usable: (q) => hostOrNet(q, (v) => {
    if (sizeOf(v) <= 1n) return null;
    const [first, last] = usable(v);
    return v.ip - 1n >= first && v.ip - 1n <= last ? fmt(v.ip - 1n, v) : null;
  }),
  private: ({ v, value }) => (isGlobal(v.ip, v.version) ? null : value),
  public: ({ v, value }) => {
    const a = addressOnly(v);
    const ok = !isMulticast(a) && isGlobal(v.ip, v.version) && !within(a, LOOPBACK[v.version])
      && !isNetmask(v.ip, v.version) && !isHostmask(v.ip);
    return ok ? value : null;
  },
  range_usable: (q) => hostOrNet(q, (v) => (sizeOf(v) > 1n ? usable(v).map((ip) => fmt(ip, v)).join('-') : null)),
  revdns: ({ v }) => reverseDns(v.ip, v.version),
  size: ({ v }) => pyInt(sizeOf(v)),
  size_usable: ({ v }) => pyInt(sizeOf(v) === 1n ? 0n : sizeOf(v) === 2n ? 2n : sizeOf(v) - 2n),
  type: ({ v }) => (sizeOf(v) === 1n || v.ip !== networkOf(v) ? 'address' : 'network'),
  unicast: ({ v, value }) => (isMulticast(v) ? null : value),
  version: ({ v }) => v.version,
  wrap: ({ v, vtype, value }) => (v.version === 4 ? value : vtype === 'address' ? `[${fmt(v.ip, v)}]` : `[${fmt(v.ip, v)}]/${v.prefix}`),
};
Object.assign(QUERIES, {
  lo: QUERIES.loopback, network_id: QUERIES.network, router: addressPrefix, subnet: QUERIES['network/prefix'],
  v4: QUERIES.ipv4, v6: QUERIES.ipv6, wildcard: QUERIES.hostmask,
});

/** A value as ipaddr reads it: an address, a network, an integer, or an integer network ('3232235776/24'). */
function read(value: unknown): { v: IpNet; vtype: Vtype; value: string } | undefined {
  const s = pyStr(value);
  if (typeof value === 'number' ? Number.isInteger(value) && value >= 0 : typeof value === 'string' && /^\d+$/.test(value)) {
    const v = fromInt(BigInt(s), undefined);
    return v && { v, vtype: 'address', value: formatNet(v) };
  }
  if (typeof value !== 'string') return undefined;
  const v = parseNet(value);
  if (v) return { v, vtype: value.includes('/') ? 'network' : 'address', value };
  const m = /^(\d+)\/(\d+)$/.exec(value);
  const n = m ? fromInt(BigInt(m[1]!), Number(m[2])) : undefined;
  return n && { v: n, vtype: 'network', value: formatNet(n) };
}
function fromInt(i: bigint, prefix: number | undefined): IpNet | undefined {
  for (const version of [4, 6] as const) {
    const bits = bitsOf(version);
    if (i < 1n << BigInt(bits) && (prefix ?? bits) <= bits) return { version, ip: i, prefix: prefix ?? bits };
  }
  return undefined;
}

/** ansible.utils' ipaddr(value, query, version). */
export function ipaddr(value: unknown, query: unknown = '', version: 0 | 4 | 6 = 0, alias = 'ipaddr'): unknown {
  if (Array.isArray(value)) return value.map((x) => ipaddr(x, pyStr(query), version, alias)).filter((x) => x !== false && x !== null && x !== '' && x !== 0);
  if (value === true || value === false || value === null || value === undefined || value === '' || value === 0 || isPlainObject(value)) return false;
  const r = read(value);
  if (!r) return false;
  if (version !== 0 && r.v.version !== version) return false;
  const q: Q = { ...r, alias };
  if (typeof query === 'string' && Object.hasOwn(QUERIES, query)) return QUERIES[query]!(q);
  if (typeof query === 'string' && !/^\d+$/.test(query)) {
    // a query that is a network (or an address): the value when it lies inside it
    const net = parseNet(query);
    if (net) return within(r.v, net) ? r.value : false;
  }
  const index = typeof query === 'number' ? query : typeof query === 'string' && query.trim() !== '' ? Number(query) : NaN;
  if (!Number.isNaN(index)) {
    // a number: with a network, its index-th address (from the end when negative), with the prefix
    if (sizeOf(r.v) === 1n) return r.vtype === 'address' ? fmt(r.v.ip, r.v) : formatNet(r.v);
    if (!Number.isInteger(index) || (typeof query === 'string' && !/^\s*[-+]?\d+\s*$/.test(query))) return false;
    const i = BigInt(index);
    if (i >= sizeOf(r.v) || -i > sizeOf(r.v)) return false;
    return `${fmt(i >= 0n ? networkOf(r.v) + i : (networkOf(r.v) | hostmaskOf(r.v)) + 1n + i, r.v)}/${r.v.prefix}`;
  }
  throw new TsplayError(`${alias}: unknown filter type: ${pyStr(query)}`);
}

/** ansible.utils' ipmath: an address plus or minus an integer. */
function ipmath(value: unknown, amount: unknown): string {
  const s = typeof value === 'string' ? value : pyStr(value);
  const a = s.includes('/') ? parseNet(s) : parseAddress(s);
  if (!a) throw new TsplayError(`ipmath: You must pass a valid IP address; ${s} is invalid`);
  if (typeof amount !== 'number' || !Number.isInteger(amount)) {
    throw new TsplayError(`ipmath: You must pass an integer for arithmetic; ${pyStr(amount)} is not a valid integer`);
  }
  const ip = a.ip + BigInt(amount);
  if (ip < 0n || ip >= 1n << BigInt(bitsOf(a.version))) throw new TsplayError('ipmath: result outside valid IP address boundary!');
  return formatAddress(ip, a.version);
}

const filter = (version: 0 | 4 | 6, alias: string): FuncDef => ({ min: 0, max: 1, kwargs: ['query'], fn: (v, [query], kw) => ipaddr(v, query ?? kw.query ?? '', version, alias) });

export const IPADDR_FILTERS: Record<string, FuncDef> = {
  ipaddr: filter(0, 'ipaddr'),
  ipv4: filter(4, 'ipv4'),
  ipv6: filter(6, 'ipv6'),
  ipmath: { min: 1, max: 1, fn: (v, [amount]) => ipmath(v, amount) },
};
