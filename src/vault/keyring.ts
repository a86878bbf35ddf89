import { TsplayError } from '../errors.js';
import { decryptPayload, encryptToEnvelope, parseEnvelope, WrongVaultPassword } from './format.js';

/** One vault password and the id (label) it was given for: `--vault-id label@source`, else `default`. */
export interface VaultSecret {
  id: string;
  password: Buffer;
  /** Where it came from (file, script, prompt), for error messages; never the password. */
  source: string;
}

/**
 * The run's vault passwords. Set once by the CLI before anything is loaded, read by the YAML loader
 * (whole encrypted files and `!vault` values), as Ansible's loader holds its vault secrets.
 */
let secrets: VaultSecret[] = [];
/** Every decrypted value: they are secrets, masked in every output (see scrub.ts). */
const plaintexts = new Set<string>();
const listeners = new Set<(value: string) => void>();

export function setVaultSecrets(list: VaultSecret[]): void {
  secrets = [...list];
}

export function vaultSecrets(): readonly VaultSecret[] {
  return secrets;
}

/** Values shorter than this are not scrubbed from other text (a 2-letter value would mask every word). */
const MIN_SECRET = 4;

/** Remember a decrypted value as a secret (and tell whoever masks output). */
export function markVaultValue(value: string): void {
  const v = value.trim();
  if (v.length < MIN_SECRET || plaintexts.has(v)) return;
  plaintexts.add(v);
  for (const l of listeners) l(v);
}

export function vaultValues(): ReadonlySet<string> {
  return plaintexts;
}

/** Be told of every vault value decrypted from now on (and of those already decrypted). */
export function onVaultValue(listener: (value: string) => void): () => void {
  for (const v of plaintexts) listener(v);
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Decrypt vault text (a whole file or an inline value) found in `file`. Secrets whose id matches a
 * 1.2 envelope's label are tried first, then all the others, as ansible-vault does. A missing or
 * wrong password is one line naming the file.
 */
export function decryptVault(text: string, file: string, list: readonly VaultSecret[] = secrets): Buffer {
  return openVault(text, file, list).plaintext;
}

/** decryptVault, also telling which secret opened it (edit and rekey keep its id). */
export function openVault(text: string, file: string, list: readonly VaultSecret[] = secrets): { plaintext: Buffer; secret: VaultSecret } {
  let env;
  try {
    env = parseEnvelope(text);
  } catch (e) {
    throw new TsplayError(`cannot read vault data: ${(e as Error).message}`, { where: { file } });
  }
  if (list.length === 0)
    throw new TsplayError('found vault-encrypted data but no vault password was given (use --vault-password-file, --vault-id or --ask-vault-pass)', { where: { file } });
  const ordered = env.label ? [...list.filter((s) => s.id === env.label), ...list.filter((s) => s.id !== env.label)] : list;
  for (const s of ordered) {
    try {
      return { plaintext: decryptPayload(env, s.password), secret: s };
    } catch (e) {
      if (e instanceof WrongVaultPassword) continue;
      throw new TsplayError(`cannot decrypt vault data: ${(e as Error).message}`, { where: { file } });
    }
  }
  const ids = [...new Set(list.map((s) => s.id))].join(', ');
  const forId = env.label ? ` (encrypted for vault id '${env.label}')` : '';
  throw new TsplayError(`Decryption failed${forId}: no vault password given (ids: ${ids}) decrypts it`, { where: { file } });
}

/** Decrypt an inline `!vault` value: the text, registered as a secret. */
export function decryptVaultValue(text: string, file: string): string {
  const value = decryptVault(text, file).toString('utf8');
  markVaultValue(value);
  return value;
}

/** Mark every string inside data read from a whole encrypted file as a secret. */
export function markVaultData(data: unknown, depth = 0): void {
  if (depth > 50 || data === null || data === undefined) return;
  if (typeof data === 'string') markVaultValue(data);
  else if (Array.isArray(data)) for (const v of data) markVaultData(v, depth + 1);
  else if (typeof data === 'object') for (const v of Object.values(data)) markVaultData(v, depth + 1);
}

/** Pick the secret to encrypt with: the one for `id` when given, else the only (or first) one. */
export function encryptionSecret(id: string | undefined, list: readonly VaultSecret[] = secrets): VaultSecret {
  if (list.length === 0) throw new TsplayError('no vault password given (use --vault-password-file, --vault-id or --ask-vault-pass)');
  if (id === undefined) return list[0]!;
  const s = list.find((x) => x.id === id);
  if (!s) throw new TsplayError(`--encrypt-vault-id ${id}: no vault password was given for that id`);
  return s;
}

export function encryptWith(secret: VaultSecret, plaintext: string | Buffer): string {
  return encryptToEnvelope(plaintext, secret.password, secret.id);
}
