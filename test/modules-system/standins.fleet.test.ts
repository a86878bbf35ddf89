import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { startSystemLab, type SystemLab } from './helper.js';

// The stand-ins must answer like the real tools: exit codes and messages are what modules parse.
let lab: SystemLab;
test.before(async () => {
  lab = await startSystemLab(1);
  const p = lab.fleet.path('h1', '/var/lib/lab/units/crash.service');
  await mkdir(dirname(p), { recursive: true });
  await writeFile(p, 'ExecStart=/bin/sh -c "exit 3"\n');
});
test.after.always(async () => {
  await lab?.stop();
});

test.serial('systemctl: systemd exit codes for missing units, inactive units and a process that dies at once', async (t) => {
  const sh = (c: string) => lab.sh('h1', c);
  t.like(await sh('systemctl is-active nosuch'), { rc: 3, stdout: 'inactive\n' });
  t.like(await sh('systemctl start nosuch'), { rc: 5, stderr: 'Failed to start nosuch.service: Unit nosuch.service not found.\n' });
  t.like(await sh('systemctl status nosuch.service'), { rc: 4, stderr: 'Unit nosuch.service could not be found.\n' });
  t.like(await sh('systemctl is-enabled nosuch'), { rc: 1 });
  t.like(await sh('systemctl show -p LoadState,ActiveState nosuch'), { rc: 0, stdout: 'LoadState=not-found\nActiveState=inactive\n' });
  const crash = await sh('systemctl start crash');
  t.is(crash.rc, 1);
  t.regex(crash.stderr, /^Job for crash\.service failed/);
  t.like(await sh('systemctl is-active crash'), { rc: 3, stdout: 'failed\n' });
  t.like(await sh('systemctl is-enabled crash'), { rc: 0, stdout: 'static\n' });
  t.like(await sh('systemctl reload crash'), { rc: 1 });
  t.deepEqual(await lab.actions('h1'), [
    'systemctl start nosuch FAILED rc=5',
    'systemctl start crash FAILED rc=1',
    'systemctl reload crash FAILED rc=1',
  ]);
});

test.serial('yum/dnf: dnf messages and exit codes; no -y means a prompt that a closed stdin declines', async (t) => {
  const sh = (c: string) => lab.sh('h1', c);
  t.like(await sh('dnf -q check-update sre'), { rc: 0, stdout: '' }, 'not installed: nothing to update');
  t.like(await sh('yum install sre </dev/null'), { rc: 1, stderr: 'Operation aborted.\n' });
  t.is((await sh('rpm -q sre')).rc, 1, 'the declined install did nothing');
  t.like(await sh('yum -y install sre-4.0.1'), { rc: 0 });
  const upd = await sh('yum -q check-update');
  t.is(upd.rc, 100);
  t.regex(upd.stdout, /^sre\.x86_64 +4\.0\.2-1 +lab-repo$/m);
  t.like(await sh('yum -y install nosuch'), { rc: 1, stderr: 'Error: Unable to find a match: nosuch\n' });
  t.like(await sh('yum -y update nosuch'), { rc: 1, stderr: 'Error: No packages marked for upgrade.\n' });
  t.regex((await sh('yum -y install sre')).stdout, /Package sre-4\.0\.1-1\.x86_64 is already installed\.\nDependencies resolved\.\nNothing to do\.\nComplete!/);
  t.like(await sh('yum -y downgrade sre'), { rc: 0 });
  t.is((await sh('rpm -q sre')).stdout, 'sre-3.3.0-1.x86_64\n', 'downgrade by name picks the next lower version');
  t.like(await sh('yum --frobnicate install sre'), { rc: 1 });
  t.like(await sh('yum -y remove sre'), { rc: 0 });
  t.deepEqual((await lab.actions('h1')).filter((l) => l.startsWith('yum ')), [
    'yum install sre-4.0.1: installed sre 4.0.1-1',
    'yum install nosuch: FAILED no match',
    'yum update nosuch: FAILED nothing marked',
    'yum install sre: nothing to do',
    'yum downgrade sre: downgraded sre 4.0.1-1 -> 3.3.0-1',
    'yum remove sre: removed sre 3.3.0-1',
  ]);
});
