import test from 'ava';
import { ParseError } from '../../src/errors.js';
// The yum/dnf module itself (`package` chooses it on RHEL hosts: test/packages/package-choose.test.ts).
import { dnfModule as packageModule, type PackageArgs } from '../../src/modules/package.js';
import { Predicted } from '../../src/facts/predicted.js';
import { fakeContext } from './helper.js';

const where = { file: 'site.yml', line: 12 };
const parse = (raw: unknown) => packageModule.parse(raw, where, false);
const RPM = '/srv/repo/sre-4.0.2-1.x86_64.rpm';
const OLD = '/srv/repo/sre-3.3.0-1.x86_64.rpm';
const row = (v: string) => `@rpm sre 0 ${v} 1 x86_64`;

/** What the probe prints for one .rpm file entry. */
const fileProbe = (installed: string[], header = '4.0.2', pm = 'dnf') =>
  [`@pm ${pm}`, '@rpm-ok', '@item 0', row(header), '@installed', ...installed.map(row), ''].join('\n');
const nameProbe = (installed: string[], updates = '', rc = updates ? 100 : 0) =>
  ['@pm yum', '@rpm-ok', '@item 0', '@installed', ...installed.map(row), '@updates', updates, `@rc ${rc}`, ''].join('\n');

async function plan(raw: Record<string, unknown>, stdout: string) {
  const seen: string[] = [];
  const p = await packageModule.plan(parse(raw), fakeContext(stdout, seen));
  return { ...p, probes: seen };
}

test('install a local .rpm that is not installed: one install step, then rpm reads back the result', async (t) => {
  const p = await plan({ name: RPM }, fileProbe([]));
  t.is(p.probes.length, 1, 'one probe round trip');
  t.deepEqual(p.steps.map((s) => s.cmd), [`dnf -y install -- ${RPM}`, `rpm -q --qf '@rpm %{NAME} %{EPOCHNUM} %{VERSION} %{RELEASE} %{ARCH}\\n' -- sre 2>/dev/null; true`]);
  t.deepEqual(p.result, { before: { sre: null }, after: { sre: '4.0.2-1' }, pm: 'dnf' });
});

test('upgrade from the file header: yum install of the newer file', async (t) => {
  const p = await plan({ name: [RPM], disable_gpg_check: true }, fileProbe(['3.3.0'], '4.0.2', 'yum'));
  t.is(p.steps[0]!.cmd, `yum -y --nogpgcheck install -- ${RPM}`);
  t.deepEqual(p.result?.before, { sre: '3.3.0-1' });
  t.deepEqual(p.result?.after, { sre: '4.0.2-1' });
});

test('same version installed: no steps (ok, unchanged)', async (t) => {
  const p = await plan({ name: RPM, state: 'installed' }, fileProbe(['4.0.2']));
  t.deepEqual(p.steps, []);
  t.deepEqual(p.result?.after, { sre: '4.0.2-1' });
});

test('an older file fails without allow_downgrade, and plans yum downgrade with it', async (t) => {
  const refused = await plan({ name: OLD }, fileProbe(['4.0.2'], '3.3.0'));
  t.true(refused.failed);
  t.regex(refused.msg!, /sre 4\.0\.2-1 is installed .* older 3\.3\.0-1: set allow_downgrade: true/);
  const p = await plan({ name: OLD, allow_downgrade: true }, fileProbe(['4.0.2'], '3.3.0'));
  t.is(p.steps[0]!.cmd, `dnf -y downgrade -- ${OLD}`);
  t.deepEqual(p.result?.after, { sre: '3.3.0-1' });
});

test('update_only leaves a package that is not installed alone', async (t) => {
  const p = await plan({ name: RPM, update_only: true }, fileProbe([]));
  t.deepEqual(p.steps, []);
});

test('state latest upgrades from what check-update reports, and does nothing when it reports nothing', async (t) => {
  const p = await plan({ name: 'sre', state: 'latest' }, nameProbe(['3.3.0'], 'sre.x86_64   4.0.2-1   lab-repo'));
  t.regex(p.probes[0]!, /"\$pm" -q check-update -- sre/);
  t.is(p.steps[0]!.cmd, 'yum -y update -- sre');
  t.deepEqual(p.result?.after, { sre: '4.0.2-1' });
  const none = await plan({ name: 'sre', state: 'latest' }, nameProbe(['4.0.2']));
  t.deepEqual(none.steps, []);
});

test('present by name: install only when rpm -q finds nothing', async (t) => {
  t.deepEqual((await plan({ name: 'sre' }, nameProbe(['3.3.0']))).steps, []);
  const p = await plan({ name: 'sre' }, nameProbe([]));
  t.is(p.steps[0]!.cmd, 'yum -y install -- sre');
});

test('absent removes an installed package (by name or by file) and is a no-op otherwise', async (t) => {
  const p = await plan({ name: 'sre', state: 'absent' }, nameProbe(['4.0.1']));
  t.is(p.steps[0]!.cmd, 'yum -y remove -- sre');
  t.deepEqual(p.result?.after, { sre: null });
  const byFile = await plan({ name: RPM, state: 'removed' }, fileProbe(['4.0.1']));
  t.is(byFile.steps[0]!.cmd, 'dnf -y remove -- sre');
  t.deepEqual((await plan({ name: 'sre', state: 'absent' }, nameProbe([]))).steps, []);
});

