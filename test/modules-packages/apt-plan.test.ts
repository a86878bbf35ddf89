import test from 'ava';
import { ParseError } from '../../src/errors.js';
import { aptModule, planApt, parseAptProbe, aptProbeCommand, type AptArgs, type AptFacts } from '../../src/modules/apt.js';
import { parsePolicy, parseDpkgQuery, versionMatches, aptSummary } from '../../src/facts/apt.js';
import { Predicted } from '../../src/facts/predicted.js';
import { fakeContext, where } from './helper.js';

const parse = (raw: unknown) => aptModule.parse(raw, where, false);
const ENV = 'DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical LC_ALL=C';
const GET = `${ENV} apt-get -y -o DPkg::Lock::Timeout=60 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold`;

const policy = (installed: string, candidate: string, versions: string[]) =>
  ['x:', `  Installed: ${installed || '(none)'}`, `  Candidate: ${candidate || '(none)'}`, '  Version table:', ...versions.map((v) => `     ${v === installed ? '*** ' : ''}${v} 500`)].join('\n');

/** The probe's output for packages given as [dpkg status line, policy text]. */
function probe(pkgs: [string, string][], extra: string[] = [], stamp = 1000, now = 5000): string {
  const lines = [`@stamp ${stamp}`, `@now ${now}`];
  pkgs.forEach(([dpkg, pol], i) => lines.push(`@pkg ${i}`, dpkg, '@policy', pol));
  return [...lines, ...extra, ''].join('\n');
}

async function plan(raw: Record<string, unknown>, stdout: string, check = false) {
  const seen: string[] = [];
  const p = await aptModule.plan(parse(raw), fakeContext([stdout], seen, { check }));
  return { ...p, probes: seen, cmds: p.steps.map((s) => s.cmd) };
}

test('install a missing package: one probe, one apt-get install with Ansible\'s dpkg options', async (t) => {
  const p = await plan({ name: 'nginx' }, probe([['', policy('', '1.22-1', ['1.22-1'])]]));
  t.is(p.probes.length, 1);
  t.regex(p.probes[0]!, /dpkg-query -W .* -- nginx/);
  t.deepEqual(p.cmds, [`${GET} install nginx`]);
  t.true(p.changed);
});

test('installed and present: no steps; latest with a newer candidate: install', async (t) => {
  const out = probe([['ii \t1.0-1', policy('1.0-1', '1.1-1', ['1.1-1', '1.0-1'])]]);
  t.deepEqual((await plan({ name: 'nginx' }, out)).cmds, []);
  t.deepEqual((await plan({ name: 'nginx', state: 'latest' }, out)).cmds, [`${GET} install nginx`]);
  const same = probe([['ii \t1.1-1', policy('1.1-1', '1.1-1', ['1.1-1'])]]);
  t.deepEqual((await plan({ name: 'nginx', state: 'latest' }, same)).cmds, []);
});

test('flags: install_recommends, default_release, only_upgrade, allow_downgrade, autoremove, force', async (t) => {
  const p = await plan(
    { name: ['a'], install_recommends: false, default_release: 'bookworm-backports', allow_downgrade: true, autoremove: true, force: true },
    probe([['', policy('', '2', ['2'])]]),
  );
  t.deepEqual(p.cmds, [`${GET} --force-yes --allow-downgrades -o APT::Install-Recommends=no -t bookworm-backports --auto-remove install a`]);
  t.regex(p.probes[0]!, /apt-cache -o APT::Default-Release=bookworm-backports policy -- a/);
  const only = await plan({ name: 'a', only_upgrade: true }, probe([['', policy('', '2', ['2'])]]));
  t.deepEqual(only.cmds, [], 'only_upgrade leaves a package that is not installed alone');
});

test('version pins: a wildcard resolves to the matching version; a match already installed is ok', async (t) => {
  const out = probe([['ii \t1.1-1', policy('1.1-1', '1.1-1', ['1.1-1', '1.0-2'])]]);
  t.deepEqual((await plan({ name: 'app=1.0*' }, out)).cmds, [`${GET} install app=1.0-2`]);
  t.deepEqual((await plan({ name: 'app=1.1*' }, out)).cmds, []);
  const none = await plan({ name: 'app=2.0' }, out);
  t.like(none, { failed: true, msg: 'no available installation candidate for app=2.0' });
  t.like(await plan({ name: 'app=1=2' }, out), { failed: true, msg: 'invalid package spec: app=1=2' });
});

test('absent removes installed packages only; purge also takes config-only ones', async (t) => {
  const lines = ['@stamp 1', '@now 2', '@pkg 0', 'ii \t1.0', '@pkg 1', 'rc \t1.0', '@pkg 2', ''];
  const out = lines.join('\n');
  t.deepEqual((await plan({ name: ['a', 'b', 'c'], state: 'absent' }, out)).cmds, [`${GET} remove a`]);
  t.deepEqual((await plan({ name: ['a', 'b', 'c'], state: 'absent', purge: true, autoremove: true }, out)).cmds, [`${GET} --purge --auto-remove remove a b`]);
});

