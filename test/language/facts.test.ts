import test from 'ava';
import { readFileSync } from 'node:fs';
import { arch, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { freshFleet } from '../helpers/fleet.js';
import { msgs, resultsOf, runJson, tree } from './helpers.js';

/**
 * gather_facts on real hosts: the values checked against what the host itself says (other
 * commands than the gather script's), and one round trip per host (counted in sshd's log).
 * The fleet hosts have their own hostname (UTS namespace) but share the controller's kernel,
 * network namespace and /etc/os-release.
 */
const fleet = freshFleet({ size: 2 });

/** The facts of a setup result (named as the module returns them: ansible_hostname…) by their plain names. */
const unprefixed = (facts: unknown): Record<string, unknown> => Object.fromEntries(Object.entries(facts as Record<string, unknown>).map(([k, v]) => [k.replace(/^ansible_/, ''), v]));

const commandSessions = (h: string) => (readFileSync(fleet.sshdLog(h), 'utf8').match(/Starting session: command/g) ?? []).length;

test.serial('gather_facts takes one connection and one command per host', async (t) => {
  const dir = tree({ 'site.yml': '- hosts: all\n  tasks: []\n' });
  const before = fleet.hosts.map((h) => [fleet.acceptedConnections(h.name), commandSessions(h.name)]);
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', fleet.inventoryPath]);
  t.is(run.code, 0, run.stderr);
  t.deepEqual(Object.keys(resultsOf(doc, 'Gathering Facts')).sort(), ['h1', 'h2']);
  fleet.hosts.forEach((h, i) => {
    t.is(fleet.acceptedConnections(h.name) - before[i]![0]!, 1, `${h.name}: connections`);
    t.is(commandSessions(h.name) - before[i]![1]!, 1, `${h.name}: commands`);
  });
});

test.serial('the facts match the host: names, os release, kernel, architecture, network, CPUs, memory, mounts, user, date/time', async (t) => {
  const dir = tree({
    'site.yml': `- hosts: all
  tasks:
    - name: truth
      shell: |
        echo "hostname=$(cat /proc/sys/kernel/hostname)"
        echo "fqdn=$(hostname --fqdn)"
        echo "cpus=$(nproc --all)"
        echo "memkb=$(sed -n 's/^MemTotal: *\\([0-9]*\\) kB/\\1/p' /proc/meminfo)"
        echo "epoch=$(date -u +%s)"
        echo "uid=$(id -u)"
        echo "gid=$(id -g)"
        echo "passwd=$(getent passwd "$(id -un)")"
        echo "home=$HOME"
        echo "comm=$(cat /proc/1/comm)"
        echo "route=$(ip -4 route show default | head -n 1)"
        echo "sysnet=$(ls /sys/class/net | tr '\\n' ' ')"
        echo "kernel_version=$(uname -v)"
        echo "uptime=$(cut -d. -f1 /proc/uptime)"
        echo "root=$(df -B1 --output=source,size / | tail -n 1)"
        echo "nameservers=$(awk '$1 == "nameserver" {print $2}' /etc/resolv.conf | tr '\\n' ' ')"
        echo "selinux=$(test -e /sys/fs/selinux/enforce && echo yes || echo no)"
        echo "lsb=$(lsb_release -sirc 2>/dev/null | tr '\\n' '|')"
      register: truth
    - name: facts as variables
      debug:
        msg: "{{ ansible_hostname }}|{{ ansible_facts.hostname }}|{{ ansible_distribution }}|{{ ansible_os_family }}|{{ ansible_date_time.date }}"
`,
  });
  const started = Math.floor(Date.now() / 1000);
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', fleet.inventoryPath]);
  const ended = Math.ceil(Date.now() / 1000);
  t.is(run.code, 0, run.stderr);
  const osRelease = Object.fromEntries(readFileSync('/etc/os-release', 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"|"$/g, '')]));
  const ipv4 = Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv4' && !a.address.startsWith('127.')).map((a) => a!.address).sort();
  const gathered = resultsOf(doc, 'Gathering Facts');
  const truth = resultsOf(doc, 'truth');
  const shown = msgs(doc, 'facts as variables');
  for (const h of ['h1', 'h2']) {
    const f = unprefixed(gathered[h]!.ansible_facts);
    const host = Object.fromEntries(String(truth[h]!.stdout).split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    t.is(f.hostname, h);
    t.is(f.hostname, host.hostname);
    t.is(f.fqdn, host.fqdn);
    t.is(f.kernel, readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
    t.is(f.architecture, arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch());
    t.is(f.distribution_major_version, String(osRelease.VERSION_ID).split('.')[0]);
    t.is(f.distribution_release, osRelease.VERSION_CODENAME);
    if (osRelease.ID === 'debian') {
      // as Ansible on Debian: the point release from /etc/debian_version, apt whatever else is installed
      t.like(f, { distribution: 'Debian', os_family: 'Debian', distribution_file_variety: 'Debian', distribution_version: readFileSync('/etc/debian_version', 'utf8').trim(), pkg_mgr: 'apt' });
    }
    t.is(f.kernel_version, host.kernel_version);
    // Ansible names the service manager after PID 1's command, unless that is 'init' or a shell
    if (host.comm !== 'init' && !host.comm!.endsWith('sh')) t.is(f.service_mgr, host.comm);
    t.like(f, { user_id: 'root', user_uid: Number(host.uid), user_gid: Number(host.gid), user_dir: host.passwd!.split(':')[5], user_shell: host.passwd!.split(':')[6] });
    t.is((f.env as Record<string, string>).HOME, host.home);
    const [, gateway, iface] = /via (\S+) dev (\S+)/.exec(host.route!) ?? [];
    const nic = networkInterfaces()[iface!]?.find((a) => a.family === 'IPv4');
    t.like(f.default_ipv4 as object, { interface: iface, gateway, address: nic?.address, netmask: nic?.netmask, macaddress: nic?.mac });
    t.deepEqual([...(f.interfaces as string[])].sort(), host.sysnet!.trim().split(' ').sort());
    const ipv6 = Object.values(networkInterfaces()).flat().filter((a) => a && a.family === 'IPv6' && a.address !== '::1').map((a) => a!.address).sort();
    t.deepEqual([...(f.all_ipv6_addresses as string[])].sort(), ipv6);
    t.deepEqual(((f.dns as { nameservers?: string[] }).nameservers ?? []).join(' '), host.nameservers!.trim());
    t.true(Number(f.uptime_seconds) <= Number(host.uptime) && Number(f.uptime_seconds) >= Number(host.uptime) - 60);
    const [rootDev, rootSize] = host.root!.trim().split(/\s+/);
    t.like((f.mounts as { mount: string }[]).find((m) => m.mount === '/'), { device: rootDev, size_total: Number(rootSize) });
    if (host.selinux === 'no') t.deepEqual(f.selinux, { status: 'disabled' });
    if (host.lsb) {
      const [id, release, codename] = host.lsb.split('|');
      t.like(f.lsb as object, { id, release, codename, major_release: release!.split('.')[0] });
    }
    t.deepEqual([...(f.all_ipv4_addresses as string[])].sort(), ipv4);
    t.is(f.processor_vcpus, Number(host.cpus));
    t.is(f.memtotal_mb, Math.floor(Number(host.memkb) / 1024));
    t.is((f.memory_mb as { real: { total: number } }).real.total, f.memtotal_mb as number);
    t.is(Number(f.processor_threads_per_core) * Number(f.processor_cores) * Number(f.processor_count), f.processor_vcpus as number);
    const dt = f.date_time as Record<string, string>;
    const epoch = Number(dt.epoch);
    t.true(epoch >= started - 1 && epoch <= Number(host.epoch) && Number(host.epoch) <= ended, `epoch ${epoch} within the run`);
    t.is(dt.date, new Date(epoch * 1000).toISOString().slice(0, 10));
    t.is(shown[h], `${h}|${h}|${f.distribution}|${f.os_family}|${dt.date}`);
  }
});

test.serial('gather_facts: no gathers nothing and contacts the host only for the tasks', async (t) => {
  const dir = tree({ 'site.yml': '- hosts: all\n  gather_facts: no\n  tasks:\n    - name: no facts\n      debug:\n        msg: "{{ default ansible_hostname \'none\' }}"\n' });
  const before = commandSessions('h1');
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', fleet.inventoryPath, '-l', 'h1']);
  t.is(run.code, 0, run.stderr);
  t.deepEqual(msgs(doc, 'no facts'), { h1: 'none' });
  t.is(commandSessions('h1') - before, 0, 'debug runs on the controller: no command on the host');
  t.throws(() => resultsOf(doc, 'Gathering Facts'));
});

test.serial("date_time is the host's local time, as in Ansible (tz, hour and date agree)", async (t) => {
  // gather.ts builds date/time/hour... from the epoch in UTC (parseFacts: new Date(epoch).toISOString())
  // while `tz` is the host's zone: with TZ=America/New_York the facts say tz=EST, hour=<UTC hour>.
  // Ansible's date_time.{date,time,hour,...} are local; only iso8601 is UTC.
  const dir = tree({ 'site.yml': '- hosts: all\n  environment:\n    TZ: America/New_York\n  tasks:\n    - name: local\n      command: date +%Y-%m-%d/%H/%Z\n' });
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', fleet.inventoryPath, '-l', 'h1']);
  t.is(run.code, 0, run.stderr);
  const dt = unprefixed(resultsOf(doc, 'Gathering Facts').h1!.ansible_facts).date_time as Record<string, string>;
  const [date, hour, tz] = String(resultsOf(doc, 'local').h1!.stdout).split('/');
  t.is(dt.tz, tz);
  t.is(dt.hour, hour);
  t.is(dt.date, date);
});

test.serial("ansible_python: the host's Python as Ansible reports it (ansible_python_interpreter, else its discovery list)", async (t) => {
  const dir = tree({
    'site.yml': `- hosts: all
  tasks:
    - name: truth
      command: "{{ ansible_python.executable }} -c 'import sys; print(list(sys.version_info))'"
      register: truth
    - name: facts
      debug:
        msg: "{{ ansible_python.executable }}|{{ ansible_python_version }}|{{ ansible_python.version_info }}|{{ ansible_python.version.major }}"
`,
  });
  const given = await runJson([join(dir, 'site.yml'), '-i', fleet.inventoryPath, '-l', 'h1', '-e', 'ansible_python_interpreter=/usr/bin/python3']);
  t.is(given.run.code, 0, given.run.stderr);
  const [major, minor, micro, level, serial] = JSON.parse(String(resultsOf(given.doc, 'truth').h1!.stdout).replaceAll("'", '"')) as [number, number, number, string, number];
  t.is(msgs(given.doc, 'facts').h1, `/usr/bin/python3|${major}.${minor}.${micro}|[${major}, ${minor}, ${micro}, '${level}', ${serial}]|${major}`);
  const discovered = await runJson([join(dir, 'site.yml'), '-i', fleet.inventoryPath, '-l', 'h1']);
  t.is(discovered.run.code, 0, discovered.run.stderr);
  // Ansible 2.14's list starts with python3.11 … python3.5, then /usr/bin/python3
  t.regex(String(msgs(discovered.doc, 'facts').h1), /^\/\S+\/python(3\.\d+)?\|/);
});

test.serial("setup's filter is Python's fnmatch over the fact names, ansible_ prefix or not: * ? [seq]; registered under the module's ansible_ names", async (t) => {
  const dir = tree({
    'site.yml': `- hosts: h1
  gather_facts: false
  tasks:
    - setup:
        filter: ['ansible_host?ame', 'distribution_[mv]*', 'ansible_nodename']
      register: r
    - name: keys
      debug: msg="{{ r.ansible_facts.keys() | sort | join(',') }}"
    - name: stored
      debug: msg="{{ ansible_facts.keys() | sort | join(',') }} {{ ansible_facts.hostname == ansible_hostname }}"
`,
  });
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', fleet.inventoryPath]);
  t.is(run.code, 0, run.stderr);
  // registered as the module returned them (ansible_ names); stored without the prefix under ansible_facts
  t.is(msgs(doc, 'keys').h1, 'ansible_distribution_major_version,ansible_distribution_minor_version,ansible_distribution_version,ansible_hostname,ansible_nodename');
  t.is(msgs(doc, 'stored').h1, 'distribution_major_version,distribution_minor_version,distribution_version,hostname,nodename True');
});

test.serial('ANSIBLE_INJECT_FACT_VARS=false: gathered facts only under ansible_facts, not as ansible_* variables', async (t) => {
  const dir = tree({
    'site.yml': `- hosts: h1
  tasks:
    - name: facts
      debug: msg="{{ ansible_hostname is defined }} {{ ansible_facts.hostname }}"
`,
  });
  const { run, doc } = await runJson([join(dir, 'site.yml'), '-i', fleet.inventoryPath], { ANSIBLE_INJECT_FACT_VARS: 'false' });
  t.is(run.code, 0, run.stderr);
  t.is(msgs(doc, 'facts').h1, 'False h1');
  const injected = await runJson([join(dir, 'site.yml'), '-i', fleet.inventoryPath]);
  t.is(msgs(injected.doc, 'facts').h1, 'True h1');
});
