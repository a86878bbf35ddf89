import test from 'ava';
import { ParseError } from '../../src/errors.js';
import { serviceModule } from '../../src/modules/service.js';
import { fakeContext } from './helper.js';

const where = { file: 'cp.yml', line: 7 };
const parse = (raw: unknown) => serviceModule.parse(raw, where, false);

/** What the probe prints for a unit. */
const unit = (active: string, enabled: string, extra = '') =>
  [`@is-active=${active}`, `@is-enabled=${enabled}`, 'LoadState=loaded', `ActiveState=${active}`, 'SubState=x', `UnitFileState=${enabled}`, 'MainPID=0', extra, ''].join('\n');
const MISSING = ['@is-active=inactive', '@is-enabled=', 'LoadState=not-found', 'ActiveState=inactive', '@missing=Unit nosuch.service could not be found.', ''].join('\n');

async function plan(raw: Record<string, unknown>, stdout: string) {
  const seen: string[] = [];
  const p = await serviceModule.plan(parse(raw), fakeContext(stdout, seen));
  return { ...p, cmds: p.steps.map((s) => s.cmd), probes: seen };
}
const SHOW = `systemctl show -p LoadState -p ActiveState -p SubState -p UnitFileState -p MainPID -- sre; echo "@is-enabled=$(systemctl is-enabled -- sre 2>/dev/null)"`;

test('started: start an inactive unit, nothing for an active one', async (t) => {
  const p = await plan({ name: 'sre', state: 'started' }, unit('inactive', 'disabled'));
  t.is(p.probes.length, 1, 'one probe round trip');
  t.deepEqual(p.cmds, ['systemctl start -- sre', SHOW]);
  t.true(p.changed);
  t.like(p.result, { name: 'sre', state: 'started', enabled: false, status: { ActiveState: 'active', UnitFileState: 'disabled' } });
  const ok = await plan({ name: 'sre', state: 'started' }, unit('active', 'enabled'));
  t.deepEqual(ok.cmds, []);
  t.false(ok.changed);
});

test('stopped: stop an active unit, nothing for an inactive or failed one', async (t) => {
  t.deepEqual((await plan({ name: 'kamailio', state: 'stopped' }, unit('active', 'enabled'))).cmds[0], 'systemctl stop -- kamailio');
  t.deepEqual((await plan({ name: 'kamailio', state: 'stopped' }, unit('inactive', 'enabled'))).cmds, []);
  t.deepEqual((await plan({ name: 'kamailio', state: 'stopped' }, unit('failed', 'enabled'))).cmds, []);
});

test('restarted always restarts; reloaded reloads a running unit and starts a stopped one', async (t) => {
  t.deepEqual((await plan({ name: 'sre', state: 'restarted' }, unit('active', 'enabled'))).cmds[0], 'systemctl restart -- sre');
  t.deepEqual((await plan({ name: 'sre', state: 'reloaded' }, unit('active', 'enabled'))).cmds[0], 'systemctl reload -- sre');
  t.deepEqual((await plan({ name: 'sre', state: 'reloaded' }, unit('inactive', 'enabled'))).cmds[0], 'systemctl start -- sre');
});

test('enabled: enable/disable only when is-enabled says otherwise; static units are left alone', async (t) => {
  t.deepEqual((await plan({ name: 'sre', enabled: true }, unit('active', 'disabled'))).cmds[0], 'systemctl enable -- sre');
  t.deepEqual((await plan({ name: 'sre', enabled: true }, unit('active', 'enabled'))).cmds, []);
  t.deepEqual((await plan({ name: 'sre', enabled: false }, unit('active', 'enabled'))).cmds[0], 'systemctl disable -- sre');
  t.deepEqual((await plan({ name: 'sre', enabled: false }, unit('active', 'static'))).cmds, []);
  const both = await plan({ name: 'sre', enabled: true, state: 'started' }, unit('inactive', 'disabled'));
  t.deepEqual(both.cmds.slice(0, 2), ['systemctl enable -- sre', 'systemctl start -- sre']);
  t.like(both.result, { enabled: true, state: 'started' });
});