test('update_cache: due when the stamp is older than cache_valid_time; alone it is the change', async (t) => {
  const fresh = await plan({ update_cache: true, cache_valid_time: 3600 }, probe([], [], 4000, 5000));
  t.deepEqual(fresh.cmds, []);
  t.like(fresh.result, { cache_updated: false, cache_update_time: 4000 });
  const stale = await plan({ update_cache: true, cache_valid_time: 600 }, probe([], [], 4000, 5000));
  t.regex(stale.cmds[0]!, /apt-get -o DPkg::Lock::Timeout=60 update && exit 0; sleep 1; .* update && exit 0; exit 1$/);
  t.is(stale.cmds.length, 2, 'update, then read back the stamp');
  t.true(stale.changed);
  const checked = await plan({ update_cache: true }, probe([], [], 4000, 5000), true);
  t.like(checked, { changed: true, result: { cache_updated: true } });
});

test('update_cache with packages: the update alone does not make the task changed', async (t) => {
  const out = probe([['ii \t1', policy('1', '1', ['1'])]], [], 1, 5000);
  const p = await plan({ name: 'a', update_cache: true }, out);
  t.false(p.changed);
  t.is(p.cmds.length, 2);
  const latest = await plan({ name: 'a', state: 'latest', update_cache: true }, out);
  t.is(latest.cmds.length, 3, 'a real run lets apt-get decide from the fresh cache');
  t.false(latest.changed);
  const fin = latest.finish!([{ rc: 0, stdout: '', stderr: '' }, { rc: 0, stdout: '0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.', stderr: '' }, { rc: 0, stdout: '@stamp 7000', stderr: '' }], { changed: false, failed: false });
  t.like(fin, { changed: false, cache_update_time: 7000 });
  const fin2 = latest.finish!([{ rc: 0, stdout: '', stderr: '' }, { rc: 0, stdout: '1 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.', stderr: '' }], { changed: false, failed: false });
  t.true(fin2.changed);
});

test('upgrade, autoremove and build-dep decide from apt-get simulations', async (t) => {
  const args = parse({ upgrade: 'dist', autoremove: true });
  t.regex(aptProbeCommand(args), /apt-get -y .* -s dist-upgrade --auto-remove 2>&1; echo "@rc \$\?"/);
  const facts = (out: string, rc = 0): AptFacts => ({ apt: true, stamp: 1, now: 1, packages: [], simulated: { upgrade: { rc, out } } });
  t.deepEqual(planApt(args, facts('Inst libc6 [2.36] (2.37 Debian)'), false).steps.map((s) => s.cmd), [`${GET} dist-upgrade --auto-remove`]);
  t.deepEqual(planApt(args, facts('0 upgraded, 0 newly installed, 0 to remove'), false).steps, []);
  t.like(planApt(args, facts('E: Could not get lock', 100), false), { failed: true });
  const yes = parse({ upgrade: true });
  t.is(yes.upgrade, 'yes', 'YAML yes maps onto the choice');
  t.regex(aptProbeCommand(yes), /-s upgrade --with-new-pkgs/);
  const bd = parse({ name: 'nginx', state: 'build-dep' });
  const f = parseAptProbe(bd, probe([['', policy('', '1', ['1'])]], ['@sim build-dep', 'Inst gcc (1 Debian)', '@rc 0']));
  t.deepEqual(planApt(bd, f, false).steps.map((s) => s.cmd), [`${GET} build-dep nginx`]);
  const ar = parse({ autoremove: true });
  const fa = parseAptProbe(ar, ['@stamp 1', '@now 1', '@sim autoremove', 'Remv libfoo [1]', '@rc 0', ''].join('\n'));
  t.deepEqual(planApt(ar, fa, false).steps.map((s) => s.cmd), [`${GET} autoremove`]);
});

test('deb: read from the file; remote files are fetched with curl or wget on the target', async (t) => {
  const args = parse({ deb: 'https://example.invalid/x_1_all.deb' });
  t.regex(aptProbeCommand(args), /curl -fsSL -o "\$f" https:\/\/example\.invalid\/x_1_all\.deb; else wget/);
  const out = ['@stamp 1', '@now 1', '@deb', 'Package: x', 'Version: 1', 'Architecture: all', '@installed', ''].join('\n');
  const p = planApt(args, parseAptProbe(args, out), false);
  t.regex(p.steps[0]!.cmd, /curl -fsSL -o "\$f\/p\.deb" .* install --allow-downgrades "\$f\/p\.deb"$/);
  t.deepEqual(p.result?.after, { x: '1' });
  const same = ['@stamp 1', '@now 1', '@deb', 'Package: x', 'Version: 1', 'Architecture: all', '@installed', 'ii \t1', ''].join('\n');
  t.deepEqual(planApt(args, parseAptProbe(args, same), false).steps, []);
  t.like(planApt(parse({ deb: '/x.deb', state: 'absent' }), parseAptProbe(args, same), false), { failed: true, msg: 'deb only supports state=present' });
});

