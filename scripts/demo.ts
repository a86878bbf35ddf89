/**
 * npm run demo: bring up the lab (site A: 2 EMs, 3 CPs, 2 SCS hosts, 2 LCA-only hosts, PostgreSQL) on
 * local OpenSSH test hosts, run the SRE rolling upgrade on it with the built CLI as an operator would
 *   tsplay playbooks/upgrade.yml -i <lab inventory> -e src_rpm=sre-4.0.2.x86_64.rpm
 * print tsplay's output and recap, tear the lab down. Exits with tsplay's exit code.
 * `npm run demo -- playbooks/lca-upgrade.yml` runs another playbook (further arguments go to tsplay).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, startLab, type Lab } from '../src/lab/lab.js';
import { TsplayError } from '../src/errors.js';

const repo = repoRoot();
const [playbook = join(repo, 'playbooks', 'upgrade.yml'), ...rest] = process.argv.slice(2);
const extra = process.argv.length > 2 ? rest : ['-e', 'src_rpm=sre-4.0.2.x86_64.rpm'];

console.log('lab: starting site-a (9 OpenSSH hosts on 127.x, PostgreSQL, SRE 3.3.0 installed) …');
let lab: Lab;
try {
  lab = await startLab({ site: 'site-a' });
} catch (e) {
  // One line, never a stack trace: a missing package or a port in use is the operator's to fix.
  console.error(`ERROR! ${e instanceof TsplayError ? e.describe() : (e as Error).message}`);
  process.exit(1);
}
console.log(`lab up: ${lab.fleet.hosts.map((h) => `${h.name}=${h.address}`).join(' ')}`);
console.log(`inventory: ${lab.inventory}\n`);
let code = 1;
const stopOnSignal = () => void lab.stop().then(() => process.exit(130));
process.once('SIGINT', stopOnSignal);
process.once('SIGTERM', stopOnSignal);
try {
  console.log(`$ tsplay ${[playbook, '-i', lab.inventory, ...extra].join(' ')}\n`);
  code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [join(repo, 'dist', 'src', 'cli.js'), playbook, '-i', lab.inventory, ...extra], { stdio: 'inherit', cwd: repo });
    child.on('close', (c) => resolve(c ?? 1));
  });
} finally {
  await lab.stop();
  console.log('lab down');
}
process.exit(code);