test('a missing .rpm file, no rpm, no package manager: planning fails with a clear message', async (t) => {
  const missing = await plan({ name: RPM }, '@pm dnf\n@rpm-ok\n@item 0\n@missing\n');
  t.true(missing.failed);
  t.is(missing.msg, `No RPM file found at ${RPM}`);
  const notRpm = await plan({ name: RPM }, '@pm dnf\n@rpm-ok\n@item 0\nerror: /srv/repo/x: not an rpm package\n');
  t.regex(notRpm.msg!, /is not a readable RPM package: error: .*not an rpm package/);
  t.is((await plan({ name: 'sre' }, '@pm dnf\n@item 0\n@installed\n')).msg, 'rpm is not installed on the target');
  t.is((await plan({ name: 'sre' }, '@pm \n@rpm-ok\n@item 0\n@installed\n')).msg, 'neither dnf nor yum was found on the target');
});

test('name "*" with state latest updates everything check-update lists', async (t) => {
  const stdout = ['@pm dnf', '@rpm-ok', '@all', row('4.0.1'), '@updates', '', 'sre.x86_64  4.0.2-1  lab-repo', '@rc 100', ''].join('\n');
  const p = await plan({ name: '*', state: 'latest' }, stdout);
  t.is(p.steps[0]!.cmd, 'dnf -y update');
  t.deepEqual(p.result?.before, { sre: '4.0.1-1' });
  t.deepEqual(p.result?.after, { sre: '4.0.2-1' });
});

test('every name reaches the shell quoted', async (t) => {
  const nasty = `a'b $(touch x) \`id\`\nc d`;
  const p = await plan({ name: nasty }, nameProbe([]));
  t.true(p.probes[0]!.includes(`-- 'a'\\''b $(touch x) \`id\`\nc d' 2>/dev/null`));
  t.is(p.steps[0]!.cmd, `yum -y install -- 'a'\\''b $(touch x) \`id\`\nc d'`);
});

test('bad arguments fail at parse time naming the argument and the place', (t) => {
  const cases: [unknown, RegExp][] = [
    [{}, /one of 'name', 'update_cache' is required/],
    [{ name: 'sre', state: 'newest' }, /argument 'state' must be one of/],
    [{ name: 'sre', allow_downgrade: 'perhaps' }, /argument 'allow_downgrade' must be a boolean/],
    [{ name: 'sre', enablerepos: 'x' }, /unsupported argument 'enablerepos'/],
    [{ name: { a: 1 } }, /argument 'name' must be a list/],
    [{ name: '*', state: 'present' }, /name '\*' is only valid with state: latest/],
  ];
  for (const [raw, msg] of cases) {
    const e = t.throws(() => parse(raw), { instanceOf: ParseError });
    t.regex(e!.message, msg);
    t.is(e!.describe().split(':')[0], 'site.yml');
    t.regex(e!.describe(), /^site\.yml:12: package: /);
  }
  const args = parse({ pkg: 'a,b', state: 'latest' }) as PackageArgs;
  t.deepEqual(args.name, ['a', 'b']);
});

test('templated values pass load-time checks', (t) => {
  t.notThrows(() => packageModule.parse({ name: '{{ src_rpm }}', allow_downgrade: '{{ down }}' }, where, true));
});

test('--check lookahead: a package an earlier task would install is installed for the later ones, one it would remove is gone', async (t) => {
  const predicted = new Predicted();
  const planWith = async (raw: Record<string, unknown>, stdout: string) => {
    const p = await packageModule.plan(parse(raw), { ...fakeContext(stdout, []), check: true, predicted });
    if (p.creates) predicted.record(p.creates);
    return p;
  };
  const first = await planWith({ name: 'sre' }, nameProbe([]));
  t.is(first.steps.length, 2, 'install, then read back');
  t.deepEqual(first.creates, [{ kind: 'package', manager: 'rpm', name: 'sre', present: true }], 'the version the repositories give is not known');
  t.deepEqual((await planWith({ name: 'sre', state: 'installed' }, nameProbe([]))).steps, [], 'the same package again: ok');
  const file = await planWith({ name: RPM }, fileProbe([]));
  t.regex(file.steps[0]!.cmd, /install/, 'a version-less prediction is not the file\'s version');
  t.like(file.creates?.[0], { name: 'sre', present: true, version: '4.0.2-1' });
  t.deepEqual((await planWith({ name: RPM }, fileProbe([]))).steps, [], 'the same file again: ok');
  const remove = await planWith({ name: 'sre', state: 'absent' }, nameProbe([]));
  t.regex(remove.steps[0]!.cmd, /^yum -y remove -- sre$/, 'not installed on the host, but an earlier task would install it');
  t.deepEqual(remove.creates, [{ kind: 'package', manager: 'rpm', name: 'sre', present: false }]);
  t.deepEqual((await planWith({ name: 'sre', state: 'absent' }, nameProbe([]))).steps, [], 'removed twice: ok');
  t.is((await planWith({ name: 'sre' }, nameProbe([]))).steps.length, 2, 'installed after the removal: changed');
  const plain = await packageModule.plan(parse({ name: 'sre' }), fakeContext(nameProbe(['4.0.2']), []));
  t.is(plain.creates, undefined, 'nothing to do, nothing predicted');
});
