import test from 'ava';
import { planUser, userModule, type UserArgs } from '../../src/modules/system/user.js';
import { planGroup, groupModule } from '../../src/modules/system/group.js';
import { planGetent, getentModule } from '../../src/modules/system/getent.js';
import { parseAccountProbe, type AccountFacts } from '../../src/facts/accounts.js';
import { planCron, cronModule, type CronArgs } from '../../src/modules/system/cron.js';

const where = { file: 'roles/base/tasks/main.yml', line: 7 };
const user = (raw: Record<string, unknown>) => userModule.parse({ name: 'kamctl', ...raw }, where, false) as UserArgs;
const facts = (probe: string): AccountFacts => parseAccountProbe(probe);
const GROUPS = '@group=root:x:0:\n@group=sipops:x:4712:\n@group=sipadm:x:998:kamctl\n@group=voice:x:4713:\n';
const cmds = (p: { steps: { cmd: string }[] }) => p.steps.map((s) => s.cmd);

test('user: a new user → useradd with Ansible\'s option order, then the entry is read back', (t) => {
  const p = planUser(user({ uid: 4801, group: 'sipops', groups: ['sipadm', 'voice'], comment: 'Kamailio ops', home: '/opt/home/kamctl', shell: '/bin/bash', system: true }), facts(GROUPS));
  t.deepEqual(cmds(p), [
    'mkdir -p -- /opt/home',
    "useradd -u 4801 -g sipops -G sipadm,voice -c 'Kamailio ops' -d /opt/home/kamctl -s /bin/bash -m -r kamctl",
    'getent passwd -- kamctl',
  ]);
  t.true(p.changed);
  t.like(p.result, { name: 'kamctl', state: 'present', system: true, create_home: true });
});

test('user: create_home false → -M; a group named like the user → -N; a password hash goes in -p and is never echoed', (t) => {
  const p = planUser(user({ create_home: false, password: '$6$x$y', password_lock: true }), facts(GROUPS + '@group=kamctl:x:5000:\n'));
  t.deepEqual(cmds(p)[0], "useradd -N -p '!$6$x$y' -M kamctl");
  t.is(p.result!.password, 'NOT_LOGGING_PASSWORD');
});

test('user: a missing group fails as Ansible does, before any command', (t) => {
  t.like(planUser(user({ group: 'nosuch' }), facts(GROUPS)), { failed: true, msg: 'Group nosuch does not exist', steps: [] });
  t.like(planUser(user({ groups: 'sipadm,nosuch' }), facts(GROUPS)), { failed: true, msg: 'Group nosuch does not exist' });
});

const EXISTING = '@passwd=kamctl:x:4801:4712:Kamailio ops:/opt/home/kamctl:/bin/bash\n@shadow=kamctl:$6$a$b:19000:0:99999:7:::\n@home=yes\n' + GROUPS;

test('user: an existing user matching the arguments is ok; its fields are returned', (t) => {
  const p = planUser(user({ uid: 4801, group: 'sipops', groups: ['sipadm'], shell: '/bin/bash' }), { ...facts(EXISTING), homeExists: true });
  t.deepEqual(p.steps, []);
  t.like(p.result, { uid: 4801, group: 4712, home: '/opt/home/kamctl', shell: '/bin/bash', groups: 'sipadm', append: false, move_home: false });
});

test('user: usermod carries only what differs; groups replace unless append; empty groups clear', (t) => {
  const f = { ...facts(EXISTING), homeExists: true };
  t.deepEqual(cmds(planUser(user({ shell: '/bin/sh', uid: 4801 }), f))[0], 'usermod -s /bin/sh kamctl');
  t.deepEqual(cmds(planUser(user({ groups: ['voice'] }), f))[0], 'usermod -G voice kamctl');
  t.deepEqual(cmds(planUser(user({ groups: ['voice'], append: true }), f))[0], 'usermod -a -G voice kamctl');
  t.deepEqual(planUser(user({ groups: ['sipadm'], append: true }), f).steps, []);
  t.deepEqual(cmds(planUser(user({ groups: '' }), f))[0], "usermod -G '' kamctl");
  t.deepEqual(cmds(planUser(user({ home: '/srv/kamctl', move_home: true }), f))[0], 'usermod -d /srv/kamctl -m kamctl');
  t.deepEqual(cmds(planUser(user({ group: '998' }), f))[0], 'usermod -g 998 kamctl');
});

