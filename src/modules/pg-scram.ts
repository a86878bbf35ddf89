import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * SCRAM-SHA-256 verifiers as PostgreSQL stores them in pg_authid.rolpassword (RFC 5802/7677):
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`. postgresql_user hashes a password here,
 * on the controller, so the plaintext never leaves it; the server stores a hash it is given as is.
 */
export const SCRAM_RE = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/;

/** PostgreSQL's SASLprep fallback: a password that normalizes is normalized (NFKC), ASCII is unchanged. */
function normalize(password: string): Buffer {
  // eslint-disable-next-line no-control-regex
  return Buffer.from(/^[\x20-\x7e]*$/.test(password) ? password : password.normalize('NFKC'), 'utf8');
}

function keys(password: string, salt: Buffer, iterations: number): { stored: Buffer; server: Buffer } {
  const salted = pbkdf2Sync(normalize(password), salt, iterations, 32, 'sha256');
  const client = createHmac('sha256', salted).update('Client Key').digest();
  return { stored: createHash('sha256').update(client).digest(), server: createHmac('sha256', salted).update('Server Key').digest() };
}

export function scramHash(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const k = keys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${k.stored.toString('base64')}:${k.server.toString('base64')}`;
}

/** Does `password` match the stored verifier? (false for anything that is not a SCRAM verifier) */
export function scramMatches(password: string, verifier: string | null | undefined): boolean {
  const m = SCRAM_RE.exec(verifier ?? '');
  if (!m) return false;
  const k = keys(password, Buffer.from(m[2]!, 'base64'), Number(m[1]));
  const server = Buffer.from(m[4]!, 'base64');
  const stored = Buffer.from(m[3]!, 'base64');
  return server.length === 32 && stored.length === 32 && timingSafeEqual(k.server, server) && timingSafeEqual(k.stored, stored);
}
