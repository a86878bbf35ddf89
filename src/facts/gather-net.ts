import { firstLine, type GatherOutput } from './gather-sections.js';

/** Ansible's LinuxNetwork.INTERFACE_TYPE (/sys/class/net/X/type). */
const INTERFACE_TYPE: Record<string, string> = { '1': 'ether', '32': 'infiniband', '512': 'ppp', '772': 'loopback', '65534': 'tunnel' };
const V4_PROBE = '8.8.8.8';
const V6_PROBE = '2404:6800:400a:800::1012';

type Dict = Record<string, unknown>;

/** Append to the list under `key`, creating it. */
function pushTo(obj: Dict, key: string, ...values: unknown[]): void {
  ((obj[key] as unknown[] | undefined) ?? (obj[key] = [] as unknown[]) as unknown[]).push(...values);
}

function ipv4Entry(cidr: string, broadcast: string): Dict {
  const [address = '', len = '32'] = cidr.split('/');
  const bits = Number(len);
  const ip = address.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const dotted = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
  return { address, broadcast, netmask: dotted(mask), network: dotted((ip & mask) >>> 0), prefix: len };
}

/**
 * interfaces, ansible_<device> (as Ansible's LinuxNetwork: /sys/class/net plus `ip addr`), default_ipv4/6
 * (`ip route get` of Ansible's probe addresses), all_ipv4/ipv6_addresses.
 */
export function networkFacts(out: GatherOutput): Dict {
  const devices: Record<string, Dict> = {};
  const sysNet = /^\/sys\/class\/net\/([^/]+)\/(address|mtu|operstate|type|flags)$/;
  for (const [path, lines] of out.files) {
    const m = sysNet.exec(path);
    if (!m) continue;
    const dev = (devices[m[1]!] ??= { device: m[1]! });
    const v = (lines[0] ?? '').trim();
    if (m[2] === 'address' && v && v !== '00:00:00:00:00:00') dev.macaddress = v;
    if (m[2] === 'mtu') dev.mtu = Number(v);
    if (m[2] === 'operstate') dev.active = v !== 'down';
    if (m[2] === 'type') dev.type = INTERFACE_TYPE[v] ?? 'unknown';
    if (m[2] === 'flags') dev.promisc = (Number.parseInt(v, 16) & 0x100) > 0;
  }
  const defaults: { v4: Dict; v6: Dict } = { v4: {}, v6: {} };
  const all4: string[] = [];
  const all6: string[] = [];
  const addrLines: string[][] = [];
  for (const line of out.sections.get('ip') ?? []) {
    const words = line.split('\\')[0]!.trim().split(/\s+/);
    if (words[0] === V4_PROBE || words[0] === V6_PROBE) {
      const d = words[0] === V4_PROBE ? defaults.v4 : defaults.v6;
      for (let i = 0; i < words.length - 1; i++) {
        if (words[i] === 'dev') d.interface = words[i + 1];
        else if (words[i] === 'src') d.address = words[i + 1];
        else if (words[i] === 'via' && words[i + 1] !== words[0]) d.gateway = words[i + 1];
      }
    } else if (/^\d+:$/.test(words[0] ?? '')) addrLines.push(words.slice(1));
  }
  for (const [device = '', family, ...rest] of addrLines) {
    const dev = (devices[device] ??= { device });
    if (family === 'inet') {
      const brd = rest[1] === 'brd' ? rest[2]! : '';
      const entry = ipv4Entry(rest[0]!.includes('/') ? rest[0]! : `${rest[0]}/32`, brd);
      const label = rest[rest.length - 1]!;
      const secondary = rest.includes('secondary');
      const target = label !== device ? (devices[label] ??= {}) : dev;
      if (!secondary && !('ipv4' in target)) target.ipv4 = entry;
      else pushTo(target, 'ipv4_secondaries', entry);
      if (defaults.v4.address === entry.address) {
        Object.assign(defaults.v4, { broadcast: entry.broadcast, netmask: entry.netmask, network: entry.network, prefix: entry.prefix, macaddress: dev.macaddress, mtu: dev.mtu, type: dev.type ?? 'unknown', alias: label });
      }
      if (!String(entry.address).startsWith('127.')) all4.push(String(entry.address));
    } else if (family === 'inet6') {
      const peer = rest[1] === 'peer';
      const [address = '', prefix = ''] = peer ? [rest[0], rest[2]?.split('/')[1]] : rest[0]!.split('/');
      const scope = peer ? rest[4] : rest[2];
      pushTo(dev, 'ipv6', { address, prefix, scope });
      if (defaults.v6.address === address) Object.assign(defaults.v6, { prefix, scope, macaddress: dev.macaddress, mtu: dev.mtu, type: dev.type ?? 'unknown' });
      if (address !== '::1') all6.push(address);
    }
  }
  const facts: Dict = {};
  const names = Object.keys(devices).map((d) => d.replace(/:/g, '_'));
  // Ansible's fact names turn '-' into '_' (ansible_br_lan); the interfaces list keeps the device names.
  for (const [name, dev] of Object.entries(devices)) facts[name.replace(/[:-]/g, '_')] = dev;
  return {
    ...facts,
    interfaces: names,
    default_ipv4: defaults.v4,
    default_ipv6: defaults.v6,
    all_ipv4_addresses: all4,
    all_ipv6_addresses: all6,
  };
}

/** Ansible's dns fact: /etc/resolv.conf. */
export function dnsFact(out: GatherOutput): Dict {
  const dns: Dict = {};
  for (const line of out.files.get('/etc/resolv.conf') ?? []) {
    if (/^[#;]/.test(line) || line.trim() === '') continue;
    const [key, ...tokens] = line.trim().split(/\s+/);
    if (key === 'nameserver') pushTo(dns, 'nameservers', ...tokens);
    else if (key === 'domain' && tokens.length > 0) dns.domain = tokens[0];
    else if (key === 'search') dns.search = tokens;
    else if (key === 'sortlist') dns.sortlist = tokens;
    else if (key === 'options') dns.options = Object.fromEntries(tokens.map((o) => { const i = o.indexOf(':'); return i < 0 ? [o, true] : [o.slice(0, i), o.slice(i + 1)]; }));
  }
  return { dns };
}

/** hostname, nodename, fqdn, domain (Ansible: what follows the first dot of the fqdn). */
export function nameFacts(out: GatherOutput, nodename: string): Dict {
  const fqdn = out.sections.get('fqdn')?.[0]?.trim() || nodename;
  const dot = fqdn.indexOf('.');
  return { hostname: nodename.split('.')[0], nodename, fqdn, domain: dot < 0 ? '' : fqdn.slice(dot + 1), machine_id: firstLine(out, '/etc/machine-id') };
}