test('user: password only with update_password always; lock/unlock; expires compares the date', (t) => {
  const f = { ...facts(EXISTING), homeExists: true };
  t.deepEqual(cmds(planUser(user({ password: '$6$new' }), f))[0], "usermod -p '$6$new' kamctl");
  t.deepEqual(planUser(user({ password: '$6$new', update_password: 'on_create' }), f).steps, []);
  t.deepEqual(planUser(user({ password: '$6$a$b' }), f).steps, []);
  t.deepEqual(cmds(planUser(user({ password_lock: true }), f))[0], 'usermod -L kamctl');
  t.deepEqual(cmds(planUser(user({ expires: 1893456000 }), f))[0], 'usermod -e 2030-01-01 kamctl');
  const expiring = { ...f, expires: 21915 };
  t.deepEqual(planUser(user({ expires: 1893456000 }), expiring).steps, []);
  t.deepEqual(cmds(planUser(user({ expires: -1 }), expiring))[0], "usermod -e '' kamctl");
});

test('user: a missing home is created from the skeleton; absent → userdel -f -r', (t) => {
  const p = planUser(user({}), { ...facts(EXISTING), homeExists: false });
  t.is(cmds(p)[0], 'mkdir -p -- /opt/home/kamctl && if [ -d /etc/skel ]; then cp -a /etc/skel/. /opt/home/kamctl; fi && chown -R -- 4801:"$(id -g -- kamctl 2>/dev/null || echo 4712)" /opt/home/kamctl');
  t.deepEqual(cmds(planUser(user({ state: 'absent', force: true, remove: true }), facts(EXISTING))), ['userdel -f -r kamctl']);
  t.deepEqual(planUser(user({ state: 'absent' }), facts(GROUPS)).steps, []);
});

test('user: unknown arguments and wrong types are load-time errors naming the argument', (t) => {
  t.throws(() => userModule.parse({ name: 'x', generate_ssh_key: true }, where, true), { message: /user: unsupported argument 'generate_ssh_key'/ });
  t.throws(() => userModule.parse({ name: 'x', uid: 'abc' }, where, true), { message: /argument 'uid' must be an integer/ });
  t.notThrows(() => userModule.parse({ name: '{{ u }}', uid: '{{ id }}' }, where, true));
});

test('group: groupadd/groupmod/groupdel from /etc/group', (t) => {
  const f = facts(GROUPS);
  const g = (raw: Record<string, unknown>) => groupModule.parse(raw, where, false);
  t.deepEqual(cmds(planGroup(g({ name: 'sip', gid: 600, system: true }), f)), ['groupadd -g 600 -r sip', 'getent group -- sip']);
  t.deepEqual(cmds(planGroup(g({ name: 'sip', gid: 0, non_unique: true }), f)), ['groupadd -g 0 -o sip', 'getent group -- sip']);
  t.deepEqual(planGroup(g({ name: 'sipops' }), f).steps, []);
  t.like(planGroup(g({ name: 'sipops' }), f).result, { gid: 4712 });
  t.deepEqual(cmds(planGroup(g({ name: 'sipops', gid: 4800 }), f))[0], 'groupmod -g 4800 sipops');
  t.deepEqual(cmds(planGroup(g({ name: 'voice', state: 'absent' }), f)), ['groupdel voice']);
  t.deepEqual(planGroup(g({ name: 'nosuch', state: 'absent' }), f).steps, []);
  t.throws(() => g({ name: 'x', non_unique: true }), { message: /non_unique is True but all of the following are missing: gid/ });
});

test('getent: colon databases split on ":", others on whitespace; repeated keys become lists', (t) => {
  const a = getentModule.parse({ database: 'passwd' }, where, false);
  t.deepEqual(planGetent(a, 0, 'root:x:0:0:root:/root:/bin/bash\n').result, { ansible_facts: { getent_passwd: { root: ['x', '0', '0', 'root', '/root', '/bin/bash'] } } });
  const h = getentModule.parse({ database: 'hosts' }, where, false);
  t.deepEqual((planGetent(h, 0, '127.0.0.1  localhost\n127.0.0.1 kam1\n').result!.ansible_facts as Record<string, unknown>).getent_hosts, { '127.0.0.1': [['localhost'], ['kam1']] });
  t.like(planGetent(a, 1, ''), { failed: true, msg: 'Missing arguments, or database unknown.' });
  t.like(planGetent(a, 3, ''), { failed: true, msg: 'Enumeration not supported on this database.' });
});

