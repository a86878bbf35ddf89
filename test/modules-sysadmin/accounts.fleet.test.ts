import test from 'ava';
import { execFileSync } from 'node:child_process';
import { userModule } from '../../src/modules/system/user.js';
import { groupModule } from '../../src/modules/system/group.js';
import { getentModule } from '../../src/modules/system/getent.js';
import { startAdminLab, type AdminLab } from './lab.js';

// useradd/groupadd for real on h1's private /etc; h2 and the controller must not see any of it.
let lab: AdminLab;
test.before(async () => {
  lab = await startAdminLab(2);
});
test.after.always(async () => {
  await lab?.stop();
});

const out = async (cmd: string, host = 'h1') => (await lab.sh(host, cmd)).stdout.trim();
const controllerHas = (db: string, key: string) => {
  try {
    execFileSync('getent', [db, key], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

test.serial('group: check mode adds nothing, the first run adds, the second is ok; gid changes with groupmod', async (t) => {
  t.like(await lab.run(groupModule, 'h1', { name: 'sipops' }, { check: true }), { changed: true });
  t.is(await out('getent group sipops'), '');
  const r = await lab.run(groupModule, 'h1', { name: 'sipops', gid: 4711 });
  t.like(r, { changed: true, failed: false, name: 'sipops', state: 'present', gid: 4711, system: false });
  t.is(await out('getent group sipops'), 'sipops:x:4711:');
  t.like(await lab.run(groupModule, 'h1', { name: 'sipops', gid: 4711 }), { changed: false, gid: 4711 });
  t.like(await lab.run(groupModule, 'h1', { name: 'sipops', gid: 4712 }), { changed: true, gid: 4712 });
  t.is(await out('getent group sipops'), 'sipops:x:4712:');
  t.like(await lab.run(groupModule, 'h1', { name: 'sipadm', system: true }), { changed: true, system: true });
  t.true(Number((await out('getent group sipadm')).split(':')[2]) < 1000, 'a system gid');
  t.is(await out('getent group sipops', 'h2'), '', 'h2 has its own /etc/group');
  t.false(controllerHas('group', 'sipops'), 'the controller has its own /etc/group');
});

test.serial('user: created with home, groups and shell; a second run is ok; check mode changes nothing', async (t) => {
  const args = { name: 'kamctl', uid: 4801, group: 'sipops', groups: ['sipadm'], shell: '/bin/bash', home: '/opt/home/kamctl', comment: 'Kamailio ops' };
  t.like(await lab.run(userModule, 'h1', args, { check: true }), { changed: true });
  t.is(await out('getent passwd kamctl'), '');
  const r = await lab.run(userModule, 'h1', args);
  t.like(r, { changed: true, failed: false, name: 'kamctl', state: 'present', uid: 4801, group: 4712, home: '/opt/home/kamctl', shell: '/bin/bash', comment: 'Kamailio ops', groups: 'sipadm', create_home: true });
  t.is(await out('getent passwd kamctl'), 'kamctl:x:4801:4712:Kamailio ops:/opt/home/kamctl:/bin/bash');
  t.is(await out('stat -c %U:%G /opt/home/kamctl'), 'kamctl:sipops');
  t.regex(await out('id -Gn kamctl'), /^sipops sipadm$/);
  t.like(await lab.run(userModule, 'h1', args), { changed: false, uid: 4801 });
  t.is(await out('getent passwd kamctl', 'h2'), '');
  t.false(controllerHas('passwd', 'kamctl'));
});

test.serial('user: usermod only what differs; append keeps groups; password_lock; absent with remove', async (t) => {
  t.like(await lab.run(userModule, 'h1', { name: 'kamctl', shell: '/bin/sh' }), { changed: true, shell: '/bin/sh' });
  t.like(await lab.run(userModule, 'h1', { name: 'kamctl', groups: 'sipops2' }), { failed: true, msg: 'Group sipops2 does not exist' });
  await lab.run(groupModule, 'h1', { name: 'voice' });
  t.like(await lab.run(userModule, 'h1', { name: 'kamctl', groups: ['voice'], append: true }), { changed: true });
  t.deepEqual((await out('id -Gn kamctl')).split(' ').sort(), ['sipadm', 'sipops', 'voice']);
  t.like(await lab.run(userModule, 'h1', { name: 'kamctl', groups: ['voice'], append: true }), { changed: false });
  t.like(await lab.run(userModule, 'h1', { name: 'kamctl', groups: ['voice'] }), { changed: true });
  t.is(await out('id -Gn kamctl'), 'sipops voice');
  const hash = '$6$salt$' + 'x'.repeat(20);
  t.like(await lab.run(userModule, 'h1', { name: 'kamctl', password: hash }), { changed: true, password: 'NOT_LOGGING_PASSWORD' });
  t.is(await out("getent shadow kamctl | cut -d: -f2"), hash);
  t.like(await lab.run(userModule, 'h1', { name: 'kamctl', password: hash }), { changed: false });
  t.like(await lab.run(userModule, 'h1', { name: 'kamctl', password_lock: true }), { changed: true });
  t.is(await out("getent shadow kamctl | cut -d: -f2"), '!' + hash);
  t.like(await lab.run(userModule, 'h1', { name: 'kamctl', password_lock: true }), { changed: false });
  t.like(await lab.run(userModule, 'h1', { name: 'kamctl', expires: 1893456000 }), { changed: true });
  t.is(await out("chage -l kamctl | grep 'Account expires'"), 'Account expires\t\t\t\t\t\t: Jan 01, 2030');
  t.like(await lab.run(userModule, 'h1', { name: 'kamctl', expires: 1893456000 }), { changed: false });

  t.like(await lab.run(userModule, 'h1', { name: 'kamctl', state: 'absent', remove: true }, { check: true }), { changed: true });
  t.not(await out('getent passwd kamctl'), '');
  t.like(await lab.run(userModule, 'h1', { name: 'kamctl', state: 'absent', remove: true }), { changed: true, remove: true });
  t.is(await out('getent passwd kamctl'), '');
  t.is(await out('test -e /opt/home/kamctl && echo still'), '', 'remove: true deleted the home');
  t.like(await lab.run(userModule, 'h1', { name: 'kamctl', state: 'absent' }), { changed: false });
});

test.serial('user: a group named like the user already exists → -N; a missing home is recreated', async (t) => {
  await lab.run(groupModule, 'h1', { name: 'rtpengine' });
  const r = await lab.run(userModule, 'h1', { name: 'rtpengine', system: true, create_home: false, home: '/opt/rtp' });
  t.like(r, { changed: true, failed: false });
  t.is(await out('test -d /opt/rtp || echo none'), 'none');
  t.like(await lab.run(userModule, 'h1', { name: 'rtpengine', create_home: false }), { changed: false });
  t.like(await lab.run(userModule, 'h1', { name: 'rtpengine' }), { changed: true }, 'create_home (default) makes the missing home');
  t.is(await out('stat -c %U /opt/rtp'), 'rtpengine');
  t.like(await lab.run(userModule, 'h1', { name: 'rtpengine' }), { changed: false });
});

test.serial('getent: records as facts, split on colons; fail_key', async (t) => {
  const r = await lab.run(getentModule, 'h1', { database: 'passwd', key: 'rtpengine' });
  t.false(r.changed);
  const facts = r.ansible_facts as { getent_passwd: Record<string, string[]> };
  t.deepEqual(facts.getent_passwd.rtpengine?.slice(4), ['/opt/rtp', '/bin/sh']);
  t.like(await lab.run(getentModule, 'h1', { database: 'passwd', key: 'nosuchuser' }), { failed: true, msg: 'One or more supplied key could not be found in the database.' });
  t.like(await lab.run(getentModule, 'h1', { database: 'passwd', key: 'nosuchuser', fail_key: false }), { failed: false, ansible_facts: { getent_passwd: { nosuchuser: null } } });
  const svc = await lab.run(getentModule, 'h1', { database: 'services', key: 'sip' });
  t.deepEqual((svc.ansible_facts as { getent_services: Record<string, string[]> }).getent_services.sip?.[0], '5060/tcp');
});
