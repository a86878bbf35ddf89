import { firstLine, type GatherOutput } from './gather-sections.js';

type Dict = Record<string, unknown>;

/** Ansible's LinuxHardware.get_cpu_facts: processor list, count (sockets), cores, threads per core, vcpus, nproc. */
export function cpuFacts(out: GatherOutput, architecture: string): Dict {
  const processor: string[] = [];
  let i = 0;
  let vendorIds = 0;
  let modelNames = 0;
  let processors = 0;
  let physid = '0';
  let coreid = '0';
  const sockets = new Map<string, number>();
  const cores = new Map<string, number>();
  for (const line of out.files.get('/proc/cpuinfo') ?? []) {
    const colon = line.indexOf(':');
    const key = (colon < 0 ? line : line.slice(0, colon)).trim();
    const val = colon < 0 ? '' : line.slice(colon + 1).trim();
    if (['model name', 'Processor', 'vendor_id', 'cpu', 'Vendor', 'processor'].includes(key)) {
      processor.push(val);
      if (key === 'vendor_id') vendorIds++;
      if (key === 'model name') modelNames++;
      if (key === 'processor') processors++;
      i++;
    } else if (key === 'physical id') {
      physid = val;
      if (!sockets.has(physid)) sockets.set(physid, 1);
    } else if (key === 'core id') {
      coreid = val;
      if (!sockets.has(coreid)) cores.set(coreid, 1);
    } else if (key === 'cpu cores') sockets.set(physid, Number(val));
    else if (key === 'siblings') cores.set(coreid, Number(val));
  }
  if (vendorIds > 0 && vendorIds === modelNames) i = vendorIds;
  if (/^(armv|aarch|ppc)/.test(architecture)) i = processors;
  const count = sockets.size > 0 ? sockets.size : i;
  const firstSocket = [...sockets.values()][0];
  const coresPerSocket = firstSocket ? firstSocket : 1;
  const firstCore = [...cores.values()][0];
  const threads = Math.floor((firstCore ?? 1) / coresPerSocket);
  // processor_nproc: the CPUs this process may run on (Ansible: sched_getaffinity), from Cpus_allowed_list
  const allowed = (out.files.get('/proc/self/status') ?? []).find((l) => l.startsWith('Cpus_allowed_list:'))?.split(':')[1]?.trim();
  const nproc = allowed ? allowed.split(',').reduce((n, r) => { const [a, b] = r.split('-').map(Number); return n + (b === undefined ? 1 : b! - a! + 1); }, 0) : processors;
  return { processor, processor_count: count, processor_cores: coresPerSocket, processor_threads_per_core: threads, processor_vcpus: threads * count * coresPerSocket, processor_nproc: nproc };
}

/** Ansible's LinuxHardware.get_memory_facts: memtotal_mb, memfree_mb, swaptotal_mb, swapfree_mb and memory_mb. */
export function memoryFacts(out: GatherOutput): Dict {
  const kb: Record<string, number> = {};
  for (const line of out.files.get('/proc/meminfo') ?? []) {
    const m = /^(\w+):\s+(\d+)/.exec(line);
    if (m) kb[m[1]!] = Math.floor(Number(m[2]) / 1024);
  }
  const { MemTotal: total, MemFree: free, Buffers: buffers, Cached: cached, SwapTotal: swapTotal, SwapFree: swapFree, SwapCached: swapCached } = kb;
  if (total === undefined) return {};
  const nocacheFree = cached !== undefined && free !== undefined && buffers !== undefined ? cached + free + buffers : undefined;
  return {
    memtotal_mb: total,
    memfree_mb: free,
    swaptotal_mb: swapTotal,
    swapfree_mb: swapFree,
    memory_mb: {
      real: { total, used: free === undefined ? undefined : total - free, free },
      nocache: { free: nocacheFree, used: nocacheFree === undefined ? undefined : total - nocacheFree },
      swap: { total: swapTotal, free: swapFree, used: swapTotal === undefined || swapFree === undefined ? undefined : swapTotal - swapFree, cached: swapCached },
    },
  };
}

