import test from 'ava';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { ConnectionPool } from '../../src/connection/pool.js';
import { targetFromVars } from '../../src/connection/target.js';
import { UnreachableError } from '../../src/connection/types.js';
import { parseRecap, runCli } from '../helpers/cli.js';

/**
 * Bastions on the test fleet. The hosts behind a jump host are named in the ssh config by names that
 * only the jump host's own /etc/hosts knows (each test host has a private /etc/hosts): the controller
 * cannot resolve them, so the jump host is the only way in.
 */
let fleet: Fleet;
let config: string;

const INNER: Record<string, [host: string, via: string]> = {
  'inner-db': ['t1', 'j1'],
  'inner-db2': ['t2', 'j1'],
  'hop2-inner': ['j2', 'j1'],
  'deep-db': ['t3', 'j2'],
};

test.before(async () => {
  fleet = await startFleet({ names: ['j1', 'j2', 't1', 't2', 't3'] });
  for (const [name, [host, via]] of Object.entries(INNER)) appendFileSync(fleet.path(via, '/etc/hosts'), `${fleet.host(host).address} ${name}\n`);
  const addr = (h: string) => fleet.host(h).address;
  const defaults = join(fleet.dir, 'ssh_defaults.conf');
  writeFileSync(defaults, ['Host *', '  Port 2222', '  User root', `  IdentityFile ${fleet.keyPath}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${fleet.knownHostsPath}`, ''].join('\n'));
  config = join(fleet.dir, 'ssh_config');
  writeFileSync(
    config,
    [
      '# the bastion, then hosts only it can reach',
      'Host jump1',
      `  HostName ${addr('j1')}`,
      'Host hop2',
      '  HostName hop2-inner',
      `  HostKeyAlias ${addr('j2')}`,
      'Host db1 db2',
      '  ProxyJump jump1',
      'Host db1',
      '  HostName inner-db',
      `  HostKeyAlias ${addr('t1')}`,
      'Host db2',
      '  HostName inner-db2',
      `  HostKeyAlias ${addr('t2')}`,
      'Host deep',
      '  HostName deep-db',
      '  ProxyJump jump1,hop2',
      '# Match host sees the HostName set above',
      'Match host deep-db',
      `  HostKeyAlias ${addr('t3')}`,
      'Host via-command',
      '  HostName inner-db',
      `  HostKeyAlias ${addr('t1')}`,
      `  ProxyCommand ssh -F /dev/null -i ${fleet.keyPath} -o UserKnownHostsFile=${fleet.knownHostsPath} -o BatchMode=yes -p 2222 %r@${addr('j1')} -W %h:%p`,
      `Include ${defaults}`,
      '',
    ].join('\n'),
  );
});
test.after.always(async () => {
  await fleet?.stop();
});

/** A host as an inventory names it: only ansible_host and `-F config`; everything else from the file. */
const target = (host: string, extra: Record<string, unknown> = {}) =>
  targetFromVars(host, { ansible_host: host, ansible_ssh_common_args: `-F ${config}`, ...extra }, {});

async function hostname(pool: ConnectionPool, host: string, extra: Record<string, unknown> = {}): Promise<string> {
  const conn = await pool.get(target(host, extra));
  return (await conn.exec('hostname')).stdout.trim();
}

const sessions = (h: string) => fleet.acceptedConnections(h);

test.serial('a host named in the ssh config is reached through its ProxyJump; hosts behind one jump share its connection', async (t) => {
  const before = { j1: sessions('j1'), t1: sessions('t1'), t2: sessions('t2') };
  const tg = target('db1');
  t.like(tg, { address: 'inner-db', port: 2222, user: 'root', hostKeyAlias: fleet.host('t1').address });
  t.like(tg.via, { address: fleet.host('j1').address, port: 2222, user: 'root' });
  const pool = new ConnectionPool();
  try {
    t.deepEqual(await Promise.all([hostname(pool, 'db1'), hostname(pool, 'db2')]), ['t1', 't2']);
  } finally {
    await pool.closeAll();
  }
  // the jump host's sshd logged exactly one session for both hosts behind it
  t.is(sessions('j1') - before.j1, 1);
  t.is(sessions('t1') - before.t1, 1);
  t.is(sessions('t2') - before.t2, 1);
  t.regex(readFileSync(fleet.sshdLog('j1'), 'utf8'), /Accepted publickey for root/);
});

