import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The non-root account on every test host, for testing `become`. */
export const LAB_USER = 'labuser';

function shadowEntry(): string | undefined {
  const line = readFileSync('/etc/shadow', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${LAB_USER}:`));
  return line?.split(':')[1];
}

/**
 * Create labuser when missing (its sudo rights live in each host's private /etc/sudoers.d).
 * Idempotent and safe when several fleets start at once: useradd may lose the race for
 * /etc/passwd's lock, so we re-check instead of failing.
 * The password field is `*` (no password, not locked): with UsePAM no, sshd refuses a `!` account
 * even for key logins.
 */
export async function ensureLabUser(): Promise<void> {
  for (let attempt = 0; shadowEntry() === undefined; attempt++) {
    try {
      await run('useradd', ['--create-home', '--shell', '/bin/bash', '--password', '*', LAB_USER]);
    } catch (err) {
      if (attempt >= 20) throw new Error(`cannot create user ${LAB_USER}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (shadowEntry()!.startsWith('!')) await run('usermod', ['--password', '*', LAB_USER]);
}