export function uptimeFacts(out: GatherOutput): Dict {
  const up = firstLine(out, '/proc/uptime');
  return up ? { uptime_seconds: Math.trunc(Number(up.split(' ')[0])) } : {};
}

/** /proc/mounts decodes spaces and other bytes as \ooo. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

/**
 * Ansible's mounts: every mounted device (path or host:/path, fstype not none) with statvfs sizes
 * (`stat -f`). uuid is N/A: Ansible asks lsblk, which tsplay does not run.
 */
export function mountFacts(out: GatherOutput): Dict {
  const stats = new Map<string, number[]>();
  for (const line of out.sections.get('statfs') ?? []) {
    const m = /^(\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (.*)$/.exec(line);
    if (m) stats.set(m[8]!, m.slice(1, 8).map(Number));
  }
  const mounts: Dict[] = [];
  for (const line of out.files.get('/proc/mounts') ?? []) {
    const [device = '', rawMount = '', fstype = '', options = '', dump = '0', passno = '0'] = line.split(' ');
    if ((!device.startsWith('/') && !device.includes(':/')) || fstype === 'none') continue;
    const mount = unescape(rawMount);
    const entry: Dict = { mount, device: unescape(device), fstype, options, dump: Number(dump), passno: Number(passno), uuid: 'N/A' };
    const s = stats.get(mount);
    if (s) {
      const [frsize = 0, bsize = 0, blocks = 0, , bavail = 0, files = 0, ffree = 0] = s;
      Object.assign(entry, {
        size_total: frsize * blocks,
        size_available: frsize * bavail,
        block_size: bsize,
        block_total: blocks,
        block_available: bavail,
        block_used: blocks - bavail,
        inode_total: files,
        inode_available: ffree,
        inode_used: files - ffree,
      });
    }
    mounts.push(entry);
  }
  return { mounts };
}

/** Ansible's LinuxVirtual, best effort: containers (cgroup, environ, marker files), openvz, xen, DMI names, QEMU CPUs, kvm host. */
export function virtualizationFacts(out: GatherOutput): Dict {
  const guest = new Set<string>();
  const host = new Set<string>();
  let type: string | undefined;
  let role: string | undefined;
  const found = (t: string, r: string | undefined, set: Set<string> = guest, tag = t) => {
    set.add(tag);
    if (type === undefined) {
      type = t;
      role = r;
    }
  };
  const has = (p: string) => out.exists.has(p);
  for (const line of out.files.get('/proc/1/cgroup') ?? []) {
    if (/\/docker(\/|-[0-9a-f]+\.scope)/.test(line)) found('docker', 'guest');
    if (/\/lxc\/|\/machine\.slice\/machine-lxc/.test(line)) found('lxc', 'guest');
    if (/\/system\.slice\/containerd\.service/.test(line)) found('containerd', 'guest');
  }
  for (const v of (out.files.get('/proc/1/environ') ?? []).join('\n').split('\0')) {
    if (v.includes('container=lxc')) found('lxc', 'guest');
    if (v.includes('container=podman')) found('podman', 'guest');
    if (/^container=./.test(v)) found('container', 'guest');
  }
  if (has('/proc/vz') && !has('/proc/lve')) found('openvz', has('/proc/bc') ? 'host' : 'guest', has('/proc/bc') ? host : guest);
  const systemdContainer = firstLine(out, '/run/systemd/container');
  if (systemdContainer) found(systemdContainer, 'guest');
  if (has('/.dockerenv') || has('/.dockerinit')) found('docker', 'guest');
  if (['docker', 'lxc', 'podman', 'openvz', 'containerd'].some((t) => guest.has(t)) || systemdContainer) guest.add('container');
  if (has('/proc/xen')) {
    const dom0 = (out.files.get('/proc/xen/capabilities') ?? []).some((l) => l.includes('control_d'));
    found('xen', dom0 ? 'host' : 'guest', dom0 ? host : guest);
  }
  const dmi = (f: string) => firstLine(out, `/sys/devices/virtual/dmi/id/${f}`);
  const product = dmi('product_name');
  const vendor = dmi('sys_vendor');
  const bios = dmi('bios_vendor');
  if (['KVM', 'KVM Server', 'Bochs', 'AHV'].includes(product ?? '')) found('kvm', 'guest');
  if (vendor === 'oVirt') found('oVirt', 'guest');
  if (vendor === 'Red Hat' && dmi('product_family') === 'RHV') found('RHV', 'guest');
  else if (vendor === 'Red Hat' && product === 'RHEV Hypervisor') found('RHEV', 'guest');
  if (['VMware Virtual Platform', 'VMware7,1'].includes(product ?? '')) found('VMware', 'guest');
  if (['OpenStack Compute', 'OpenStack Nova'].includes(product ?? '')) found('openstack', 'guest');
  if (bios === 'Xen') found('xen', 'guest');
  if (bios === 'innotek GmbH') found('virtualbox', 'guest');
  if (['Amazon EC2', 'DigitalOcean', 'Hetzner'].includes(bios ?? '')) found('kvm', 'guest');
  if (['QEMU', 'Amazon EC2', 'DigitalOcean', 'Google', 'Scaleway', 'Nutanix'].includes(vendor ?? '')) found('kvm', 'guest');
  if (vendor === 'KubeVirt') found('KubeVirt', 'guest');
  if (vendor === 'Microsoft Corporation') found('VirtualPC', 'guest');
  if (vendor === 'Parallels Software International Inc.') found('parallels', 'guest');
  if (vendor === 'OpenStack Foundation') found('openstack', 'guest');
  if ((out.files.get('/proc/cpuinfo') ?? []).some((l) => /^model name.*QEMU Virtual CPU/.test(l))) found('kvm', 'guest');
  return {
    virtualization_type: type ?? 'NA',
    virtualization_role: role ?? 'NA',
    virtualization_tech_guest: [...guest],
    virtualization_tech_host: [...host],
  };
}

/** Ansible's DMI facts from /sys (NA where the file is missing or, as product_uuid/serial for a non-root user, unreadable). */
export function dmiFacts(out: GatherOutput): Dict {
  const dmi = (f: string) => firstLine(out, `/sys/devices/virtual/dmi/id/${f}`) || 'NA';
  return {
    system_vendor: dmi('sys_vendor'), product_name: dmi('product_name'), product_version: dmi('product_version'),
    product_serial: dmi('product_serial'), product_uuid: dmi('product_uuid'),
    bios_vendor: dmi('bios_vendor'), bios_version: dmi('bios_version'), bios_date: dmi('bios_date'),
  };
}

/** cmdline (last value of a key wins) and proc_cmdline (repeated keys give a list), loadavg, fips. */
export function kernelFacts(out: GatherOutput): Dict {
  const cmdline: Dict = {};
  const proc: Dict = {};
  for (const word of (firstLine(out, '/proc/cmdline') ?? '').split(/\s+/).filter(Boolean)) {
    const i = word.indexOf('=');
    const [k, v] = i < 0 ? [word, true] : [word.slice(0, i), word.slice(i + 1)];
    cmdline[k] = v;
    proc[k] = k in proc ? [...(Array.isArray(proc[k]) ? (proc[k] as unknown[]) : [proc[k]]), v] : v;
  }
  const load = (firstLine(out, '/proc/loadavg') ?? '').split(' ').map(Number);
  return {
    cmdline,
    proc_cmdline: proc,
    ...(load.length >= 3 ? { loadavg: { '1m': load[0], '5m': load[1], '15m': load[2] } } : {}),
    fips: firstLine(out, '/proc/sys/crypto/fips_enabled') === '1',
  };
}
