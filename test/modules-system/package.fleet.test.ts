import test from 'ava';
import { existsSync } from 'node:fs';
import { packageModule } from '../../src/modules/package-any.js';
import { yumModule } from '../../src/modules/package.js';
import { kamailioCfg } from '../../src/fleet/rpm-specs/sre.js';
import { NASTY, startSystemLab, type SystemLab } from './helper.js';

// One host's package state carries from test to test: they run in order.
let lab: SystemLab;
test.before(async () => {
  lab = await startSystemLab(2);
});
test.after.always(async () => {
  await lab?.stop();
});

const version = async (host: string) => (await lab.sh(host, 'rpm -q --qf "%{VERSION}-%{RELEASE}" sre')).stdout;
const run = (args: Record<string, unknown>, check = false) => lab.run(packageModule, 'h1', args, { check });

test.serial('install sre 3.3.0 from a local RPM: files land under /opt on that host only', async (t) => {
  const r = await run({ name: lab.rpm['3.3.0'] });
  t.like(r, { changed: true, failed: false, before: { sre: null }, after: { sre: '3.3.0-1' } });
  t.is(await lab.read('h1', '/opt/sre/VERSION'), '3.3.0\n');
  t.is(await version('h1'), '3.3.0-1');
  t.is(await lab.read('h2', '/opt/sre/VERSION'), '', 'the other host is untouched');
  t.is((await lab.sh('h2', 'rpm -q sre')).rc, 1);
  t.false(existsSync('/opt/sre/VERSION'), "the controller's /opt is untouched");
  t.deepEqual(await lab.actions('h1'), ['dnf install /srv/repo/sre-3.3.0-1.x86_64.rpm: installed sre 3.3.0-1']);
});

test.serial('check mode plans the upgrade to 4.0.2 and changes nothing', async (t) => {
  const r = await run({ name: lab.rpm['4.0.2'] }, true);
  t.like(r, { changed: true, failed: false, before: { sre: '3.3.0-1' }, after: { sre: '4.0.2-1' } });
  t.is(await version('h1'), '3.3.0-1');
  t.is(await lab.read('h1', '/opt/sre/VERSION'), '3.3.0\n');
  t.is((await lab.actions('h1')).length, 1, 'no yum/dnf ran');
});

test.serial('upgrade to 4.0.2: the shipped kamailio.cfg changes and is valid; a second run is ok', async (t) => {
  const r = await run({ name: [lab.rpm['4.0.2']] });
  t.like(r, { changed: true, failed: false, before: { sre: '3.3.0-1' }, after: { sre: '4.0.2-1' } });
  t.is(await lab.read('h1', '/opt/sre/VERSION'), '4.0.2\n');
  t.is(await lab.read('h1', '/opt/sre/etc/kamailio/kamailio.cfg'), kamailioCfg('4.0.2'));
  t.is((await lab.sh('h1', 'kamailio -c -f /opt/sre/etc/kamailio/kamailio.cfg')).rc, 0, 'kamailio accepts the shipped config');
  t.is(await lab.read('h2', '/opt/sre/VERSION'), '');
  t.is((await lab.actions('h1')).at(-1), 'dnf install /srv/repo/sre-4.0.2-1.x86_64.rpm: upgraded sre 3.3.0-1 -> 4.0.2-1');

  const again = await run({ name: [lab.rpm['4.0.2']] });
  t.like(again, { changed: false, failed: false, before: { sre: '4.0.2-1' }, after: { sre: '4.0.2-1' } });
  t.is((await lab.actions('h1')).length, 2, 'the second run did not call dnf');
});

