import test from 'ava';
import { rebootModule } from '../../src/modules/system/reboot.js';
import { standinsBin } from '../../src/fleet/fleet.js';
import { startAdminLab, type AdminLab } from './lab.js';

// The shutdown stand-in drops h1's sessions and re-executes its sshd; the module must come back through
// the same pooled connection object (which opens a new SSH session) and see the new boot id.
let lab: AdminLab;
test.before(async () => {
  lab = await startAdminLab(2);
});
test.after.always(async () => {
  await lab?.stop();
});

const args = { search_paths: [standinsBin()], boot_time_command: 'cat /run/lab/boot_id 2>/dev/null || echo first-boot', reboot_timeout: 60 };

test.serial('check mode reports a reboot and does nothing', async (t) => {
  await lab.sh('h1', 'true');
  const pid = lab.fleet.host('h1').pid;
  const accepted = lab.fleet.acceptedConnections('h1');
  t.deepEqual(await lab.run(rebootModule, 'h1', args, { check: true }), { changed: true, failed: false, rebooted: true, elapsed: 0 });
  t.is((await lab.sh('h1', 'cat /var/log/lab/actions.log 2>/dev/null')).stdout, '');
  t.is(lab.fleet.host('h1').pid, pid);
  t.is(lab.fleet.acceptedConnections('h1'), accepted, 'no new session');
});

test.serial('reboot: the host goes away and comes back; the module waits for the new boot id', async (t) => {
  const sessionBefore = (await lab.sh('h1', 'echo $PPID')).stdout.trim();
  const accepted = lab.fleet.acceptedConnections('h1');
  const r = await lab.run(rebootModule, 'h1', args);
  t.like(r, { changed: true, failed: false, rebooted: true }, String(r.msg));
  t.is(typeof r.elapsed, 'number');
  t.regex((await lab.sh('h1', 'cat /var/log/lab/actions.log')).stdout, /^\S+Z shutdown -r\n$/);
  t.not((await lab.sh('h1', 'echo $PPID')).stdout.trim(), sessionBefore, 'a new SSH session');
  t.true(lab.fleet.acceptedConnections('h1') > accepted);
  t.true(lab.pool.openedCount('h1') >= 2, 'the pool reopened the connection');
  t.is((await lab.sh('h2', 'cat /var/log/lab/actions.log 2>/dev/null')).stdout, '', 'h2 untouched');
});

test.serial('a boot id that never changes times out naming the check', async (t) => {
  const r = await lab.run(rebootModule, 'h2', { ...args, boot_time_command: 'echo same', reboot_timeout: 2 });
  t.like(r, { failed: true, rebooted: true }, String(r.msg));
  t.regex(String(r.msg), /^Timed out waiting for last boot time check \(timeout=2\)/);
});

test.serial('a shutdown command that is nowhere in search_paths fails before anything happens', async (t) => {
  const r = await lab.run(rebootModule, 'h1', { ...args, search_paths: ['/nonexistent'] });
  t.like(r, { failed: true, changed: false, msg: 'Unable to find command "shutdown" in search paths: ["/nonexistent"]' });
});
