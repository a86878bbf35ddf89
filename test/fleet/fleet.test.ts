import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, standinsBin, type Fleet } from '../../src/fleet/fleet.js';

/** Run `command` on a fleet host with the real OpenSSH client, verifying its host key. */
function ssh(fleet: Fleet, name: string, command: string, user = 'root'): Promise<{ rc: number; stdout: string; stderr: string }> {
  const h = fleet.host(name);
  const args = ['-F', '/dev/null', '-i', fleet.keyPath, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes'];
  args.push('-o', `UserKnownHostsFile=${fleet.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'ConnectTimeout=5');
  args.push('-p', String(h.port), `${user}@${h.address}`, command);
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (rc) => resolve({ rc: rc ?? -1, stdout, stderr }));
  });
}

function tcpAccepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let fleet: Fleet;
test.before(async () => {
  fleet = await startFleet({ size: 5, groups: { sip: ['h1', 'h2'], db: ['h5'] }, vars: { site: 'lab' } });
});
test.after.always(async () => {
  await fleet?.stop();
});

// Serial tests run first, alone: they count connections and stop hosts.
test.serial('acceptedConnections counts each authenticated SSH connection', async (t) => {
  const before = fleet.acceptedConnections('h2');
  for (let i = 0; i < 3; i++) t.is((await ssh(fleet, 'h2', 'true')).rc, 0);
  t.is(fleet.acceptedConnections('h2'), before + 3);
  t.regex(readFileSync(fleet.sshdLog('h2'), 'utf8'), /Accepted publickey for root from 127\./);
});

test.serial('stopHost drops open sessions and refuses the port; startHost brings it back with the same key', async (t) => {
  const h = fleet.host('h5');
  const oldPid = h.pid;
  const session = ssh(fleet, 'h5', 'echo started; sleep 60');
  while (fleet.acceptedConnections('h5') === 0) await new Promise((r) => setTimeout(r, 20));
  await fleet.stopHost('h5');
  t.false(pidAlive(oldPid));
  t.false(await tcpAccepts(h.address, h.port));
  t.not((await session).rc, 0, 'the open session was cut, not left running');
  t.is((await ssh(fleet, 'h5', 'true')).rc, 255);

  await fleet.startHost('h5');
  t.not(h.pid, oldPid);
  t.true(pidAlive(h.pid));
  const back = await ssh(fleet, 'h5', 'hostname');
  t.is(back.rc, 0, back.stderr); // StrictHostKeyChecking=yes: same host key as before
  t.is(back.stdout.trim(), 'h5');
});

test('a file written on h3 under /opt is invisible on h4 and on the controller', async (t) => {
  const file = `/opt/isolation-${process.pid}.txt`;
  t.is((await ssh(fleet, 'h3', `echo from-h3 > ${file}`)).rc, 0);
  t.is(readFileSync(fleet.path('h3', file), 'utf8'), 'from-h3\n');
  t.is((await ssh(fleet, 'h3', `cat ${file}`)).stdout, 'from-h3\n');
  t.is((await ssh(fleet, 'h4', `test -e ${file}`)).rc, 1);
  t.false(existsSync(file));
  t.false(existsSync(fleet.path('h4', file)));
});

test('controller-side writes into a host path show up on that host only', async (t) => {
  writeFileSync(fleet.path('h1', '/etc/kamailio/kamailio.cfg'), '# h1 config\n');
  t.is((await ssh(fleet, 'h1', 'cat /etc/kamailio/kamailio.cfg')).stdout, '# h1 config\n');
  t.is((await ssh(fleet, 'h2', 'test -e /etc/kamailio/kamailio.cfg')).rc, 1);
  t.throws(() => fleet.path('h1', '/usr/bin/env'), { message: /shared with the controller/ });
});

test('each host has its own hostname, LAB_HOST and the stand-ins first in PATH', async (t) => {
  for (const h of fleet.hosts.slice(0, 4)) {
    const r = await ssh(fleet, h.name, 'hostname; echo "$LAB_HOST"; echo "$PATH"; test -d "${PATH%%:*}" && echo visible');
    t.is(r.rc, 0, r.stderr);
    const [hostname, labHost, path, visible] = r.stdout.trim().split('\n');
    t.is(hostname, h.name);
    t.is(labHost, h.name);
    t.is(path!.split(':')[0], standinsBin());
    t.is(visible, 'visible', 'the stand-ins dir is reachable inside the host namespace');
  }
});

test('labuser logs in with the fleet key and can sudo -n, keeping PATH and LAB_HOST', async (t) => {
  const r = await ssh(fleet, 'h4', 'id -un; sudo -n true && sudo -n sh -c \'id -u; echo "$LAB_HOST"; echo "$PATH"\'', 'labuser');
  t.is(r.rc, 0, r.stderr);
  t.is(r.stderr, '', 'sudo prints no warnings (the host name resolves)');
  const [user, uid, labHost, path] = r.stdout.trim().split('\n');
  t.is(user, 'labuser');
  t.is(uid, '0');
  t.is(labHost, 'h4');
  t.is(path!.split(':')[0], standinsBin());
});

test('each host has its own empty rpm database at /var/lib/rpm', async (t) => {
  const r = await ssh(fleet, 'h3', 'rpm --eval %_dbpath; rpm -qa | wc -l');
  t.is(r.rc, 0, r.stderr);
  t.deepEqual(r.stdout.trim().split('\n'), ['/var/lib/rpm', '0']);
  t.true(existsSync(fleet.path('h3', '/var/lib/rpm/rpmdb.sqlite')));
});

test('the inventory lists hosts, groups and connection vars', (t) => {
  const ini = readFileSync(fleet.inventoryPath, 'utf8');
  const h1 = fleet.host('h1');
  t.true(ini.startsWith(`h1 ansible_host=${h1.address} ansible_port=${h1.port}\n`));
  t.regex(ini, /\n\[sip\]\nh1\nh2\n/);
  t.regex(ini, /\n\[db\]\nh5\n/);
  t.true(ini.includes(`\n[all:vars]\nansible_user=root\nansible_ssh_private_key_file=${fleet.keyPath}\n`));
  t.true(ini.includes(`tsplay_known_hosts_file=${fleet.knownHostsPath}\n`));
  t.true(ini.includes('\nsite=lab\n'));
  t.regex(readFileSync(fleet.knownHostsPath, 'utf8'), new RegExp(`^\\[${h1.address.replace(/\./g, '\\.')}\\]:${h1.port} ssh-ed25519 `, 'm'));
});

test('two fleets started at once get distinct addresses and stop() kills exactly their sshds', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tsplay-fleet-')); // also proves a fleet dir under a private path works
  const [a, b] = await Promise.all([startFleet({ size: 2, dir: join(dir, 'a') }), startFleet({ size: 2, names: ['x', 'y'] })]);
  try {
    const addresses = [...a.hosts, ...b.hosts, ...fleet.hosts].map((h) => h.address);
    t.is(new Set(addresses).size, addresses.length);
    writeFileSync(a.path('h1', '/etc/sre/token'), 'fleet-a\n');
    writeFileSync(b.path('x', '/etc/sre/token'), 'fleet-b\n');
    t.is((await ssh(a, 'h1', 'cat /etc/sre/token; hostname')).stdout, 'fleet-a\nh1\n');
    t.is((await ssh(b, 'x', 'cat /etc/sre/token; hostname')).stdout, 'fleet-b\nx\n');
    const pids = a.hosts.map((h) => h.pid);
    await a.stop();
    t.false(pids.some(pidAlive));
    t.true(b.hosts.every((h) => pidAlive(h.pid)));
    t.true(fleet.hosts.every((h) => pidAlive(h.pid)));
    // a fleet started again in the same dir replaces the keys left there (ssh-keygen would ask and hang)
    const again = await startFleet({ size: 1, dir: join(dir, 'a') });
    try {
      t.is((await ssh(again, 'h1', 'hostname')).stdout, 'h1\n');
    } finally {
      await again.stop();
    }
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
});