test.serial('downgrade to 3.3.0 needs allow_downgrade; then it happens once', async (t) => {
  const refused = await run({ name: lab.rpm['3.3.0'] });
  t.true(refused.failed);
  t.regex(refused.msg!, /allow_downgrade/);
  t.is(await version('h1'), '4.0.2-1');

  const r = await run({ name: lab.rpm['3.3.0'], allow_downgrade: true });
  t.like(r, { changed: true, failed: false, before: { sre: '4.0.2-1' }, after: { sre: '3.3.0-1' } });
  t.is(await lab.read('h1', '/opt/sre/etc/kamailio/kamailio.cfg'), kamailioCfg('3.3.0'));
  t.is((await lab.actions('h1')).at(-1), 'dnf downgrade /srv/repo/sre-3.3.0-1.x86_64.rpm: downgraded sre 4.0.2-1 -> 3.3.0-1');
  t.like(await run({ name: lab.rpm['3.3.0'], allow_downgrade: true }), { changed: false, failed: false });
});

test.serial('state latest by name updates from the repository to the newest version', async (t) => {
  t.like(await run({ name: 'sre', state: 'latest' }, true), { changed: true, after: { sre: '4.0.2-1' } });
  t.is(await version('h1'), '3.3.0-1');
  const r = await run({ name: 'sre', state: 'latest' });
  t.like(r, { changed: true, failed: false, before: { sre: '3.3.0-1' }, after: { sre: '4.0.2-1' } });
  t.is(await lab.read('h1', '/opt/sre/VERSION'), '4.0.2\n');
  t.like(await run({ name: 'sre', state: 'latest' }), { changed: false });
});

test.serial('absent removes the package and its files; a second run is ok', async (t) => {
  t.like(await run({ name: 'sre', state: 'absent' }, true), { changed: true, after: { sre: null } });
  t.is(await version('h1'), '4.0.2-1');
  const r = await run({ name: 'sre', state: 'absent' });
  t.like(r, { changed: true, failed: false, before: { sre: '4.0.2-1' }, after: { sre: null } });
  t.is((await lab.sh('h1', 'test -e /opt/sre')).rc, 1, '/opt/sre is gone');
  t.like(await run({ name: 'sre', state: 'absent' }), { changed: false, failed: false });
});

test.serial('a name that matches nothing fails with dnf\'s message, the name arriving as literal data', async (t) => {
  const name = `x'y"z $(echo INJECTED) \`echo INJECTED2\`\n  tail`;
  const r = await run({ name });
  t.true(r.failed);
  t.is(r.msg, `Error: Unable to find a match: ${name}`);
  t.notRegex(String(r.stdout) + String(r.stderr), /^INJECTED/m);
  const file = await run({ name: NASTY });
  t.like(file, { failed: true, msg: `No RPM file found at ${NASTY}` });
  t.false(existsSync(lab.fleet.path('h1', '/tmp/pwned-by-tsplay')));
  t.false(existsSync(lab.fleet.path('h1', '/tmp/pwned2')));
});

test.serial('yum on a host whose pkg_mgr is apt fails as Ansible\'s yum does, though a yum binary is there; use_backend overrides', async (t) => {
  // the stand-in hosts are Debian with dnf/yum stand-ins first in PATH: Ansible's pkg_mgr rule says apt
  const refused = await lab.run(yumModule, 'h2', { name: lab.rpm['3.3.0'] }, { vars: {} });
  // Ansible's result: the pkg_mgr its setup call found, the message as a list of its two sentences
  t.like(refused, { failed: true, changed: false, ansible_facts: { pkg_mgr: 'apt' } });
  t.deepEqual(refused.msg, [
    'Could not detect which major revision of yum is in use, which is required to determine module backend.',
    'You should manually specify use_backend to tell the module whether to use the yum (yum3) or dnf (yum4) backend})',
  ]);
  t.is((await lab.sh('h2', 'rpm -q sre')).rc, 1, 'nothing installed');
  const forced = await lab.run(yumModule, 'h2', { name: lab.rpm['3.3.0'], use_backend: 'dnf' }, { vars: {}, check: true });
  t.like(forced, { failed: false, changed: true, after: { sre: '3.3.0-1' } });
  t.like(await lab.run(yumModule, 'h2', { name: lab.rpm['3.3.0'] }, { vars: { ansible_facts: { pkg_mgr: 'dnf' } }, check: true }), { failed: false, changed: true });
});
