/**
 * Record Ansible's behaviour for the compatibility scenarios (test/compat/scenarios.ts): start a
 * fleet, run each playbook with ansible-playbook (ansible-core 2.14, stdout callback compat_json =
 * ansible.posix.json's document) and write test/compat/fixtures/<scenario>.json with each host's
 * (task, status) sequence, the recap and the exit code. The tests compare tsplay against these
 * files and do not need Ansible.
 *
 *   node --import tsx scripts/record-compat-fixtures.ts [scenario...]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFleet } from '../src/fleet/fleet.js';
import { parseDoc, reduce, type Fixture } from '../test/compat/reduce.js';
import { COMPAT_FLEET, SCENARIOS } from '../test/compat/scenarios.js';

const compat = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'compat');

function ansibleVersion(): string {
  const r = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('ansible-playbook is not installed (apt-get install ansible-core)');
  return r.stdout.split('\n')[0]!.trim();
}

/** JSON with nested objects indented, flat objects and arrays on one line each, so a fixture reads as one line per task. */
function pretty(v: unknown, indent = ''): string {
  if (Array.isArray(v) && v.some((x) => Array.isArray(x))) {
    return v.length === 0 ? '[]' : `[\n${v.map((x) => indent + '  ' + JSON.stringify(x)).join(',\n')}\n${indent}]`;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return JSON.stringify(v);
  if (Object.values(v).every((x) => x === null || typeof x !== 'object')) return JSON.stringify(v);
  const entries = Object.entries(v);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${indent}  ${JSON.stringify(k)}: ${pretty(x, indent + '  ')}`).join(',\n')}\n${indent}}`;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const unknown = only.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);
  const version = ansibleVersion();
  const fleet = await startFleet(COMPAT_FLEET);
  try {
    mkdirSync(join(compat, 'fixtures'), { recursive: true });
    for (const sc of SCENARIOS.filter((s) => only.length === 0 || only.includes(s.name))) {
      const r = spawnSync(
        'ansible-playbook',
        [
          join(compat, 'playbooks', sc.playbook),
          '-i', fleet.inventoryPath,
          '-e', `ansible_ssh_common_args='-o UserKnownHostsFile=${fleet.knownHostsPath}'`,
          '-e', 'ansible_python_interpreter=/usr/bin/python3',
          ...sc.args,
        ],
        {
          cwd: fleet.dir, // no ansible.cfg there
          encoding: 'utf8',
          maxBuffer: 64 << 20,
          env: {
            ...process.env,
            ANSIBLE_CONFIG: join(fleet.dir, 'no-ansible.cfg'),
            ANSIBLE_CALLBACK_PLUGINS: join(compat, 'callback'),
            ANSIBLE_STDOUT_CALLBACK: 'compat_json',
            ANSIBLE_NOCOLOR: '1',
            ANSIBLE_RETRY_FILES_ENABLED: '0',
            ANSIBLE_FORKS: '5',
          },
        },
      );
      if (r.status === null) throw new Error(`${sc.name}: ansible-playbook was killed (${r.signal})`);
      if (!/^\{/m.test(r.stdout)) throw new Error(`${sc.name}: ansible-playbook wrote no JSON document (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
      const fixture: Fixture = { scenario: sc.name, playbook: sc.playbook, args: sc.args, exitCode: r.status, recordedWith: version, ...reduce(parseDoc(r.stdout)) };
      writeFileSync(join(compat, 'fixtures', `${sc.name}.json`), pretty(fixture) + '\n');
      console.log(`${sc.name}: exit ${r.status}${r.stderr.trim() ? `\n  stderr: ${r.stderr.trim().split('\n').join('\n  ')}` : ''}`);
    }
  } finally {
    await fleet.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
