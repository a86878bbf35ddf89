import test from 'ava';
import { readFileSync } from 'node:fs';
import { arch, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { msgs, resultsOf, runJson, tree } from './helpers.js';

/**
 * gather_facts on real hosts: the values checked against what the host itself says (other
 * commands than the gather script's), and one round trip per host (counted in sshd's log).
 * The fleet hosts have their own hostname (UTS namespace) but share the controller's kernel,
 * network namespace and /etc/os-release.
 */
let fleet: Fleet;
test.before(async () => {
  fleet = await startFleet({ size: 2 });
});
test.after.always(async () => {
  await fleet?.stop();
});

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

test.serial('the facts match the host: hostname, fqdn, os release, kernel, architecture, IPv4, CPUs, memory, date/time', async (t) => {
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
    const f = gathered[h]!.ansible_facts as Record<string, unknown>;
    const host = Object.fromEntries(String(truth[h]!.stdout).split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    t.is(f.hostname, h);
    t.is(f.hostname, host.hostname);
    t.is(f.fqdn, host.fqdn);
    t.is(f.kernel, readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
    t.is(f.architecture, arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : arch());
    t.is(f.distribution_version, osRelease.VERSION_ID);
    t.is(f.distribution, osRelease.ID === 'debian' ? 'Debian' : f.distribution);
    t.is(f.distribution_major_version, String(osRelease.VERSION_ID).split('.')[0]);
    t.deepEqual([...(f.all_ipv4_addresses as string[])].sort(), ipv4);
    t.is(f.processor_vcpus, Number(host.cpus));
    t.is(f.memtotal_mb, Math.floor(Number(host.memkb) / 1024));
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
  const dt = (resultsOf(doc, 'Gathering Facts').h1!.ansible_facts as { date_time: Record<string, string> }).date_time;
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
