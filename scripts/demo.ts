/**
 * npm run demo: bring up the lab fleet (OpenSSH test hosts on loopback), run a playbook against it
 * with the built CLI, print tsplay's output, tear the fleet down. Exits with tsplay's exit code.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFleet } from '../test/fleet/fleet.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const playbook = process.argv[2] ?? join(repo, 'playbooks', 'demo.yml');

const fleet = await startFleet({ size: 5, groups: { em: ['h1', 'h2'], cp: ['h3', 'h4', 'h5'] } });
console.log(`lab up: ${fleet.hosts.map((h) => `${h.name}=${h.address}:${h.port}`).join(' ')}`);
console.log(`inventory: ${fleet.inventoryPath}\n`);
let code = 1;
try {
  code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [join(repo, 'dist', 'src', 'cli.js'), playbook, '-i', fleet.inventoryPath, ...process.argv.slice(3)], { stdio: 'inherit' });
    child.on('close', (c) => resolve(c ?? 1));
  });
} finally {
  await fleet.stop();
  console.log('lab down');
}
process.exit(code);
