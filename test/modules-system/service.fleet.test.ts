import test from 'ava';
import { existsSync, lstatSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { packageModule } from '../../src/modules/package-any.js';
import { serviceModule } from '../../src/modules/service.js';
import { processAlive, startSystemLab, type SystemLab } from './helper.js';

// h1 carries one unit's state from test to test: they run in order.
let lab: SystemLab;
const UNIT = '/var/lib/lab/units/demo.service';
test.before(async () => {
  lab = await startSystemLab(2);
  const unit = [
    '[Unit]',
    'Description=demo daemon',
    '[Service]',
    `ExecStart=/bin/sh -c 'trap "echo reloaded" HUP; echo started; while :; do sleep 1; done'`,
    'ExecReload=/bin/kill -HUP $MAINPID',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  for (const h of ['h1', 'h2']) {
    await mkdir(dirname(lab.fleet.path(h, UNIT)), { recursive: true });
    await writeFile(lab.fleet.path(h, UNIT), unit);
  }
});
test.after.always(async () => {
  for (const h of ['h1', 'h2']) await lab?.sh(h, 'systemctl stop demo sre').catch(() => undefined);
  await lab?.stop();
});

const run = (args: Record<string, unknown>, check = false) => lab.run(serviceModule, 'h1', args, { check });
const mainPid = async (host = 'h1') => Number((await lab.read(host, '/run/lab/units/demo.pid')).trim());

test.serial('started really starts the process; a second run is ok', async (t) => {
  const checked = await run({ name: 'demo', state: 'started' }, true);
  t.like(checked, { changed: true, state: 'started' });
  t.is((await lab.sh('h1', 'systemctl is-active demo')).stdout.trim(), 'inactive', 'check mode started nothing');

  const r = await run({ name: 'demo', state: 'started' });
  t.like(r, { changed: true, failed: false, name: 'demo', state: 'started', enabled: false, status: { ActiveState: 'active', UnitFileState: 'disabled' } });
  const pid = await mainPid();
  t.true(processAlive(pid), `pid ${pid} runs`);
  t.is((r.status as Record<string, string>).MainPID, String(pid));
  t.is((await lab.sh('h2', 'systemctl is-active demo')).stdout.trim(), 'inactive', 'the other host is untouched');

  t.like(await run({ name: 'demo.service', state: 'started' }), { changed: false, state: 'started' });
  t.is(await mainPid(), pid);
});

test.serial('reloaded sends the reload to the running process', async (t) => {
  const r = await run({ name: 'demo', state: 'reloaded' });
  t.like(r, { changed: true, failed: false, state: 'started' });
  // The trap runs when the current `sleep 1` returns: wait for the line via the connection, not a timer.
  const seen = await lab.sh('h1', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do grep -q reloaded /var/log/lab/demo.out && break; sleep 0.2; done; cat /var/log/lab/demo.out');
  t.regex(seen.stdout, /started\nreloaded/);
});

test.serial('restarted replaces the process', async (t) => {
  const before = await mainPid();
  const r = await run({ name: 'demo', state: 'restarted' });
  t.like(r, { changed: true, failed: false, state: 'started' });
  const after = await mainPid();
  t.not(after, before);
  t.false(processAlive(before), 'the old process was killed');
  t.true(processAlive(after));
});

test.serial('enabled: true creates the wants link once; enabled: false removes it', async (t) => {
  // A symlink to the unit's path as the host sees it: check the link itself, not its target.
  const link = lab.fleet.path('h1', '/var/lib/lab/units/multi-user.target.wants/demo.service');
  const linked = () => lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink() === true;
  t.like(await run({ name: 'demo', enabled: true }), { changed: true, enabled: true, status: { UnitFileState: 'enabled' } });
  t.true(linked());
  t.like(await run({ name: 'demo', enabled: true }), { changed: false, enabled: true });
  t.like(await run({ name: 'demo', enabled: false }, true), { changed: true, enabled: false });
  t.true(linked(), 'check mode kept the link');
  t.like(await run({ name: 'demo', enabled: false }), { changed: true, enabled: false });
  t.false(linked());
});

test.serial('stopped kills the process; check mode first changes nothing; a second run is ok', async (t) => {
  const pid = await mainPid();
  t.like(await run({ name: 'demo', state: 'stopped' }, true), { changed: true, state: 'stopped' });
  t.true(processAlive(pid), 'check mode left it running');
  const r = await run({ name: 'demo', state: 'stopped' });
  t.like(r, { changed: true, failed: false, state: 'stopped', status: { ActiveState: 'inactive' } });
  t.false(processAlive(pid), `pid ${pid} is gone`);
  t.like(await run({ name: 'demo', state: 'stopped' }), { changed: false, state: 'stopped' });
});

test.serial('actions.log holds every change in order, and nothing for check mode or no-op runs', async (t) => {
  t.deepEqual(await lab.actions('h1'), [
    'systemctl start demo',
    'systemctl reload demo',
    'systemctl restart demo',
    'systemctl enable demo',
    'systemctl disable demo',
    'systemctl stop demo',
  ]);
  const stamps = (await lab.read('h1', '/var/log/lab/actions.log')).split('\n').filter(Boolean).map((l) => l.split(' ')[0]!);
  t.true(stamps.every((s) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(s)));
  t.deepEqual([...stamps].sort(), stamps);
});

test.serial('a missing unit fails with systemctl\'s message; a strange name arrives literally', async (t) => {
  t.like(await run({ name: 'nosuch', state: 'started' }), {
    failed: true,
    msg: 'Could not find the requested service nosuch: Unit nosuch.service could not be found.',
  });
  const name = `x'y"z $(touch /tmp/pwned) \`touch /tmp/pwned2\`\nnext`;
  const r = await run({ name, state: 'started' });
  t.true(r.failed);
  t.true(String(r.msg).startsWith(`Could not find the requested service ${name}: Unit `), String(r.msg));
  t.false(existsSync(lab.fleet.path('h1', '/tmp/pwned')));
  t.false(existsSync(lab.fleet.path('h1', '/tmp/pwned2')));
});

test.serial('the sre unit from the RPM: install 4.0.2, start it, the process runs that version', async (t) => {
  t.like(await lab.run(packageModule, 'h2', { name: lab.rpm['4.0.2'] }), { changed: true, failed: false });
  const r = await lab.run(serviceModule, 'h2', { name: 'sre', state: 'started', enabled: true });
  t.like(r, { changed: true, failed: false, state: 'started', enabled: true });
  t.true(processAlive(Number((await lab.read('h2', '/run/lab/units/sre.pid')).trim())));
  t.regex(await lab.read('h2', '/var/log/lab/sre.out'), /^sre 4\.0\.2 started/m);
  t.deepEqual((await lab.actions('h2')).slice(-3), [
    'dnf install /srv/repo/sre-4.0.2-1.x86_64.rpm: installed sre 4.0.2-1',
    'systemctl enable sre',
    'systemctl start sre',
  ]);
});
