/**
 * Latency of sequential commands on one SSH connection, with and without TCP_NODELAY.
 * Without it, Nagle's algorithm holds each small write until the peer's delayed ACK (~40 ms),
 * and every task of a `serial: 1` rollout pays that. Run: npx tsx bench/ssh-latency.ts
 */
import { startFleet } from '../src/fleet/fleet.js';
import { SshConnection } from '../src/connection/ssh.js';
import { targetFromVars } from '../src/connection/target.js';

const COMMANDS = 101;

async function measure(noDelay: boolean, vars: Record<string, unknown>): Promise<number> {
  const conn = await SshConnection.open(targetFromVars('bench', vars, {}), { noDelay });
  try {
    await conn.exec('true'); // warm-up: the first channel pays for session setup on the host
    const start = process.hrtime.bigint();
    for (let i = 0; i < COMMANDS; i++) {
      const r = await conn.exec('true');
      if (r.rc !== 0) throw new Error(`true failed: rc ${r.rc} ${r.stderr}`);
    }
    return Number(process.hrtime.bigint() - start) / 1e6;
  } finally {
    await conn.close();
  }
}

const fleet = await startFleet({ size: 1 });
try {
  const h = fleet.hosts[0]!;
  const vars = {
    ansible_host: h.address,
    ansible_port: h.port,
    ansible_user: 'root',
    ansible_ssh_private_key_file: fleet.keyPath,
    tsplay_known_hosts_file: fleet.knownHostsPath,
  };
  for (const noDelay of [true, false]) {
    const ms = await measure(noDelay, vars);
    console.log(
      `noDelay=${String(noDelay).padEnd(5)}  ${COMMANDS} sequential commands: ${(ms / 1000).toFixed(2)} s  (${(ms / COMMANDS).toFixed(1)} ms each)`,
    );
  }
} finally {
  await fleet.stop();
}
