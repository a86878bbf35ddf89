/**
 * Run one case with tsplay and reduce its --json document as the compat suite does
 * (test/compat/reduce.ts): each host's (task, status) sequence, the recap, the exit code.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Fleet } from '../../src/fleet/fleet.js';
import { parseDoc, reduce, type Reduced } from '../compat/reduce.js';
import { repo, runCli } from '../helpers/cli.js';
import type { InventoryName, TargetCase } from './cases.js';
import { caseEnv, playbookOf, prepareRun, writeInventory } from './source.js';

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
  /** the --json document (to see why a task failed) */
  stdout: string;
}

/** A directory holding `ansible-playbook` that runs the built tsplay CLI (for a target that runs ansible-playbook itself). */
function tsplayAsAnsiblePlaybook(work: string): string {
  const bin = join(work, 'ansible-playbook-is-tsplay');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'ansible-playbook'), `#!/bin/sh\nexec '${process.execPath}' '${join(repo, 'dist', 'src', 'cli.js')}' "$@"\n`);
  chmodSync(join(bin, 'ansible-playbook'), 0o755);
  return bin;
}

export async function runTsplay(c: TargetCase, fleet: Fleet, committedTargets: string, work: string): Promise<TsplayOutcome> {
  const { targets, done } = prepareRun(c, fleet, committedTargets, work);
  try {
    // the interpreter ansible-test's inventory names, as the recording did (the targets read ansible_python_interpreter)
    const inventory = writeInventory(c, fleet, work, { ansible_python_interpreter: '/usr/bin/python3' });
    const { playbook, cwd } = playbookOf(c, targets, work);
    const env = { ...caseEnv(c, targets), ...(c.runsAnsiblePlaybook ? { PATH: `${tsplayAsAnsiblePlaybook(work)}:${process.env.PATH ?? ''}` } : {}) };
    const r = await runCli([playbook, '-i', inventory, '--json', ...c.args], { cwd, env, timeoutMs: 10 * 60_000 });
    return outcome(r);
  } finally {
    done();
  }
}

function outcome(r: { code: number | null; stdout: string; stderr: string }): TsplayOutcome {
  // a playbook rejected before it ran prints no document: no host ran anything
  const reduced = /^\{/m.test(r.stdout) ? reduce(parseDoc(r.stdout)) : { hosts: {}, stats: {} };
  return { exitCode: r.code, hosts: reduced.hosts, stats: reduced.stats, stderr: r.stderr, stdout: r.stdout };
}
