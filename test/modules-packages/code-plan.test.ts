import test from 'ava';
import { ParseError } from '../../src/errors.js';
import { makeModule, planMake } from '../../src/modules/make.js';
import { expectModule, expectScript, planExpect } from '../../src/modules/expect.js';
import { parseFreeze, parsePipProbe, pipModule, pipProbe, planPip } from '../../src/modules/pip.js';
import { packageModule } from '../../src/modules/package-any.js';
import { PKG_MGR_PROBE } from '../../src/facts/pkg-mgr.js';
import { findModule } from '../../src/modules/registry.js';
import { fakeContext, where } from './helper.js';

test('make: make -q 0 is ok, 1 runs make in chdir with jobs, file, target and params; 127 names the missing make', (t) => {
  const args = makeModule.parse({ chdir: '/opt/src', target: 'install', params: { PREFIX: '/opt/x y' }, jobs: 4, file: 'GNUmakefile' }, where, false);
  t.deepEqual(planMake(args, { rc: 0, stderr: '' }).steps, []);
  t.deepEqual(planMake(args, { rc: 1, stderr: '' }).steps.map((s) => s.cmd), ["cd /opt/src && make --jobs=4 --file GNUmakefile install 'PREFIX=/opt/x y'"]);
  t.like(planMake(args, { rc: 1, stderr: '' }).result, { command: 'make --jobs=4 --file GNUmakefile install PREFIX=/opt/x y', target: 'install' });
  t.like(planMake(args, { rc: 127, stderr: '' }), { failed: true, msg: 'make was not found on the target' });
  t.throws(() => makeModule.parse({ target: 'x' }, where, false), { instanceOf: ParseError, message: /missing required argument 'chdir'/ });
  t.is(findModule('community.general.make'), makeModule);
});

test('expect: the script decodes every value from base64 (no Tcl quoting), lists answer in turn; skipped in check mode', (t) => {
  const args = expectModule.parse({ command: 'passwd bob', responses: { '(?i)password:': ['a"b', '$c[d]'], 'Retype': 'x' }, timeout: '10' }, where, false);
  const s = expectScript(args);
  t.regex(s, /^set timeout 10$/m);
  t.false(s.includes('a"b') || s.includes('$c[d]') || s.includes('passwd bob'), 'values never appear as Tcl text');
  t.regex(s, /spawn -noecho \/bin\/sh -c \[encoding convertfrom utf-8 \[binary decode base64 cGFzc3dkIGJvYg==\]\]/);
  const p = planExpect(args, '');
  t.like(p, { unpredictable: true, changed: true });
  t.is(p.steps[0]!.stdin, s, 'the script (with the responses) goes through stdin');
  t.notRegex(p.steps[0]!.cmd, /cGFzc3dk/);
  t.like(planExpect(args, '@no-expect\n'), { failed: true, msg: 'the expect module needs the expect(1) program on the target (Debian/RHEL package "expect"); it is not installed' });
  const created = expectModule.parse({ command: 'x', responses: {}, creates: '/etc/x' }, where, false);
  t.deepEqual(planExpect(created, '@creates-exists\n').steps, []);
  t.is(expectModule.parse({ command: 'x', responses: {}, timeout: null }, where, false).timeout, null);
  t.throws(() => expectModule.parse({ command: 'x', responses: {}, timeout: 'soon' }, where, false), { message: /'timeout' must be an integer or null/ });
  t.throws(() => expectModule.parse({ command: 'x' }, where, false), { message: /missing required argument 'responses'/ });
});