test('no apt-get on the host: a clear failure', async (t) => {
  t.like(await plan({ name: 'a' }, '@no-apt\n'), { failed: true, msg: 'apt-get was not found on the target (apt works on Debian-family hosts)' });
});

test('argument checks name the file, line and argument', (t) => {
  const cases: [unknown, RegExp][] = [
    [{}, /one of 'name', 'deb', 'upgrade', 'update_cache', 'autoremove' is required/],
    [{ name: 'a', deb: '/x.deb' }, /'deb' and 'name' are mutually exclusive/],
    [{ name: 'a', upgrade: 'dist' }, /mutually exclusive/],
    [{ name: 'a', state: 'installed' }, /argument 'state' must be one of/],
    [{ name: 'a', update_cache: 'maybe' }, /'update_cache' must be a boolean/],
    [{ name: 'a', cache_valid_time: 'soon' }, /must be an integer/],
    [{ name: 'a', bogus: 1 }, /unsupported argument 'bogus'/],
  ];
  for (const [raw, re] of cases) {
    const e = t.throws(() => parse(raw), { instanceOf: ParseError });
    t.regex(e!.describe(), /^site\.yml:12: apt: /);
    t.regex(e!.message, re);
  }
  const a = parse({ pkg: ['a'], 'update-cache': 'yes', 'install-recommends': 'no' }) as AptArgs;
  t.deepEqual([a.name, a.update_cache, a.install_recommends], [['a'], true, false]);
  t.notThrows(() => aptModule.parse({ name: '{{ pkgs }}', update_cache: '{{ refresh }}' }, where, true));
});

test('readers: dpkg status, apt-cache policy, wildcards, summary lines', (t) => {
  t.deepEqual(parseDpkgQuery('ii \t1.2-3'), { installed: '1.2-3', configOnly: false });
  t.deepEqual(parseDpkgQuery('rc \t1.2-3'), { installed: '', configOnly: true });
  t.deepEqual(parseDpkgQuery('un \t'), { installed: '', configOnly: false });
  t.deepEqual(parsePolicy(policy('1', '2', ['2', '1'])), { candidate: '2', versions: ['2', '1'] });
  t.true(versionMatches('1.0*', '1.0-2'));
  t.false(versionMatches('1.0', '1.0-2'));
  t.false(versionMatches('1.0*', '11.0'));
  t.deepEqual(aptSummary('2 upgraded, 1 newly installed, 0 to remove and 5 not upgraded.'), { upgraded: 2, installed: 1, removed: 0 });
});

test('--check lookahead: a package an earlier task would install is installed for the later ones, one it would remove is gone', async (t) => {
  const predicted = new Predicted();
  const planWith = async (raw: Record<string, unknown>, stdout: string) => {
    const p = await aptModule.plan(parse(raw), { ...fakeContext([stdout], [], { check: true }), predicted });
    if (p.creates && p.changed) predicted.record(p.creates);
    return { ...p, cmds: p.steps.map((s) => s.cmd) };
  };
  const missing = probe([['', policy('', '1.22-1', ['1.22-1', '1.20-1'])]]);
  const first = await planWith({ name: 'nginx' }, missing);
  t.deepEqual(first.cmds, [`${GET} install nginx`]);
  t.deepEqual(first.creates, [{ kind: 'package', manager: 'dpkg', name: 'nginx', present: true, version: '1.22-1' }]);
  const again = await planWith({ name: 'nginx' }, missing);
  t.deepEqual([again.cmds, again.changed], [[], undefined], 'the same package again: ok');
  t.deepEqual((await planWith({ name: 'nginx=1.22*' }, missing)).cmds, [], 'the predicted version matches the pin');
  t.deepEqual((await planWith({ name: 'nginx=1.20-1' }, missing)).cmds, [`${GET} install nginx=1.20-1`], 'another version: changed');
  const remove = await planWith({ name: 'nginx', state: 'absent' }, missing);
  t.deepEqual([remove.cmds, remove.changed], [[`${GET} remove nginx`], true], 'not installed on the host, but an earlier task would install it');
  t.like(remove.creates?.[0], { name: 'nginx', present: false, configKept: true });
  t.deepEqual((await planWith({ name: 'nginx', state: 'absent' }, missing)).cmds, [], 'removed twice: ok');
  t.deepEqual((await planWith({ name: 'nginx', state: 'absent', purge: true }, missing)).cmds, [`${GET} --purge remove nginx`], 'its configuration files would stay');
  t.deepEqual((await planWith({ name: 'nginx', state: 'absent', purge: true }, missing)).cmds, [], 'purged twice: ok');
  t.is((await plan({ name: 'nginx', state: 'absent' }, missing)).creates, undefined, 'nothing to do, nothing predicted');
});
