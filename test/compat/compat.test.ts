/**
 * tsplay against recorded ansible-playbook behaviour: every scenario of scenarios.ts runs on one
 * fleet with the same flags Ansible ran with; each host's (task, status) sequence, the recap and
 * the exit code must equal the fixture recorded by scripts/record-compat-fixtures.ts.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { repo, runCli } from '../helpers/cli.js';
import { parseDoc, reduce, type Fixture, type Reduced } from './reduce.js';
import { COMPAT_FLEET, SCENARIOS } from './scenarios.js';

const compat = join(repo, 'test', 'compat');
let fleet: Fleet;
/** tsplay's reduced documents, for the play-entry comparison at the end */
const seen = new Map<string, Reduced>();

test.before(async () => {
  fleet = await startFleet(COMPAT_FLEET);
});
test.after.always(async () => {
  await fleet?.stop();
});

function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(compat, 'fixtures', `${name}.json`), 'utf8')) as Fixture;
}

for (const sc of SCENARIOS) {
  const define = sc.divergent ? test.serial.failing : test.serial;
  define(`${sc.name}: same per-host task statuses, recap and exit code as ansible-playbook${sc.divergent ? ` (known divergence: ${sc.divergent})` : ''}`, async (t) => {
    const want = fixture(sc.name);
    t.deepEqual(want.args, sc.args, 'fixture recorded with other flags: re-record it');
    // cwd: the fleet dir, so run journals (.tsplay/runs) stay out of the repo
    const r = await runCli([join(compat, 'playbooks', sc.playbook), '-i', fleet.inventoryPath, '--json', ...sc.args], { cwd: fleet.dir });
    const context = `tsplay exit ${r.code}, stderr:\n${r.stderr}`;
    let got: Reduced;
    try {
      got = reduce(parseDoc(r.stdout));
    } catch (e) {
      return t.fail(`${(e as Error).message}\n${context}`);
    }
    seen.set(sc.name, got);
    t.deepEqual(got.hosts, want.hosts, `per-host (task, status) sequences\n${context}`);
    t.deepEqual(got.stats, want.stats, 'recap');
    t.is(r.code, want.exitCode, 'exit code');
  });
}

// Ansible's json callback starts a play entry for every serial batch; the executor may well be
// right while the document's shape is not, so this is checked apart from the scenarios (and only
// for scenarios that match otherwise).
test.serial(
  '--json: one play entry per play and serial batch, with the hosts that ran in it, as Ansible',
  (t) => {
    const compared = SCENARIOS.filter((sc) => !sc.divergent && seen.has(sc.name));
    t.true(compared.length > 0, 'no scenario ran');
    for (const sc of compared) t.deepEqual(seen.get(sc.name)!.plays, fixture(sc.name).plays, sc.name);
  },
);
