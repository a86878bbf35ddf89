import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRecap, runCli, workDir } from '../helpers/cli.js';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';

// Role argument specs and validate_argument_spec, run by the built CLI on the controller and compared
// line for line with what ansible-playbook 2.14 printed for the same playbooks
// (expected/, recorded by scripts/record-argument-spec-fixtures.sh); then a malformed spec, and a role
// on two SSH test hosts whose variables differ.

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'argument-spec');
const expected = (name: string) => ({
  out: readFileSync(join(dir, 'expected', `${name}.out`), 'utf8'),
  rc: Number(readFileSync(join(dir, 'expected', `${name}.rc`), 'utf8')),
});
// Python lists the valid booleans in its frozenset's order, which changes from run to run.
const anyBooleanOrder = (s: string) => s.replace(/Valid booleans include: ('?[a-z0-9]+'?, )+'?[a-z0-9]+'?/g, 'Valid booleans include: …');
/** tsplay's output as the recording writes it: the fixtures' dir as FIXTURES, without tsplay's own STOPPED banner. */
const asRecorded = (s: string) => anyBooleanOrder(s.split(dir).join('FIXTURES').replace(/STOPPED \[[^\]]*\] \*+\n\n/g, ''));

const cases: [string, string, string[]][] = [
  ['pass', 'a roles: entry whose params pass its spec: the validation task, ok, counted in the recap', []],
  ['fail', "a roles: entry that does not: Ansible's message and result keys, its tasks not run, exit 2", []],
  ['tasks-from', 'tasks_from: its own entry point; import_role under a rescue; tasks_from with .yml and rolespec_validate: false validate nothing', []],
  ['tags', '--tags sometag still runs the validation (tagged always)', ['--tags', 'sometag']],
  ['meta-spec', 'a spec in meta/main.yml; meta/argument_specs.yml wins over it; a meta dependency validated with its params first', []],
  ['direct', 'validate_argument_spec in a play: variables checked with the provided arguments', []],
  ['checks', "the validator's checks: types, elements, choices, sub-options, mutually_exclusive, required_*", []],
];

for (const [name, what, extra] of cases) {
  test(`${name}: ${what}`, async (t) => {
    const want = expected(name);
    const r = await runCli([join(dir, `${name}.yml`), '-i', 'localhost,', ...extra]);
    t.is(r.stderr, '');
    t.is(asRecorded(r.stdout), anyBooleanOrder(want.out));
    t.is(r.code, want.rc);
  });
}

