import test from 'ava';
import { LocalConnection } from '../../src/connection/local.js';
import { ConnectionPool } from '../../src/connection/pool.js';
import { targetFromVars } from '../../src/connection/target.js';
import { UnreachableError } from '../../src/connection/types.js';

test('localhost gets a LocalConnection, once', async (t) => {
  const pool = new ConnectionPool();
  const target = targetFromVars('localhost', {}, {});
  const conn = await pool.get(target);
  t.true(conn instanceof LocalConnection);
  t.is(await pool.get(target), conn);
  t.is(pool.openedCount('localhost'), 1);
  t.is((await conn.exec('echo $((6*7))')).stdout, '42\n');
  await pool.closeAll();
});

test('a failed connect is remembered: later gets fail the same way without reconnecting', async (t) => {
  const pool = new ConnectionPool();
  // port 1 on loopback: nothing listens, the connect is refused at once
  const target = targetFromVars('nobody', { ansible_host: '127.0.0.1', ansible_port: 1, ansible_host_key_checking: false }, {});
  const first = await t.throwsAsync(pool.get(target), { instanceOf: UnreachableError });
  const second = await t.throwsAsync(pool.get(target), { instanceOf: UnreachableError });
  t.is(first?.message, 'ssh root@127.0.0.1:1: connection refused'.replace('root', target.user));
  t.is(second, first);
  t.is(pool.openedCount('nobody'), 1);
});