test.serial('the name only the jump host knows cannot be reached directly, nor with the jump host stopped', async (t) => {
  const pool = new ConnectionPool();
  try {
    const direct = targetFromVars('db1', { ...fleet.connectionVars('t1'), ansible_host: 'inner-db' }, {});
    const e = await t.throwsAsync(pool.get(direct), { instanceOf: UnreachableError });
    t.regex(e!.message, /inner-db/);
  } finally {
    await pool.closeAll();
  }
  await fleet.stopHost('j1');
  const pool2 = new ConnectionPool();
  try {
    const e = await t.throwsAsync(pool2.get(target('db1')), { instanceOf: UnreachableError });
    t.is(e!.message, `through jump jump1: ssh root@${fleet.host('j1').address}:2222: connection refused`);
  } finally {
    await pool2.closeAll();
    await fleet.startHost('j1');
  }
});

test.serial('a two-hop ProxyJump chain (jump1,hop2) reaches a host only the second hop knows', async (t) => {
  const before = { j1: sessions('j1'), j2: sessions('j2'), t3: sessions('t3') };
  const pool = new ConnectionPool();
  try {
    t.is(await hostname(pool, 'deep'), 't3');
  } finally {
    await pool.closeAll();
  }
  t.deepEqual([sessions('j1') - before.j1, sessions('j2') - before.j2, sessions('t3') - before.t3], [1, 1, 1]);
});

test.serial('ProxyCommand: the command runs (%r %h %p expanded) and SSH goes over its stdio', async (t) => {
  const before = sessions('j1');
  const tg = target('via-command');
  t.is(tg.proxyCommand?.endsWith(`root@${fleet.host('j1').address} -W inner-db:2222`), true, tg.proxyCommand);
  const pool = new ConnectionPool();
  try {
    t.is(await hostname(pool, 'via-command'), 't1');
  } finally {
    await pool.closeAll();
  }
  t.is(sessions('j1') - before, 1);
  // a command that fails says why, in one line
  const bad = targetFromVars('x', { ansible_host: 'db1', ansible_ssh_common_args: `-F ${config} -o ProxyCommand="sh -c 'echo no route to bastion >&2; exit 3'"` }, {});
  const pool2 = new ConnectionPool();
  try {
    const e = await t.throwsAsync(pool2.get(bad), { instanceOf: UnreachableError });
    t.regex(e!.message, /^ProxyCommand .* exited 3: no route to bastion$/);
  } finally {
    await pool2.closeAll();
  }
});

test.serial("Ansible's spelling through the CLI: -o ProxyJump=… in ansible_ssh_common_args; inventory variables win over the file", async (t) => {
  const inv = join(fleet.dir, 'bastion-inventory.ini');
  writeFileSync(
    inv,
    [
      'db1',
      `other ansible_host=inner-db2 ansible_ssh_common_args="-F ${config} -o ProxyJump=jump1 -o HostKeyAlias=${fleet.host('t2').address}"`,
      // the file says Port 2222; the inventory's port wins (and nothing listens on 2299)
      'wrongport ansible_host=db1 ansible_port=2299',
      '[all:vars]',
      `ansible_ssh_common_args=-F ${config}`,
      '',
    ].join('\n'),
  );
  const pb = join(fleet.dir, 'bastion.yml');
  writeFileSync(pb, '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: hostname\n      register: h\n    - debug: { msg: "on {{ h.stdout }}" }\n');
  const r = await runCli([pb, '-i', inv]);
  t.is(r.code, 4, r.stdout + r.stderr);
  t.regex(r.stdout, /"msg": "on t1"/);
  t.regex(r.stdout, /"msg": "on t2"/);
  t.regex(r.stdout, /fatal: \[wrongport\]: UNREACHABLE!.*:2299/);
  t.like(parseRecap(r.stdout), { db1: { ok: 2 }, other: { ok: 2 }, wrongport: { unreachable: 1 } });
});