test('the banner, the ok and the recap of a passing role, and the failing role named in the result', async (t) => {
  const pass = await runCli([join(dir, 'pass.yml'), '-i', 'localhost,']);
  t.regex(pass.stdout, /TASK \[sip_proxy : Validating arguments against arg spec 'main' - Deploy the SIP proxy\.\] \*+\nok: \[localhost\]\n/);
  t.like(parseRecap(pass.stdout).localhost, { ok: 3, failures: 0 });
  const fail = await runCli([join(dir, 'fail.yml'), '-i', 'localhost,', '--json']);
  t.is(fail.code, 2);
  const doc = JSON.parse(fail.stdout) as { plays: { tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[] };
  const tasks = doc.plays[0]!.tasks;
  t.deepEqual(tasks.map((x) => x.task.name), ["sip_proxy : Validating arguments against arg spec 'main' - Deploy the SIP proxy."]);
  const result = tasks[0]!.hosts.localhost!;
  t.true(result.failed);
  t.is((result.msg as string).split('\n')[0], 'Validation of arguments failed:');
  t.deepEqual((result.argument_errors as string[]).slice(0, 2), ['missing required arguments: sip_port', 'value of sip_transport must be one of: udp, tcp, tls, got: sctp']);
  t.deepEqual(result.validate_args_context, { argument_spec_name: 'main', name: 'sip_proxy', path: join(dir, 'roles', 'sip_proxy'), type: 'role' });
  t.deepEqual(Object.keys(result.argument_spec_data as object).sort(), ['sip_listen', 'sip_port', 'sip_tls', 'sip_transport']);
});

/** A playbook running role `rb` whose meta/argument_specs.yml is `spec`. */
function withSpec(spec: string, file = 'argument_specs.yml'): string {
  const d = workDir('argspec-bad');
  mkdirSync(join(d, 'roles', 'rb', 'meta'), { recursive: true });
  mkdirSync(join(d, 'roles', 'rb', 'tasks'), { recursive: true });
  writeFileSync(join(d, 'roles', 'rb', 'tasks', 'main.yml'), '- debug: msg=rb\n');
  writeFileSync(join(d, 'roles', 'rb', 'meta', file), spec);
  writeFileSync(join(d, 'site.yml'), '- hosts: localhost\n  gather_facts: false\n  roles: [rb]\n');
  return join(d, 'site.yml');
}

test('a malformed spec is one load error naming the file:line of the key, found by --syntax-check before any host', async (t) => {
  const bad: [string, RegExp, string?][] = [
    ['argument_specs:\n  main:\n    options:\n      port:\n        type: integer\n', /meta\/argument_specs\.yml:5:9: role 'rb' argument spec 'main': option 'port': 'type' must be one of str, list, dict, bool, int, float, path, raw, jsonarg, json, bytes, bits, got "integer"$/],
    ['argument_specs:\n  main:\n    options:\n      a:\n        required: true\n        default: 1\n', /argument_specs\.yml:6:9: role 'rb' argument spec 'main': option 'a': 'required' and 'default' are mutually exclusive/],
    ['argument_specs:\n  main:\n    options:\n      c:\n        type: dict\n        options:\n          d:\n            choices: x\n', /argument_specs\.yml:8:13: role 'rb' argument spec 'main': option 'c -> d': 'choices' must be a list, got "x"$/],
    ['argument_specs:\n  main:\n    options: [a]\n', /argument_specs\.yml:3:5: role 'rb' argument spec 'main': 'options' must be a dictionary of options/],
    ['argument_specs:\n  main:\n    short_description: [x]\n', /argument_specs\.yml:3:5: role 'rb' argument spec 'main': 'short_description' must be a string/],
    ['argument_specs: [main]\n', /argument_specs\.yml:1:1: 'argument_specs' must be a dictionary of entry points/],
    ['argument_specs:\n  main:\n    options:\n      x:\n        type: str\n        elements: str\n', /main\.yml:6:9: role 'rb' argument spec 'main': option 'x': 'elements' is only valid with type list, not str/, 'main.yml'],
  ];
  for (const [spec, message, file] of bad) {
    const r = await runCli([withSpec(spec, file), '-i', 'localhost,', '--syntax-check']);
    t.is(r.code, 4, spec);
    t.is(r.stdout, '');
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    t.regex(r.stderr.trim(), new RegExp(`^ERROR! .*${message.source}`), spec);
  }
});

test('validate_argument_spec given no dictionary fails when it runs, with the action\'s message', async (t) => {
  const d = workDir('argspec-direct');
  writeFileSync(join(d, 'site.yml'), '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - validate_argument_spec:\n        argument_spec: "{{ [1, 2] }}"\n');
  const r = await runCli([join(d, 'site.yml'), '-i', 'localhost,']);
  t.is(r.code, 2);
  t.regex(r.stdout, /fatal: \[localhost\]: FAILED! => \{.*"msg": "Incorrect type for argument_spec, expected dict and got <class 'list'>"\}/);
  const literal = await runCli([join(d, 'site.yml'), '-i', 'localhost,', '--syntax-check'], {});
  t.is(literal.code, 0, 'a template is checked when it is rendered');
  writeFileSync(join(d, 'bad.yml'), '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - validate_argument_spec:\n        argument_spec:\n          a: {type: nope}\n');
  const bad = await runCli([join(d, 'bad.yml'), '-i', 'localhost,', '--syntax-check']);
  t.is(bad.code, 4);
  t.regex(bad.stderr, /bad\.yml:6:15: .*validate_argument_spec: argument_spec: option 'a': 'type' must be one of/);
});

let fleet: Fleet | undefined;
test.after.always(async () => {
  await fleet?.stop();
});

test('on SSH test hosts: the host whose variables fail the spec stops before the role touches it', async (t) => {
  const hosts = (fleet = await startFleet({ size: 2 }));
  const d = workDir('argspec-fleet');
  mkdirSync(join(d, 'roles', 'sip', 'meta'), { recursive: true });
  mkdirSync(join(d, 'roles', 'sip', 'tasks'), { recursive: true });
  writeFileSync(join(d, 'roles', 'sip', 'meta', 'argument_specs.yml'), 'argument_specs:\n  main:\n    short_description: SIP listener.\n    options:\n      sip_port: {type: int, required: true}\n');
  writeFileSync(join(d, 'roles', 'sip', 'tasks', 'main.yml'), '- name: Write the listen line\n  copy:\n    dest: /opt/listen\n    content: "listen={{ sip_port }}\\n"\n');
  writeFileSync(join(d, 'inventory.ini'), readFileSync(hosts.inventoryPath, 'utf8'));
  mkdirSync(join(d, 'host_vars'));
  writeFileSync(join(d, 'host_vars', 'h1.yml'), 'sip_port: 5060\n');
  writeFileSync(join(d, 'host_vars', 'h2.yml'), 'sip_port: five\n');
  writeFileSync(join(d, 'site.yml'), '- hosts: all\n  gather_facts: false\n  roles: [sip]\n');
  const r = await runCli([join(d, 'site.yml'), '-i', join(d, 'inventory.ini')]);
  t.is(r.code, 2, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[sip : Validating arguments against arg spec 'main' - SIP listener\.\] \*+\nok: \[h1\]\nfatal: \[h2\]: FAILED! => .*"msg": "Validation of arguments failed:\\nargument 'sip_port' is of type <class 'ansible\.parsing\.yaml\.objects\.AnsibleUnicode'> and we were unable to convert to int: <class 'ansible\.parsing\.yaml\.objects\.AnsibleUnicode'> cannot be converted to an int"/);
  t.is(readFileSync(hosts.path('h1', '/opt/listen'), 'utf8'), 'listen=5060\n');
  t.throws(() => readFileSync(hosts.path('h2', '/opt/listen')), { code: 'ENOENT' });
  const recap = parseRecap(r.stdout);
  t.like(recap.h1, { ok: 2, changed: 1, failures: 0 });
  t.like(recap.h2, { ok: 0, changed: 0, failures: 1 });
});
