import { execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { onProcessEnd } from './exit-hooks.js';
import { repoRoot } from './fleet.js';
import { freePort } from './ports.js';

const run = promisify(execFile);

/**
 * A real MariaDB server (Debian's mariadb-server) for tests and the lab: its own data dir, a random port on
 * 127.0.0.1 and a socket under /run (which the fleet's hosts share with the controller). `root@localhost`
 * has no password (socket or TCP from 127.0.0.1); `admin` with password `admin-pw` can log in from anywhere.
 */
export interface MariadbServer {
  host: '127.0.0.1';
  port: number;
  socket: string;
  dataDir: string;
  pid: number;
  /** Run SQL as root over the socket (batch, no column names) and return what the client printed. */
  sql(sql: string, db?: string): Promise<string>;
  /** Stop this server (only the one started here) and remove its data dir and socket dir. */
  stop(): Promise<void>;
}

function mysqlIds(): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('mysql:'));
  if (!line) return undefined;
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

export function mariadbAvailable(): boolean {
  return existsSync('/usr/sbin/mariadbd') && existsSync('/usr/bin/mariadb');
}

export async function startMariadb(): Promise<MariadbServer> {
  if (!mariadbAvailable()) throw new Error('MariaDB is not installed (apt-get install mariadb-server)');
  const work = join(repoRoot(), '.work');
  mkdirSync(work, { recursive: true });
  const dataDir = mkdtempSync(join(work, 'mariadb-'));
  const runDir = mkdtempSync('/run/tsplay-mariadb-');
  const ids = process.getuid?.() === 0 ? mysqlIds() : undefined;
  if (ids) {
    chownSync(dataDir, ids.uid, ids.gid);
    chownSync(runDir, ids.uid, ids.gid);
  }
  const user = ids ? ['--user=mysql'] : [];
  const socket = join(runDir, 'mysqld.sock');
  try {
    await run('mariadb-install-db', ['--no-defaults', `--datadir=${dataDir}`, ...user, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'], { timeout: 120_000 });
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    rmSync(runDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    throw new Error(`mariadb-install-db failed: ${(e as Error).message}`);
  }
  const port = await freePort();
  const child = spawn(
    '/usr/sbin/mariadbd',
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${join(dataDir, 'mariadbd.pid')}`,
      `--log-error=${join(dataDir, 'error.log')}`,
      ...user,
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=32M',
      '--innodb-flush-log-at-trx-commit=0',
      '--innodb-doublewrite=0',
      '--skip-log-bin',
      '--server-id=1',
    ],
    { detached: true, stdio: 'ignore' },
  );
  child.unref();
  const pid = child.pid!;
  let stopped = false;
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  };
  const unregister = onProcessEnd(() => {
    if (!stopped) kill('SIGKILL');
  });
  const client = (sql: string, db?: string) =>
    run('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '-N', '-B', ...(db ? [db] : []), '-e', sql], { maxBuffer: 64 << 20 });
  for (let i = 0; ; i++) {
    try {
      await client('SELECT 1');
      break;
    } catch (e) {
      if (i > 300 || child.exitCode !== null) {
        stopped = true;
        unregister();
        kill('SIGKILL');
        const log = existsSync(join(dataDir, 'error.log')) ? readFileSync(join(dataDir, 'error.log'), 'utf8') : '';
        rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
        rmSync(runDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
        throw new Error(`MariaDB did not start: ${(e as Error).message}\n${log}`);
      }
      await sleep(100);
    }
  }
  await client(
    "CREATE USER IF NOT EXISTS root@'127.0.0.1'; GRANT ALL ON *.* TO root@'127.0.0.1' WITH GRANT OPTION; " +
      "CREATE USER admin@'%' IDENTIFIED BY 'admin-pw'; GRANT ALL ON *.* TO admin@'%' WITH GRANT OPTION",
  );
  return {
    host: '127.0.0.1',
    port,
    socket,
    dataDir,
    pid,
    async sql(sql, db) {
      return (await client(sql, db)).stdout;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      unregister();
      kill('SIGTERM');
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await sleep(100);
      }
      kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      rmSync(runDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