test('pip: dry-run decides; a missing virtualenv is created first; absent uninstalls what freeze lists', (t) => {
  const parse = (raw: Record<string, unknown>) => pipModule.parse(raw, where, false);
  const args = parse({ name: 'requests', version: '2.31.0', virtualenv: '/opt/venv', virtualenv_command: 'python3 -m venv', extra_args: '--no-index --find-links /srv/wheels' });
  t.regex(pipProbe(args), /install --dry-run --no-index --find-links \/srv\/wheels requests==2\.31\.0 2>&1/);
  const none = parsePipProbe('@freeze\nrequests==2.31.0\n@dry\nRequirement already satisfied: requests\n@rc 0\n');
  t.deepEqual(planPip(args, none).steps, []);
  const would = parsePipProbe('@freeze\n@dry\nWould install requests-2.31.0\n@rc 0\n');
  t.deepEqual(planPip(args, would).steps.map((s) => s.cmd), [
    'PIP_DISABLE_PIP_VERSION_CHECK=1 /opt/venv/bin/pip install --no-index --find-links /srv/wheels requests==2.31.0',
    '/opt/venv/bin/pip freeze --all 2>/dev/null; true',
  ]);
  const fresh = planPip(args, parsePipProbe('@no-venv\n'));
  t.deepEqual(fresh.steps.map((s) => s.cmd).slice(0, 2), ['python3 -m venv /opt/venv', 'PIP_DISABLE_PIP_VERSION_CHECK=1 /opt/venv/bin/pip install --no-index --find-links /srv/wheels requests==2.31.0']);
  t.like(planPip(args, parsePipProbe('@freeze\n@dry\nERROR: No matching distribution found for requests==2.31.0\n@rc 1\n')), { failed: true });
  const gone = parse({ name: ['Requests', 'six'], state: 'absent' });
  t.deepEqual(planPip(gone, parsePipProbe('@freeze\nrequests==2.31.0\n')).steps[0]!.cmd, 'PIP_DISABLE_PIP_VERSION_CHECK=1 "$(command -v pip3 || command -v pip)" uninstall -y Requests');
  t.like(planPip(parse({ name: 'x' }), parsePipProbe('@no-pip\n')), { failed: true, msg: 'Unable to find any of pip3, pip to use. pip needs to be installed.' });
  t.deepEqual([...parseFreeze('Django==4.2\nzope.interface==6.0\n-e git+x#egg=y\n')], [['django', '4.2'], ['zope-interface', '6.0']]);
  t.throws(() => parse({ name: 'a', requirements: 'r.txt' }), { message: /'name' and 'requirements' are mutually exclusive/ });
  t.throws(() => parse({}), { message: /one of 'name', 'requirements' is required/ });
});

test('package: the gathered fact chooses apt or yum; without it one probe applies Ansible\'s pkg_mgr rule; apt spells installed as present', async (t) => {
  const args = packageModule.parse({ name: 'nginx', state: 'installed' }, where, false);
  const aptOut = ['@stamp 1', '@now 1', '@pkg 0', '', '@policy', 'nginx:\n  Installed: (none)\n  Candidate: 1.22\n  Version table:\n     1.22 500', ''].join('\n');
  const seen: string[] = [];
  const p = await packageModule.plan(args, fakeContext([aptOut], seen, { vars: { ansible_facts: { pkg_mgr: 'apt' } } }));
  t.regex(p.steps[0]!.cmd, /apt-get -y .* install nginx$/);
  t.regex(seen[0]!, /dpkg-query/, 'no manager probe when the fact is known');
  const seen2: string[] = [];
  // Debian with dnf and yum installed too: apt, as Ansible's pkg_mgr decides
  const debian = '@files\n/etc/os-release:ID=debian\n/etc/os-release:VERSION_ID="12"\n@exists\n/usr/bin/yum\n/usr/bin/dnf\n/usr/bin/apt-get\n';
  const q = await packageModule.plan(args, fakeContext([debian, aptOut], seen2));
  t.is(seen2[0], PKG_MGR_PROBE);
  t.is(q.steps.length, 1);
  t.regex(q.steps[0]!.cmd, /apt-get -y .* install nginx$/);
  const none = await packageModule.plan(args, fakeContext(['@files\n/etc/os-release:ID=gentoo\n@exists\n']));
  t.like(none, { failed: true, msg: 'package: no supported package manager (dnf, yum, apt) on this host (found: unknown)' });
  t.throws(() => packageModule.parse({ name: 'x', use: 'zypper' }, where, false), { message: /'use' must be one of auto, yum, dnf, apt/ });
  t.throws(() => packageModule.parse({ name: 'x', nonsense: 1 }, where, false), { message: /unsupported argument 'nonsense'/ });
  t.notThrows(() => packageModule.parse({ name: 'x', update_cache: true, cache_valid_time: 3600 }, where, false), 'apt arguments pass when the manager is not known yet');
  t.throws(() => packageModule.parse({ name: 'x', use: 'yum', cache_valid_time: 3600 }, where, false), { message: /unsupported argument 'cache_valid_time'/ });
});
