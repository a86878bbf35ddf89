/** Atomic writes are verified on the host before the rename: a cut transfer never goes live. */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshConnection } from '../../src/connection/ssh.js';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { atomicWriteSteps } from '../../src/modules/atomic-write.js';
import { fleetTarget, eventually } from '../connection/helpers.js';
import { repo, runCli, workDir } from '../helpers/cli.js';

let fleet: Fleet;
let conn: SshConnection;

test.before(async () => {
  fleet = await startFleet({ size: 1 });
  conn = await SshConnection.open(fleetTarget(fleet, 'h1'));
});
test.after.always(async () => {
  await conn?.close();
  await fleet?.stop();
});

const temps = (dir: string) => readdirSync(fleet.path('h1', dir)).filter((f) => f.includes('.tsplay.'));

test.serial('fewer bytes than sent: the step fails, dest keeps its old content, no temp file', async (t) => {
  await conn.exec('mkdir -p /opt/aw && printf old > /opt/aw/app.conf');
  const [step] = atomicWriteSteps('/opt/aw/app.conf', 'new content\n').steps;
  const r = await conn.exec(step!.cmd, { stdin: 'new con' }); // as if the stream was cut
  t.not(r.rc, 0);
  t.regex(r.stderr, /incomplete transfer: 7 of 12 bytes arrived; nothing replaced/);
  t.is(readFileSync(fleet.path('h1', '/opt/aw/app.conf'), 'utf8'), 'old');
  t.deepEqual(temps('/opt/aw'), []);
});

test.serial('same size, other bytes: refused by checksum', async (t) => {
  const [step] = atomicWriteSteps('/opt/aw/app.conf', 'new content\n').steps;
  const r = await conn.exec(step!.cmd, { stdin: 'NEW content\n' });
  t.not(r.rc, 0);
  t.regex(r.stderr, /checksum mismatch/);
  t.is(readFileSync(fleet.path('h1', '/opt/aw/app.conf'), 'utf8'), 'old');
  t.deepEqual(temps('/opt/aw'), []);
});

test.serial('what was sent arrives: replaced', async (t) => {
  const data = randomBytes(100_000);
  const [step] = atomicWriteSteps('/opt/aw/blob', data).steps;
  const r = await conn.exec(step!.cmd, { stdin: data });
  t.is(r.rc, 0, r.stderr);
  t.true(readFileSync(fleet.path('h1', '/opt/aw/blob')).equals(data));
});

test.serial('SIGKILL of the controller in the middle of a 48 MiB copy: the old file stays byte-identical, no temp file', async (t) => {
  const old = randomBytes(1024 * 1024);
  writeFileSync(fleet.path('h1', '/opt/aw/big.bin'), old);
  const local = workDir('aw-');
  writeFileSync(join(local, 'big.bin'), randomBytes(48 * 1024 * 1024));
  writeFileSync(join(local, 'copy.yml'), `- hosts: h1\n  gather_facts: false\n  tasks:\n    - copy: { src: ${join(local, 'big.bin')}, dest: /opt/aw/big.bin }\n`);
  let pid = 0;
  let sawTemp = false;
  const run = runCli([join(local, 'copy.yml'), '-i', fleet.inventoryPath, '--journal-dir', join(local, 'runs')], { onStdout: (_all, p) => (pid = p) });
  // kill as soon as the temp file has started to fill
  await eventually(() => {
    const tmp = temps('/opt/aw')[0];
    if (!tmp || pid === 0) return false;
    try {
      if (statSync(fleet.path('h1', `/opt/aw/${tmp}`)).size === 0) return false;
    } catch {
      return false;
    }
    sawTemp = true;
    process.kill(pid, 'SIGKILL');
    return true;
  }, 60_000);
  t.true(sawTemp, 'the transfer was caught in flight');
  const r = await run;
  t.is(r.code, null, 'killed');
  t.true(await eventually(() => temps('/opt/aw').length === 0, 15_000), 'the temp file is removed on the host');
  t.true(readFileSync(fleet.path('h1', '/opt/aw/big.bin')).equals(old), 'the old file is byte-identical');
});
