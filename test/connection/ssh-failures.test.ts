import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { ConnectionPool } from '../../src/connection/pool.js';
import { UnreachableError } from '../../src/connection/types.js';
import { fleetTarget } from './helpers.js';

let fleet: Fleet;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

test.before(async () => {
  process.on('unhandledRejection', onUnhandled);
  fleet = await startFleet({ size: 3 });
});
test.after.always(async () => {
  process.off('unhandledRejection', onUnhandled);
  await fleet?.stop();
});

/** A known_hosts file in the fleet dir with these lines. */
function knownHosts(name: string, lines: string[]): string {
  const path = join(fleet.dir, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

/** The fleet's known_hosts line for one host. */
function lineFor(host: string): string {
  const h = fleet.host(host);
  return readFileSync(fleet.knownHostsPath, 'utf8').split('\n').find((l) => l.startsWith(`[${h.address}]:${h.port} `))!;
}

async function unreachable(t: import('ava').ExecutionContext, p: Promise<unknown>): Promise<UnreachableError> {
  const e = await t.throwsAsync(p);
  t.true(e instanceof UnreachableError, String(e));
  return e as UnreachableError;
}

test('an unknown host key is refused with a clear message', async (t) => {
  // only this test connects to h2
  const h = fleet.host('h2');
  const kh = knownHosts('kh-unknown', [lineFor('h1')]);
  const pool = new ConnectionPool();
  const e = await unreachable(t, pool.get(fleetTarget(fleet, 'h2', { tsplay_known_hosts_file: kh })));
  t.is(e.host, 'h2');
  t.is(
    e.message,
    `ssh root@${h.address}:${h.port}: host key for [${h.address}]:${h.port} is not in ${kh}; add it (ssh-keyscan) or set host_key_checking=false`,
  );
  t.is(fleet.acceptedConnections('h2'), 0, 'refused before authenticating');
});

test('with host key checking off, an unknown host is accepted', async (t) => {
  const kh = knownHosts('kh-empty', []);
  const pool = new ConnectionPool();
  const conn = await pool.get(fleetTarget(fleet, 'h1', { tsplay_known_hosts_file: kh, ansible_host_key_checking: false }));
  t.is((await conn.exec('echo $LAB_HOST')).stdout, 'h1\n');
  await pool.closeAll();
});

test('a changed host key is refused even with checking off', async (t) => {
  // h1's address with h2's key: same key type, different key
  const h = fleet.host('h1');
  const wrong = lineFor('h2').replace(/^\S+/, `[${h.address}]:${h.port}`);
  const kh = knownHosts('kh-changed', [wrong]);
  for (const checking of [true, false]) {
    const pool = new ConnectionPool();
    const e = await unreachable(t, pool.get(fleetTarget(fleet, 'h1', { tsplay_known_hosts_file: kh, ansible_host_key_checking: checking })));
    t.regex(e.message, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
    t.true(e.message.includes(`${kh}:1`));
  }
});

test('hashed known_hosts entries (ssh-keygen -H) are honoured', async (t) => {
  const kh = knownHosts('kh-hashed', [lineFor('h2'), lineFor('h1')]);
  execFileSync('ssh-keygen', ['-H', '-f', kh], { stdio: 'ignore' });
  t.regex(readFileSync(kh, 'utf8'), /^\|1\|/);
  const pool = new ConnectionPool();
  const conn = await pool.get(fleetTarget(fleet, 'h1', { tsplay_known_hosts_file: kh }));
  t.is((await conn.exec('echo ok')).stdout, 'ok\n');
  await pool.closeAll();
});

test('a wrong client key fails authentication with a one-line reason', async (t) => {
  const other = join(fleet.dir, 'not-authorised');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
  const pool = new ConnectionPool();
  const e = await unreachable(t, pool.get(fleetTarget(fleet, 'h1', { ansible_ssh_private_key_file: other })));
  t.regex(e.message, /^ssh root@\S+: authentication failed \(tried key .*not-authorised\)$/);
});

test.serial('a stopped host is unreachable, a dropped connection fails its command and later ones', async (t) => {
  const pool = new ConnectionPool();
  const target = fleetTarget(fleet, 'h3');
  const conn = await pool.get(target);
  t.is((await conn.exec('echo up')).stdout, 'up\n');

  const inFlight = unreachable(t, conn.exec('sleep 5; echo finished'));
  await new Promise((r) => setTimeout(r, 300));
  await fleet.stopHost('h3');
  const dropped = await inFlight;
  t.is(dropped.host, 'h3');
  await unreachable(t, conn.exec('echo again'));

  const fresh = new ConnectionPool();
  const refused = await unreachable(t, fresh.get(target));
  t.regex(refused.message, /connection refused$/);
  await fleet.startHost('h3');
  await pool.closeAll();
  await fresh.closeAll();
  t.deepEqual(unhandled, []);
});

test.serial('a connect to an address nobody answers times out', async (t) => {
  // a listener that accepts TCP but never speaks SSH
  const { createServer } = await import('node:net');
  const held: import('node:net').Socket[] = [];
  const silent = createServer((s) => held.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  const pool = new ConnectionPool();
  const target = { ...fleetTarget(fleet, 'h1'), name: 'silent', address: '127.0.0.1', port, connectTimeoutMs: 500 };
  const e = await unreachable(t, pool.get(target));
  t.regex(e.message, /timed out after 0.5 s$/);
  held.forEach((s) => s.destroy());
  silent.close();
  t.deepEqual(unhandled, []);
});
