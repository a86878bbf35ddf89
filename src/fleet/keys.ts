import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Generate an ed25519 key pair without passphrase at `path` (+ `.pub`); returns the public key line.
 * A pair already there (a fleet restarted in the same `dir`) is replaced: ssh-keygen would otherwise
 * ask whether to overwrite it and wait for an answer forever.
 */
export async function generateKey(path: string, comment: string): Promise<string> {
  await Promise.all([rm(path, { force: true }), rm(`${path}.pub`, { force: true })]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

/** A known_hosts line as OpenSSH writes it for a non-default port: `[address]:port type key`. */
export function knownHostsLine(address: string, port: number, publicKey: string): string {
  const [type, key] = publicKey.split(/\s+/);
  const hostPattern = port === 22 ? address : `[${address}]:${port}`;
  return `${hostPattern} ${type} ${key}`;
}
