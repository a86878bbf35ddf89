import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * What apt and dpkg keep state in. With the fleet option `aptState` each host gets its own copy, so apt-get
 * and dpkg on a test host change that copy, never the controller's package database. Packages that tests
 * install must put their files under private dirs (/opt, /srv): /usr is still the controller's.
 */
export const APT_STATE_DIRS = ['/etc/apt', '/var/lib/dpkg', '/var/lib/apt', '/var/cache/apt', '/var/cache/debconf'] as const;

/**
 * Fill a host's private apt state from the controller's:
 * - /var/lib/dpkg and /var/cache/debconf copied as they are (what is installed, debconf answers);
 * - /etc/apt copied without any source: a host only sees the repositories a test gives it (no network);
 * - /var/lib/apt with no package lists, and no "automatically installed" marks, so an `autoremove` on the
 *   host can only remove what a test installed there as a dependency;
 * - an empty /var/cache/apt.
 */
export async function copyAptState(hostRoot: string): Promise<void> {
  const at = (p: string) => join(hostRoot, p);
  await mkdir(at('/etc'), { recursive: true });
  await mkdir(at('/var/lib'), { recursive: true });
  await mkdir(at('/var/cache'), { recursive: true });
  await Promise.all([
    run('cp', ['-a', '/etc/apt', at('/etc/')]),
    run('cp', ['-a', '/var/lib/dpkg', at('/var/lib/')]),
    run('cp', ['-a', '/var/cache/debconf', at('/var/cache/')]),
  ]);
  await rm(at('/etc/apt/sources.list.d'), { recursive: true, force: true });
  await mkdir(at('/etc/apt/sources.list.d'), { recursive: true });
  await writeFile(at('/etc/apt/sources.list'), '# tsplay test host: no repositories but those a test adds\n');
  await mkdir(at('/var/lib/apt/lists/partial'), { recursive: true });
  await mkdir(at('/var/lib/apt/periodic'), { recursive: true });
  await writeFile(at('/var/lib/apt/extended_states'), '');
  await mkdir(at('/var/cache/apt/archives/partial'), { recursive: true });
  await mkdir(at('/var/log/apt'), { recursive: true });
}
