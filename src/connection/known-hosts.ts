import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { wildcardRegExp } from '../util/glob.js';

/** One usable line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  /** Comma-separated patterns (`host`, `[host]:port`, wildcards, `!negation`) or one hashed `|1|salt|hash`. */
  hosts: string;
  /** Key type as written in the file, e.g. ssh-ed25519. */
  type: string;
  /** The public key blob (base64-decoded). */
  key: Buffer;
  /** @revoked: this key must never be accepted. */
  revoked: boolean;
  line: number;
}

/**
 * Parse known_hosts text. Comments, blank and malformed lines are skipped;
 * @cert-authority lines are skipped (tsplay does not verify host certificates);
 * @revoked lines are kept so that a revoked key is refused.
 */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0]!.startsWith('#')) return;
    let revoked = false;
    if (fields[0]!.startsWith('@')) {
      if (fields[0] === '@revoked') revoked = true;
      else return;
      fields.shift();
    }
    const [hosts, type, b64] = fields;
    if (!hosts || !type || !b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return;
    entries.push({ hosts, type, key: Buffer.from(b64, 'base64'), revoked, line: i + 1 });
  });
  return entries;
}

/** How OpenSSH names a host in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/** Glob match with OpenSSH's `*` and `?`, any case. */
function globMatch(pattern: string, name: string): boolean {
  return wildcardRegExp(pattern, { ignoreCase: true }).test(name);
}

/** Does the entry's host field name this host? Handles hashed names, lists, wildcards and negation. */
export function entryMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return digest === hash;
  }
  let matched = false;
  for (const p of hosts.split(',')) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) {
      matched = true;
    }
  }
  return matched;
}

/** The key type inside an SSH public key blob (its first length-prefixed string). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return '';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

export type HostKeyVerdict =
  | { status: 'known' }
  | { status: 'unknown' }
  | { status: 'changed'; line: number }
  | { status: 'revoked'; line: number };

/** Compare a presented host key with the entries for this host. */
export function checkHostKey(entries: KnownHostEntry[], address: string, port: number, blob: Buffer): HostKeyVerdict {
  const name = knownHostName(address, port);
  const mine = entries.filter((e) => entryMatches(e.hosts, name));
  const revoked = entries.find((e) => e.revoked && e.key.equals(blob));
  if (revoked) return { status: 'revoked', line: revoked.line };
  if (mine.some((e) => !e.revoked && e.key.equals(blob))) return { status: 'known' };
  const type = keyTypeOf(blob);
  const sameType = mine.find((e) => !e.revoked && keyTypeOf(e.key) === type);
  if (sameType) return { status: 'changed', line: sameType.line };
  return { status: 'unknown' };
}

/** Key types already recorded for the host, so the handshake can prefer them (as OpenSSH does). */
export function knownKeyTypes(entries: KnownHostEntry[], address: string, port: number): string[] {
  const name = knownHostName(address, port);
  return [...new Set(entries.filter((e) => !e.revoked && entryMatches(e.hosts, name)).map((e) => keyTypeOf(e.key)))];
}

/** Read a known_hosts file; a missing file is an empty one (every host is then unknown). */
export function readKnownHosts(path: string): KnownHostEntry[] {
  try {
    return parseKnownHosts(readFileSync(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** The host-key algorithm names that a key type can be negotiated as. */
export function algorithmsForKeyType(type: string): string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}
