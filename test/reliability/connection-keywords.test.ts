/** connection, remote_user, port and ansible_user/port/host at any variable level do what they say. */
import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { repo, runCli, workDir } from '../helpers/cli.js';

let fleet: Fleet;
let dir: string;

test.before(async () => {
  fleet = await startFleet({ size: 2 });
  dir = workDir('connkw-');
});
test.after.always(async () => fleet?.stop());

/** An inventory that leaves user and (optionally) port to the playbook. */
function bareInventory(withPort: boolean): string {
  const p = join(dir, `bare-${withPort}.ini`);
  const lines = fleet.hosts.map((h) => `${h.name} ansible_host=${h.address}${withPort ? ` ansible_port=${h.port}` : ''}`);
  lines.push('', '[all:vars]', `ansible_ssh_private_key_file=${fleet.keyPath}`, `tsplay_known_hosts_file=${fleet.knownHostsPath}`);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

/** Run a playbook with --json; the stdout of each task on h1, by task name. */
async function outputs(yaml: string, inventory: string): Promise<Record<string, string>> {
  const file = join(dir, `pb-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, yaml);
  const r = await runCli([file, '-i', inventory, '--json', '--journal-dir', join(dir, 'runs')]);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stdout}${r.stderr}`);
  const doc = JSON.parse(r.stdout) as { plays: { tasks: { task: { name: string }; hosts: Record<string, { stdout?: string }> }[] }[] };
  const out: Record<string, string> = {};
  for (const p of doc.plays) for (const t of p.tasks) if (t.hosts.h1?.stdout !== undefined) out[t.task.name] = t.hosts.h1.stdout;
  return out;
}

test('connection: local runs on the controller; the next play goes back to the host', async (t) => {
  const out = await outputs(
    `- hosts: h1
  gather_facts: false
  connection: local
  tasks:
    - name: where
      command: hostname
- hosts: h1
  gather_facts: false
  tasks:
    - name: remote
      command: hostname
    - name: task-local
      command: hostname
      connection: local
`,
    fleet.inventoryPath,
  );
  t.is(out.where, hostname());
  t.is(out.remote, 'h1');
  t.is(out['task-local'], hostname());
});

test('ansible_user in task vars wins over the inventory; remote_user when no variable says otherwise', async (t) => {
  const fromVars = await outputs(
    `- hosts: h1
  gather_facts: false
  tasks:
    - name: inventory user
      command: whoami
    - name: task vars user
      command: whoami
      vars: { ansible_user: labuser }
    - name: inventory user again
      command: whoami
`,
    fleet.inventoryPath,
  );
  t.deepEqual(fromVars, { 'inventory user': 'root', 'task vars user': 'labuser', 'inventory user again': 'root' });

  const kw = await outputs(
    `- hosts: h1
  gather_facts: false
  remote_user: labuser
  tasks:
    - name: play keyword
      command: whoami
    - name: task keyword
      command: whoami
      remote_user: root
    - name: block keyword
      block:
        - name: in block
          command: whoami
      remote_user: root
`,
    bareInventory(true),
  );
  t.deepEqual(kw, { 'play keyword': 'labuser', 'task keyword': 'root', 'in block': 'root' });
});

test('port keyword when the inventory names none; ansible_port and ansible_host from task vars', async (t) => {
  const h2 = fleet.host('h2');
  const out = await outputs(
    `- hosts: h1
  gather_facts: false
  remote_user: root
  port: ${fleet.host('h1').port}
  tasks:
    - name: port keyword
      command: hostname
    - name: other address
      command: hostname
      vars: { ansible_host: ${h2.address}, ansible_port: ${h2.port} }
`,
    bareInventory(false),
  );
  t.deepEqual(out, { 'port keyword': 'h1', 'other address': 'h2' });
});
