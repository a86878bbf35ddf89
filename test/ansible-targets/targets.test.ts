/**
 * tsplay on Ansible's own integration targets (cases.ts): each case runs on the SSH test hosts with
 * the flags its runme.sh step gives, and its exit code, each host's (task, status) sequence and the
 * recap must equal what ansible-playbook 2.14 did (fixtures/, scripts/record-ansible-targets.ts).
 * The targets' files are committed in targets/ (scripts/vendor-ansible-targets.sh, from an
 * ansible/ansible checkout at the recorded commit; source.ts); Ansible itself is not needed. Cases in KNOWN_DIFFERENCES are not run: the README
 * lists each with why.
 */
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { repo } from '../helpers/cli.js';
import { CASES, KNOWN_DIFFERENCES } from './cases.js';
import { runTsplay, type TargetFixture } from './compare.js';
import { targetsDir, TARGETS_FLEET } from './source.js';

const suite = join(repo, 'test', 'ansible-targets');
const fixturePath = (name: string) => join(suite, 'fixtures', `${name}.json`);
const fixture = (name: string) => JSON.parse(readFileSync(fixturePath(name), 'utf8')) as TargetFixture;

let fleet: Fleet;
let targets: string;
const work = mkdtempSync(join(tmpdir(), 'tsplay-ansible-targets-run-'));

test.before(async () => {
  const commits = new Set(CASES.filter((c) => existsSync(fixturePath(c.name))).map((c) => fixture(c.name).ansibleCommit));
  if (commits.size !== 1) throw new Error(`the fixtures must come from one ansible/ansible commit, got ${[...commits].join(', ') || 'none'}`);
  targets = targetsDir([...commits][0]!);
  fleet = await startFleet(TARGETS_FLEET);
});
test.after.always(async () => {
  await fleet?.stop();
});

test('every case has a fixture recorded with the flags it runs with, and every known difference names a case', (t) => {
  for (const c of CASES) {
    t.true(existsSync(fixturePath(c.name)), `${c.name}: no fixture (node --import tsx scripts/record-ansible-targets.ts ${c.name})`);
    if (existsSync(fixturePath(c.name))) t.deepEqual([fixture(c.name).args, fixture(c.name).inventory], [c.args, c.inventory], `${c.name}: recorded with other flags`);
  }
  for (const name of Object.keys(KNOWN_DIFFERENCES)) t.true(CASES.some((c) => c.name === name), `${name} is not a case`);
});

// TSPLAY_TARGETS_ALL=1 runs the known differences too (to see which of them match now).
const runAll = process.env.TSPLAY_TARGETS_ALL === '1';
for (const c of CASES.filter((x) => runAll || !(x.name in KNOWN_DIFFERENCES))) {
  test.serial(`${c.name}: same exit code, per-host task statuses and recap as ansible-playbook`, async (t) => {
    const want = fixture(c.name);
    const got = await runTsplay(c, fleet, targets, work);
    const context = `tsplay exit ${got.exitCode}, stderr:\n${got.stderr.slice(0, 3000)}`;
    t.deepEqual(got.hosts, want.hosts, `per-host (task, status) sequences\n${context}`);
    t.deepEqual(got.stats, want.stats, `recap\n${context}`);
    t.is(got.exitCode, want.exitCode, `exit code\n${context}`);
  });
}
