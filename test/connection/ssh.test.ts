import test from 'ava';
import { readFileSync } from 'node:fs';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { ConnectionPool } from '../../src/connection/pool.js';
import type { Connection } from '../../src/connection/types.js';
import { eventually, fleetTarget, processRunning } from './helpers.js';

let fleet: Fleet;
let pool: ConnectionPool;
let h1: Connection;

test.before(async () => {
  fleet = await startFleet({ size: 2 });
  pool = new ConnectionPool();
  h1 = await pool.get(fleetTarget(fleet, 'h1'));
});
test.after.always(async () => {
  await pool?.closeAll();
  await fleet?.stop();
});

test.serial('100 sequential commands reuse one SSH connection', async (t) => {
  const before = fleet.acceptedConnections('h2');
  const target = fleetTarget(fleet, 'h2');
  // concurrent get()s share one connect
  const [a, b] = await Promise.all([pool.get(target), pool.get(target)]);
  t.is(a, b);
  for (let i = 0; i < 100; i++) {
    const r = await a.exec(`echo ${i}`);
    t.deepEqual([r.rc, r.stdout], [0, `${i}\n`]);
  }
  t.is(fleet.acceptedConnections('h2') - before, 1);
  t.is(pool.openedCount('h2'), 1);
  t.is(await pool.get(target), a);
});

test('20 concurrent commands all succeed, never more than 8 at once on the host', async (t) => {
  // each command marks itself running in a directory, records how many are running, then leaves
  const cmd = (i: number) =>
    `mkdir -p /tmp/conc && touch /tmp/conc/${i} && sleep 0.3 && ls /tmp/conc | wc -l >> /tmp/conc-peaks && rm /tmp/conc/${i} && echo ${i}`;
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => h1.exec(cmd(i))));
  t.deepEqual(
    results.map((r) => [r.rc, r.stdout]),
    Array.from({ length: 20 }, (_, i) => [0, `${i}\n`]),
  );
  const peaks = readFileSync(fleet.path('h1', '/tmp/conc-peaks'), 'utf8').trim().split('\n').map(Number);
  t.is(peaks.length, 20);
  t.true(Math.max(...peaks) <= 8, `peak ${Math.max(...peaks)}`);
  t.true(Math.max(...peaks) >= 2, 'commands did run concurrently');
});

test('a UTF-8 character split across chunks is decoded whole', async (t) => {
  // the two bytes of é arrive in separate SSH packets (the sleep flushes between them)
  const split = await h1.exec(`printf 'a\\303'; sleep 0.2; printf '\\251b'; printf '\\342\\202' >&2; sleep 0.2; printf '\\254' >&2`);
  t.is(split.stdout, 'aéb');
  t.is(split.stderr, '€');
  // a long multi-byte stream, offset by one byte so packet boundaries fall inside characters
  const streamed: string[] = [];
  const big = await h1.exec(`printf x; i=0; while [ $i -lt 400 ]; do printf 'éàü€%.0s' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; i=$((i+1)); done`, {
    onOutput: (s, chunk) => s === 'stdout' && streamed.push(chunk),
  });
  const expected = 'x' + 'éàü€'.repeat(8000);
  t.is(big.stdout, expected);
  t.is(streamed.join(''), expected);
});

test('a timed-out command is killed on the host, background children included', async (t) => {
  const r = await h1.exec('sleep 300 & echo $! > /tmp/timeout-pid; wait', { timeoutMs: 1000 });
  t.true(r.timedOut);
  t.not(r.rc, 0);
  const pid = Number(readFileSync(fleet.path('h1', '/tmp/timeout-pid'), 'utf8'));
  t.true(pid > 1);
  t.true(await eventually(() => !processRunning(pid)), `remote sleep ${pid} still running`);
  // the connection is still usable
  t.is((await h1.exec('echo still here')).stdout, 'still here\n');
});

test('an aborted command is killed on the host', async (t) => {
  const ac = new AbortController();
  const running = h1.exec('sleep 300 & echo $! > /tmp/abort-pid; wait', { signal: ac.signal });
  await eventually(() => {
    try {
      return readFileSync(fleet.path('h1', '/tmp/abort-pid'), 'utf8').trim() !== '';
    } catch {
      return false;
    }
  });
  ac.abort();
  const r = await running;
  t.true(r.aborted);
  t.not(r.rc, 0);
  const pid = Number(readFileSync(fleet.path('h1', '/tmp/abort-pid'), 'utf8'));
  t.true(await eventually(() => !processRunning(pid)), `remote sleep ${pid} still running`);
});

test('stdin is passed through and closed', async (t) => {
  const input = 'line one\nzwei — drei\n';
  const r = await h1.exec('cat; echo end', { stdin: input });
  t.deepEqual([r.rc, r.stdout], [0, input + 'end\n']);
  const bytes = await h1.exec('wc -c', { stdin: Buffer.from([0, 1, 2, 255]) });
  t.is(bytes.stdout.trim(), '4');
});

test('env values reach the command verbatim', async (t) => {
  const value = `it's "quoted" $HOME \`x\` ü`;
  const r = await h1.exec('printf %s "$GREETING"', { env: { GREETING: value } });
  t.is(r.stdout, value);
});

test('exit codes and stderr come back; a command killed by a signal gives 128+n', async (t) => {
  const r = await h1.exec('echo out; echo err >&2; exit 7');
  t.deepEqual(r, { rc: 7, stdout: 'out\n', stderr: 'err\n' });
  const killed = await h1.exec('kill -KILL $$');
  t.is(killed.rc, 137);
});

test('become root from labuser via sudo', async (t) => {
  const lab = await new ConnectionPool().get(fleetTarget(fleet, 'h1', { ansible_user: 'labuser' }));
  try {
    t.is((await lab.exec('whoami')).stdout, 'labuser\n');
    const r = await lab.exec('whoami; touch /root/made-by-become', { become: { user: 'root' } });
    t.deepEqual([r.rc, r.stdout], [0, 'root\n']);
    t.notThrows(() => readFileSync(fleet.path('h1', '/root/made-by-become')));
    // a timeout under become kills the root-owned process too
    const slow = await lab.exec('sleep 300 & echo $! > /tmp/become-pid; wait', { become: { user: 'root' }, timeoutMs: 1000 });
    t.true(slow.timedOut);
    const pid = Number(readFileSync(fleet.path('h1', '/tmp/become-pid'), 'utf8'));
    t.true(await eventually(() => !processRunning(pid)), `root sleep ${pid} still running`);
  } finally {
    await lab.close();
  }
});
