import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { quote } from '../util/quote.js';
import { LAB_USER } from './labuser.js';

const run = promisify(execFile);

/**
 * The per-host private filesystem: each of these paths is bind-mounted, inside the host's own mount
 * namespace, from `<fleet>/hosts/<name>/root<path>`. Everything else is the controller's, shared.
 * - /etc/rpm holds a `macros` file pointing rpm at /var/lib/rpm: Debian's rpm otherwise uses ~/.rpmdb.
 * - /root starts empty: the controller's ~/.bashrc (sourced by bash for ssh commands) must not
 *   reorder PATH ahead of the stand-ins.
 * - /etc/sudoers.d holds the host's sudo rules, so the controller's sudo config is never touched.
 */
export const PRIVATE_DIRS = [
  '/root',
  '/etc/sudoers.d',
  '/etc/kamailio',
  '/etc/cron.d',
  '/etc/sre',
  '/etc/genesys',
  '/etc/rpm',
  '/etc/systemd/system',
  '/opt',
  '/srv',
  '/tmp',
  '/var/tmp',
  '/var/log',
  '/var/lib/rpm',
  '/var/lib/lab',
  '/run/lab',
] as const;

/** Files (not dirs) each host gets its own copy of. /etc/hosts names the host, so sudo can resolve it. */
export const PRIVATE_FILES = ['/etc/hosts'] as const;

const MODES: Record<string, number> = { '/tmp': 0o1777, '/var/tmp': 0o1777, '/root': 0o700 };

/** Directories sessions search first (the stand-ins) and the rest of a plain Debian PATH. */
export function sessionPath(standins: string): string {
  return `${standins}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
}

/**
 * The host's sudo rules: labuser may become anyone without a password; sudo's PATH keeps the
 * stand-ins first (also for root, whose become goes through sudo too); LAB_HOST survives env_reset.
 */
function sudoers(standins: string): string {
  return [
    '# tsplay test fleet host: sudo rules for this host only (a private /etc/sudoers.d).',
    `Defaults secure_path="${sessionPath(standins)}"`,
    'Defaults env_keep += "LAB_HOST"',
    `${LAB_USER} ALL=(ALL:ALL) NOPASSWD: ALL`,
    '',
  ].join('\n');
}

function isUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir + sep);
}

/** The private dir or file that holds absolute path `p` on a host, or undefined when `p` is shared. */
export function privateRootOf(p: string, extraDirs: readonly string[] = []): string | undefined {
  const all: string[] = [...PRIVATE_DIRS, ...PRIVATE_FILES, ...extraDirs];
  return all.filter((d) => isUnder(p, d)).sort((a, b) => b.length - a.length)[0];
}

/**
 * Dirs a host may see as a copy-on-write overlay of the controller's (fleet option `overlays`): the
 * host reads the controller's files and everything it writes there stays its own — useradd's rename of
 * /etc/passwd, crontab's spool, /etc/hostname. Whole dirs, not single files: tools replace files by
 * rename, which a bind-mounted file refuses.
 */
export const OVERLAY_DIRS = ['/etc', '/var/spool/cron'] as const;
export type OverlayDir = (typeof OVERLAY_DIRS)[number];

/** Controller-side upper (the host's writes) and work dirs of an overlay. */
export function overlayDirs(root: string, dir: string): { upper: string; work: string } {
  const base = join(root, '..', 'overlay', dir.slice(1).replace(/\//g, '_'));
  return { upper: join(base, 'upper'), work: join(base, 'work') };
}

/** Create each overlay's upper and work dirs (on the same filesystem, as overlayfs requires). */
export async function prepareOverlays(root: string, overlays: readonly string[]): Promise<void> {
  for (const d of overlays) {
    if (!(OVERLAY_DIRS as readonly string[]).includes(d)) throw new Error(`test fleet: overlay ${d} is not one of ${OVERLAY_DIRS.join(' ')}`);
    const { upper, work } = overlayDirs(root, d);
    await mkdir(upper, { recursive: true });
    await mkdir(work, { recursive: true });
  }
}

/** Mount points must exist on the real system; an empty dir there changes nothing for the controller. */
export function ensureMountPoints(extraDirs: readonly string[] = []): void {
  for (const d of [...PRIVATE_DIRS, ...extraDirs]) mkdirSync(d, { recursive: true });
}

/**
 * Create a host's private tree: empty dirs (1777 for tmp dirs so labuser can write), an empty rpm
 * database, rpm's macros, sudo rules, and an /etc/hosts naming every fleet host (sudo resolves it).
 * `keep` are controller paths that must stay visible inside the host (the fleet dir, the stand-ins):
 * when one lies under a private dir we leave a mount point for it there.
 */
export async function prepareHostRoot(root: string, hostsFile: string, standins: string, keep: string[]): Promise<void> {
  await Promise.all(
    PRIVATE_DIRS.map(async (d) => {
      await mkdir(join(root, d), { recursive: true });
      const mode = MODES[d];
      if (mode !== undefined) await chmod(join(root, d), mode);
    }),
  );
  for (const k of keep) {
    const holder = PRIVATE_DIRS.find((d) => isUnder(k, d));
    if (holder) await mkdir(join(root, k), { recursive: true });
  }
  await writeFile(join(root, '/etc/rpm/macros'), '%_dbpath /var/lib/rpm\n');
  await writeFile(join(root, '/etc/hosts'), hostsFile);
  await writeFile(join(root, '/etc/sudoers.d/tsplay-fleet'), sudoers(standins), { mode: 0o440 });
  await run('rpm', ['--dbpath', join(root, '/var/lib/rpm'), '--initdb']);
}

/**
 * The shell script run inside `unshare --mount --uts`: re-expose kept paths, bind the private dirs
 * (parents first) and files, set the hostname, then exec `command` so the PID stays the same.
 */
export function namespaceScript(
  root: string,
  hostname: string,
  keep: string[],
  command: string[],
  extraDirs: readonly string[] = [],
  overlays: readonly string[] = [],
): string {
  const lines = ['set -e'];
  // Copy-on-write views first: the private dirs below (/etc/kamailio…) are then bound on top of them.
  for (const d of [...overlays].sort((a, b) => a.length - b.length)) {
    const { upper, work } = overlayDirs(root, d);
    lines.push(`mount -t overlay overlay -o ${quote(`lowerdir=${d},upperdir=${upper},workdir=${work}`)} ${quote(d)}`);
  }
  const dirs = [...PRIVATE_DIRS, ...extraDirs].sort((a, b) => a.length - b.length);
  for (const d of dirs) {
    for (const k of keep) {
      if (isUnder(k, d) && relative(d, k) !== '') lines.push(`mount --bind ${quote(k)} ${quote(join(root, k))}`);
    }
    lines.push(`mount --rbind ${quote(join(root, d))} ${quote(d)}`);
  }
  for (const f of PRIVATE_FILES) lines.push(`mount --bind ${quote(join(root, f))} ${quote(f)}`);
  lines.push(`hostname ${quote(hostname)}`);
  lines.push(`exec ${command.map((w) => quote(w)).join(' ')}`);
  return lines.join('\n');
}
