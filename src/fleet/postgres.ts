import { execFile, execFileSync } from 'node:child_process';
import { onProcessEnd } from './exit-hooks.js';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './fleet.js';
import { freePort } from './ports.js';

const run = promisify(execFile);

/** A real PostgreSQL server for tests: its own data dir, a random port on 127.0.0.1, trust auth. */
export interface PostgresServer {
  host: '127.0.0.1';
  port: number;
  superuser: 'postgres';
  dataDir: string;
  /**
   * The Unix socket's directory: under /run, which the fleet's hosts share with the controller
   * (the data dir may sit under /tmp, which is private on each host).
   */
  socketDir: string;
  /** Run SQL as the superuser (psql -X -A -t, ON_ERROR_STOP) and return what psql printed. */
  psql(sql: string, db?: string): Promise<string>;
  /** Stop this server (only the one started here) and remove its data dir. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** pg_hba.conf lines placed before the default `trust` lines (e.g. a password-checked role). */
  hba?: string[];
}

/** Debian's server binaries first; this dev machine also has a /usr/local build, used as a fallback. */
function findBinDir(): string {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(debian, versions[0]!, 'bin');
  }
  if (existsSync('/usr/local/bin/initdb')) return '/usr/local/bin';
  throw new Error('no PostgreSQL server binaries (initdb) found');
}

/** initdb and the server refuse to run as root: run them as the `postgres` OS user. */
function asPostgres(argv: string[]): Promise<{ stdout: string; stderr: string }> {
  if (process.getuid?.() !== 0) return run(argv[0]!, argv.slice(1));
  return run('runuser', ['-u', 'postgres', '--', ...argv]);
}

function pgUid(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres OS user');
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresServer> {
  const bin = findBinDir();
  const work = join(repoRoot(), '.work');
  mkdirSync(work, { recursive: true });
  const dataDir = mkdtempSync(join(work, 'pg-'));
  if (process.getuid?.() === 0) {
    const { uid, gid } = pgUid();
    chownSync(dataDir, uid, gid);
  }
  await asPostgres([join(bin, 'initdb'), '-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const socketDir = mkdtempSync('/run/tsplay-pg-');
  if (process.getuid?.() === 0) {
    const { uid, gid } = pgUid();
    chownSync(socketDir, uid, gid);
  }
  const hbaPath = join(dataDir, 'pg_hba.conf');
  if (opts.hba?.length) writeFileSync(hbaPath, opts.hba.join('\n') + '\n' + readFileSync(hbaPath, 'utf8'));

  const logFile = join(dataDir, 'server.log');
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    const serverOpts = [
      `-p ${port}`,
      `-k ${socketDir}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
    ].join(' ');
    try {
      await asPostgres([join(bin, 'pg_ctl'), '-D', dataDir, '-o', serverOpts, '-l', logFile, '-w', '-t', '60', 'start']);
      break;
    } catch (e) {
      // another process may have taken the port between the probe and the start: try a new one.
      if (attempt >= 2) {
        const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
        rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
        rmSync(socketDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
        throw new Error(`PostgreSQL did not start: ${(e as Error).message}\n${log}`);
      }
    }
  }

  const pidFile = join(dataDir, 'postmaster.pid');
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  let stopped = false;
  // If the test process dies without stop(), do not leave our server behind: kill exactly its postmaster.
  const onExit = () => {
    if (stopped) return;
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      /* already gone */
    }
  };
  const unregister = onProcessEnd(onExit);

  return {
    host: '127.0.0.1',
    port,
    superuser: 'postgres',
    dataDir,
    socketDir,
    async psql(sql: string, db = 'postgres'): Promise<string> {
      const args = ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db, '-c', sql];
      const { stdout } = await run('psql', args);
      return stdout;
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      unregister();
      try {
        await asPostgres([join(bin, 'pg_ctl'), '-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } catch {
        try {
          process.kill(pid, 'SIGQUIT');
        } catch {
          /* already gone */
        }
      }
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      rmSync(socketDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

/** For scripts: is a PostgreSQL server installed here at all? */
export function postgresAvailable(): boolean {
  try {
    findBinDir();
    execFileSync('psql', ['--version']);
    return true;
  } catch {
    return false;
  }
}
