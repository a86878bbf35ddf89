import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Ansible Vault's file format (ansible-core's parsing/vault, cipher AES256), byte for byte:
 *
 *   $ANSIBLE_VAULT;1.1;AES256            (1.2 adds ;LABEL, the vault id)
 *   hex( hex(salt) \n hex(hmac) \n hex(ciphertext) )   wrapped at 80 columns
 *
 * Keys: PBKDF2-HMAC-SHA256(password, 32-byte salt, 10,000 rounds) → 80 bytes = AES key (32),
 * HMAC key (32), CTR counter (16). The plaintext is PKCS#7-padded to 16 bytes, encrypted with
 * AES-256-CTR; the HMAC-SHA256 covers the ciphertext and is checked before decrypting.
 */
export const VAULT_HEADER = '$ANSIBLE_VAULT';

export interface VaultEnvelope {
  version: '1.1' | '1.2';
  cipher: string;
  /** The vault id of a 1.2 file (the label it was encrypted for). */
  label?: string;
  /** The hex payload, without line breaks. */
  payload: string;
}

/** True when text is a vault envelope (a whole encrypted file or an inline `!vault` value). */
export function isVaultText(text: string | Buffer): boolean {
  const s = typeof text === 'string' ? text : text.subarray(0, VAULT_HEADER.length + 1).toString('latin1');
  return s.trimStart().startsWith(`${VAULT_HEADER};`);
}

/** Split an envelope into its header fields and payload; throws with a short reason when malformed. */
export function parseEnvelope(text: string): VaultEnvelope {
  const lines = text.trim().split(/\r?\n/).map((l) => l.trim());
  const header = lines.shift() ?? '';
  const fields = header.split(';').map((f) => f.trim());
  if (fields[0] !== VAULT_HEADER) throw new Error('not a vault file (no $ANSIBLE_VAULT header)');
  const version = fields[1];
  if (version !== '1.1' && version !== '1.2') throw new Error(`unsupported vault format version '${version ?? ''}'`);
  const cipher = fields[2] ?? '';
  if (cipher !== 'AES256') throw new Error(`unsupported vault cipher '${cipher}' (only AES256)`);
  const payload = lines.join('');
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(payload)) throw new Error('vault payload is not hex');
  return { version, cipher, ...(version === '1.2' && fields[3] ? { label: fields[3] } : {}), payload };
}

function deriveKeys(password: Buffer, salt: Buffer): { aesKey: Buffer; hmacKey: Buffer; iv: Buffer } {
  const derived = pbkdf2Sync(password, salt, 10_000, 80, 'sha256');
  return { aesKey: derived.subarray(0, 32), hmacKey: derived.subarray(32, 64), iv: derived.subarray(64, 80) };
}

/** Thrown when the HMAC does not match: the password (or vault id) is not the one it was encrypted with. */
export class WrongVaultPassword extends Error {}

/** Decrypt an envelope's payload with one password. */
export function decryptPayload(env: VaultEnvelope, password: string | Buffer): Buffer {
  const inner = Buffer.from(env.payload, 'hex').toString('latin1').split('\n');
  if (inner.length !== 3) throw new Error('vault payload is malformed (expected salt, hmac and ciphertext)');
  const [salt, mac, data] = inner.map((h) => Buffer.from(h.trim(), 'hex')) as [Buffer, Buffer, Buffer];
  const { aesKey, hmacKey, iv } = deriveKeys(Buffer.from(password), salt);
  const expected = createHmac('sha256', hmacKey).update(data).digest();
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new WrongVaultPassword('HMAC mismatch');
  const decipher = createDecipheriv('aes-256-ctr', aesKey, iv);
  const padded = Buffer.concat([decipher.update(data), decipher.final()]);
  const pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > 16 || pad > padded.length) throw new Error('vault plaintext has bad padding');
  return padded.subarray(0, padded.length - pad);
}

/** Encrypt to a full envelope text (ending with a newline), as `ansible-vault encrypt` writes it. */
export function encryptToEnvelope(plaintext: string | Buffer, password: string | Buffer, label?: string): string {
  const data = Buffer.from(plaintext);
  const salt = randomBytes(32);
  const { aesKey, hmacKey, iv } = deriveKeys(Buffer.from(password), salt);
  const padLen = 16 - (data.length % 16);
  const padded = Buffer.concat([data, Buffer.alloc(padLen, padLen)]);
  const cipher = createCipheriv('aes-256-ctr', aesKey, iv);
  const encrypted = Buffer.concat([cipher.update(padded), cipher.final()]);
  const mac = createHmac('sha256', hmacKey).update(encrypted).digest();
  const inner = [salt.toString('hex'), mac.toString('hex'), encrypted.toString('hex')].join('\n');
  const hex = Buffer.from(inner, 'latin1').toString('hex');
  const header = label && label !== 'default' ? `${VAULT_HEADER};1.2;AES256;${label}` : `${VAULT_HEADER};1.1;AES256`;
  const lines = [header];
  for (let i = 0; i < hex.length; i += 80) lines.push(hex.slice(i, i + 80));
  return lines.join('\n') + '\n';
}