test('daemon_reload runs first but alone does not count as a change', async (t) => {
  const p = await plan({ name: 'sre', daemon_reload: true, state: 'started' }, unit('active', 'enabled'));
  t.is(p.cmds[0], 'systemctl daemon-reload');
  t.false(p.changed);
  const start = await plan({ name: 'sre', daemon_reload: true, state: 'started' }, unit('inactive', 'enabled'));
  t.deepEqual(start.cmds.slice(0, 2), ['systemctl daemon-reload', 'systemctl start -- sre']);
  t.true(start.changed);
});

test('a missing unit fails with systemctl\'s message', async (t) => {
  const p = await plan({ name: 'nosuch', state: 'started' }, MISSING);
  t.true(p.failed);
  t.is(p.msg, 'Could not find the requested service nosuch: Unit nosuch.service could not be found.');
});

test('the unit name reaches the shell quoted, in the probe and in the steps', async (t) => {
  const nasty = `x'y $(touch /tmp/p) \`id\`\nz`;
  const p = await plan({ name: nasty, state: 'started' }, unit('inactive', 'disabled'));
  const q = `'x'\\''y $(touch /tmp/p) \`id\`\nz'`;
  t.true(p.probes[0]!.includes(`systemctl is-active -- ${q}`));
  t.is(p.cmds[0], `systemctl start -- ${q}`);
});

test('bad arguments fail at parse time naming the argument and the place', (t) => {
  const cases: [unknown, RegExp][] = [
    [{ state: 'started' }, /missing required argument 'name'/],
    [{ name: 'sre', state: 'running' }, /argument 'state' must be one of/],
    [{ name: 'sre', enabled: 'sometimes' }, /argument 'enabled' must be a boolean/],
    [{ name: 'sre', state: 'started', masked: false }, /unsupported argument 'masked'/],
    [{ name: ['a'], state: 'started' }, /argument 'name' must be a string/],
    [{ name: 'sre' }, /one of 'state', 'enabled', 'daemon_reload' or 'daemon_reexec' is required/],
  ];
  for (const [raw, msg] of cases) {
    const e = t.throws(() => parse(raw), { instanceOf: ParseError });
    t.regex(e!.message, msg);
    t.regex(e!.describe(), /^cp\.yml:7: service: /);
  }
  t.like(parse({ unit: 'sre', 'daemon-reload': 'yes' }), { name: 'sre', daemon_reload: true });
});

test("service options systemd does not use (sleep, pattern, runlevel, arguments) are accepted and ignored with Ansible's warning", async (t) => {
  const p = await plan({ name: 'sre', state: 'restarted', sleep: 5 }, unit('active', 'enabled'));
  t.deepEqual(p.cmds[0], 'systemctl restart -- sre');
  t.deepEqual((p.result as { warnings?: string[] }).warnings, ['Ignoring "sleep" as it is not used in "systemd"']);
  t.is((await plan({ name: 'sre', state: 'started' }, unit('active', 'enabled'))).result?.warnings, undefined);
  t.throws(() => parse({ name: 'sre', state: 'restarted', sleep: 'soon' }), { message: /sleep/ });
});

test("use: picks the backend as Ansible's service action; tsplay has systemd only, so another backend is refused, naming it", async (t) => {
  for (const use of ['auto', 'systemd', 'ansible.builtin.systemd', 'service', 'AUTO']) {
    const p = await plan({ name: 'sre', state: 'restarted', use }, unit('active', 'enabled'));
    t.is(p.cmds[0], 'systemctl restart -- sre', use);
  }
  const e = t.throws(() => parse({ name: 'sre', state: 'restarted', use: 'sysvinit' }), { instanceOf: ParseError });
  t.regex(e!.describe(), /^cp\.yml:7: service: use 'sysvinit' is not supported: tsplay manages services through systemd/);
  // A template is checked once rendered, when the task runs.
  t.like(serviceModule.parse({ name: 'sre', state: 'started', use: '{{ mgr }}' }, where, true), { use: '{{ mgr }}' });
});
