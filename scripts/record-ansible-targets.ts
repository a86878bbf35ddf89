/**
 * Record Ansible's behaviour on its own integration targets (test/ansible-targets/cases.ts): extract
 * ansible/ansible's test/integration/targets at stable-2.14 from a checkout ($ANSIBLE_SOURCE_GIT),
 * start the fleet, run each case with ansible-playbook (ansible-core 2.14, the compat_json stdout
 * callback) and write test/ansible-targets/fixtures/<case>.json: the exit code, each host's
 * (task, status) sequence and the recap. Ansible reaches the inventory's hosts with its local
 * connection (the fleet hosts share the controller's filesystem, and python3 is there); tsplay runs
 * them over SSH. targets.test.ts compares tsplay with these files and needs no Ansible.
 *
 *   node --import tsx scripts/record-ansible-targets.ts [case...]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFleet } from '../src/fleet/fleet.js';
import { parseDoc, reduce } from '../test/compat/reduce.js';
import { ANSIBLE_BRANCH, CASES } from '../test/ansible-targets/cases.js';
import { caseEnv, playbookOf, prepareRun, resolveCommit, targetsDir, TARGETS_FLEET, writeInventory } from '../test/ansible-targets/source.js';
import type { TargetFixture } from '../test/ansible-targets/compare.js';

const here = dirname(fileURLToPath(import.meta.url));
const suite = join(here, '..', 'test', 'ansible-targets');
const callbacks = join(here, '..', 'test', 'compat', 'callback');

function ansibleVersion(): string {
  const r = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('ansible-playbook is not installed (apt-get install ansible-core)');
  return r.stdout.split('\n')[0]!.trim();
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const unknown = only.filter((n) => !CASES.some((c) => c.name === n));
  if (unknown.length) throw new Error(`unknown case(s): ${unknown.join(', ')}`);
  const version = ansibleVersion();
  const commit = resolveCommit(ANSIBLE_BRANCH);
  const committedTargets = targetsDir(commit);
  const fleet = await startFleet(TARGETS_FLEET);
  const work = mkdtempSync(join(tmpdir(), 'tsplay-record-targets-'));
  try {
    mkdirSync(join(suite, 'fixtures'), { recursive: true });
    // in the order given (the quick ones first, say), else in CASES order
    for (const c of only.length === 0 ? CASES : only.map((n) => CASES.find((x) => x.name === n)!)) {
      // Ansible reaches the hosts through its local connection (same names, same filesystem, python3
      // there): over SSH each case took minutes on the shared cores; task statuses do not depend on it.
      // A case that changes the system (users, groups) goes over SSH, into the test host's own /etc.
      const connection: Record<string, string> = c.recordOverSsh ? {} : { ansible_connection: 'local' };
      const inventory = writeInventory(c, fleet, work, { ...connection, ansible_python_interpreter: '/usr/bin/python3' });
      // a target that writes into its own directory runs from a temporary copy of the targets
      const { targets, done } = prepareRun(c, fleet, committedTargets, work);
      const { playbook, cwd } = playbookOf(c, targets, work);
      const started = Date.now();
      const r = spawnSync(
        'ansible-playbook',
        [playbook, '-i', inventory, '-e', `ansible_ssh_common_args='-o UserKnownHostsFile=${fleet.knownHostsPath}'`, ...c.args],
        {
          cwd,
          encoding: 'utf8',
          maxBuffer: 256 << 20,
          timeout: 30 * 60_000,
          env: {
            ...process.env,
            ...caseEnv(c, targets),
            ANSIBLE_CONFIG: join(work, 'no-ansible.cfg'),
            ANSIBLE_CALLBACK_PLUGINS: callbacks,
            ANSIBLE_STDOUT_CALLBACK: 'compat_json',
            ANSIBLE_NOCOLOR: '1',
            ANSIBLE_RETRY_FILES_ENABLED: '0',
            ANSIBLE_FORKS: '5',
            ...(c.recordOverSsh ? { ANSIBLE_PIPELINING: '1' } : {}),
          },
        },
      );
      done();
      if (r.status === null) throw new Error(`${c.name}: ansible-playbook was killed (${r.signal})`);
      // A playbook Ansible rejects before running prints no document: no host ran anything.
      const reduced = /^\{/m.test(r.stdout) ? reduce(parseDoc(r.stdout)) : { hosts: {}, stats: {}, plays: [] };
      const fixture: TargetFixture = { case: c.name, args: c.args, inventory: c.inventory, exitCode: r.status, recordedWith: version, ansibleCommit: commit, hosts: reduced.hosts, stats: reduced.stats };
      writeFileSync(join(suite, 'fixtures', `${c.name}.json`), JSON.stringify(fixture, null, 1) + '\n');
      const err = r.stderr.trim().split('\n').filter((l) => /ERROR|error/.test(l)).slice(0, 3).join(' | ');
      console.log(`${c.name}: exit ${r.status} (${Math.round((Date.now() - started) / 1000)} s)${err ? `  ${err}` : ''}`);
    }
  } finally {
    await fleet.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
