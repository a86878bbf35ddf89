/**
 * Run one case with tsplay and reduce its --json document as the compat suite does
 * (test/compat/reduce.ts): each host's (task, status) sequence, the recap, the exit code.
 */
import type { Fleet } from '../../src/fleet/fleet.js';
import { parseDoc, reduce, type Reduced } from '../compat/reduce.js';
import { runCli } from '../helpers/cli.js';
import type { InventoryName, TargetCase } from './cases.js';
import { caseEnv, playbookOf, writeInventory } from './source.js';

/** What a fixture holds: Ansible's outcome of one case. */
export interface TargetFixture {
  case: string;
  args: string[];
  inventory: InventoryName;
  exitCode: number;
  recordedWith: string;
  /** the ansible/ansible commit whose targets were run */
  ansibleCommit: string;
  hosts: Reduced['hosts'];
  stats: Reduced['stats'];
}

export interface TsplayOutcome {
  exitCode: number | null;
  hosts: Reduced['hosts'];
  stats: Reduced['stats'];
  stderr: string;
}

export async function runTsplay(c: TargetCase, fleet: Fleet, targets: string, work: string): Promise<TsplayOutcome> {
  // the interpreter ansible-test's inventory names, as the recording did (the targets read ansible_python_interpreter)
  const inventory = writeInventory(c, fleet, work, { ansible_python_interpreter: '/usr/bin/python3' });
  const { playbook, cwd } = playbookOf(c, targets, work);
  const r = await runCli([playbook, '-i', inventory, '--json', ...c.args], { cwd, env: caseEnv(c, targets), timeoutMs: 10 * 60_000 });
  // a playbook rejected before it ran prints no document: no host ran anything
  const reduced = /^\{/m.test(r.stdout) ? reduce(parseDoc(r.stdout)) : { hosts: {}, stats: {} };
  return { exitCode: r.code, hosts: reduced.hosts, stats: reduced.stats, stderr: r.stderr };
}
