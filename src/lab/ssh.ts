import { execFile } from 'node:child_process';
import type { Fleet } from '../fleet/fleet.js';

/** Run a shell script on a lab host as root over the fleet's SSH (the OpenSSH client), failing on rc != 0. */
export function sshRun(fleet: Fleet, host: string, script: string): Promise<string> {
  const h = fleet.host(host);
  const args = [
    '-i', fleet.keyPath,
    '-o', `UserKnownHostsFile=${fleet.knownHostsPath}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', 'LogLevel=ERROR',
    '-p', String(h.port),
    `root@${h.address}`,
    script,
  ];
  return new Promise((resolve, reject) => {
    execFile('ssh', args, { maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`lab: on ${host}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}
