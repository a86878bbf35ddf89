import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const OWNER_FILE = 'owner.pid';
const STALE_AFTER_MS = 10 * 60 * 1000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove default fleet dirs left by test runs that are over: the process that made the dir is gone
 * and the dir is older than 10 minutes (logs stay around for a look after a failure).
 * Only `fleet-*` dirs with an owner file are candidates; anything else is left alone.
 */
async function pruneStale(workDir: string): Promise<void> {
  const entries = await readdir(workDir).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((e) => e.startsWith('fleet-'))
      .map(async (e) => {
        const dir = join(workDir, e);
        try {
          const pid = Number(await readFile(join(dir, OWNER_FILE), 'utf8'));
          const age = Date.now() - (await stat(dir)).mtimeMs;
          if (pid > 0 && !alive(pid) && age > STALE_AFTER_MS) await rm(dir, { recursive: true, force: true });
        } catch {
          // no owner file or raced with another pruner: leave it
        }
      }),
  );
}

/** A fresh `<workDir>/fleet-XXXXXX`, stamped with our PID so later runs know when it is stale. */
export async function makeFleetDir(workDir: string): Promise<string> {
  await mkdir(workDir, { recursive: true });
  await pruneStale(workDir);
  const dir = await mkdtemp(join(workDir, 'fleet-'));
  await writeFile(join(dir, OWNER_FILE), String(process.pid));
  return dir;
}