const cron = (raw: Record<string, unknown>) => cronModule.parse({ name: 'backup', job: '/opt/backup.sh', ...raw }, where, false) as CronArgs;
const me = { me: 'root' };

test('cron: a new job is appended under its #Ansible header; crontab gets the table on stdin', (t) => {
  const p = planCron(cron({ minute: '30', hour: '2' }), { existing: 'MAILTO=ops\n', ...me });
  t.deepEqual(p.steps, [{ cmd: 'crontab -', stdin: 'MAILTO=ops\n#Ansible: backup\n30 2 * * * /opt/backup.sh\n' }]);
  t.like(p.result, { jobs: ['backup'], envs: ['MAILTO'] });
  t.deepEqual(p.diff![0]!.beforeHeader, 'crontab');
});

test('cron: an unchanged job is ok; a changed one is replaced in place; an exact unnamed line is adopted', (t) => {
  const existing = '#Ansible: backup\n30 2 * * * /opt/backup.sh\n';
  t.deepEqual(planCron(cron({ minute: '30', hour: '2' }), { existing, ...me }).steps, []);
  t.is(planCron(cron({ minute: '0', hour: '2' }), { existing, ...me }).steps[0]!.stdin, '#Ansible: backup\n0 2 * * * /opt/backup.sh\n');
  t.is(planCron(cron({ minute: '30', hour: '2' }), { existing: '30 2 * * * /opt/backup.sh\n', ...me }).steps[0]!.stdin, existing);
  t.deepEqual(planCron(cron({ minute: '30', hour: '2' }), { existing: existing.trimEnd(), ...me }).steps[0]!.stdin, existing, 'a missing final newline is a change');
});

test('cron: user → -u only for another user; cron_file gets the user column; special_time excludes fields', (t) => {
  t.is(planCron(cron({ user: 'postgres' }), { existing: '', ...me }).steps[0]!.cmd, 'crontab -u postgres -');
  t.is(planCron(cron({ user: 'root' }), { existing: '', ...me }).steps[0]!.cmd, 'crontab -');
  const f = planCron(cron({ cron_file: 'backup', user: 'root', special_time: 'daily' }), { existing: '', fileExists: false, ...me });
  t.deepEqual(f.steps, [{ cmd: 'umask 022 && cat > /etc/cron.d/backup', stdin: '#Ansible: backup\n@daily root /opt/backup.sh\n' }]);
  t.like(planCron(cron({ special_time: 'daily', hour: '1' }), { existing: '', ...me }), { failed: true, msg: 'You must specify time and date fields or special time.' });
  t.throws(() => cron({ cron_file: '/etc/crontab', user: 'root' }), { message: /Will not manage \/etc\/crontab/ });
});

test('cron: absent removes the entry; an emptied cron_file is deleted; env lines go first or after another', (t) => {
  t.is(planCron(cron({ state: 'absent' }), { existing: '#Ansible: backup\n* * * * * x\n#Ansible: other\n1 * * * * y\n', ...me }).steps[0]!.stdin, '#Ansible: other\n1 * * * * y\n');
  t.deepEqual(cmds(planCron(cron({ state: 'absent', cron_file: 'backup', user: 'root' }), { existing: '#Ansible: backup\n* * * * * root x\n', fileExists: true, ...me })), ['rm -f -- /etc/cron.d/backup']);
  t.is(planCron(cron({ name: 'PATH', env: true, job: '/usr/bin' }), { existing: 'A=1\n', ...me }).steps[0]!.stdin, 'PATH="/usr/bin"\nA=1\n');
  t.is(planCron(cron({ name: 'B', env: true, job: '2', insertafter: 'A' }), { existing: 'A=1\nC=3\n', ...me }).steps[0]!.stdin, 'A=1\nB="2"\nC=3\n');
  t.like(planCron(cron({ name: 'B', env: true, job: '2', insertafter: 'Z' }), { existing: 'A=1\n', ...me }), { failed: true, msg: "Variable named 'Z' not found." });
  t.deepEqual(planCron(cron({ name: 'B', env: true, job: '2' }), { existing: 'B="2"\n', ...me }).steps, []);
});

test('cron: old crontab headers are not part of the table', (t) => {
  const existing = '# DO NOT EDIT THIS FILE - edit the master and reinstall.\n# (/tmp/crontab.x installed on Mon)\n# (Cron version -- $Id$)\n#Ansible: backup\n* * * * * /opt/backup.sh\n';
  t.deepEqual(planCron(cron({}), { existing, ...me }).steps, []);
});
