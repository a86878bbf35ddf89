import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ExitCode, TsplayError } from '../errors.js';
import { askSecret } from '../util/prompt.js';
import { isVaultText } from './format.js';
import { encryptionSecret, encryptWith, openVault, type VaultSecret } from './keyring.js';
import { loadVaultSecrets, readPasswordSource } from './sources.js';

export interface VaultFlags {
  vaultId: string[];
  vaultPasswordFile: string[];
  askVaultPass?: boolean;
  encryptVaultId?: string;
  output?: string;
  name?: string[];
  prompt?: boolean;
  stdinName?: string;
  newVaultPasswordFile?: string;
  newVaultId?: string;
}

const out = (s: string | Buffer) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);

async function secretsOf(f: VaultFlags): Promise<VaultSecret[]> {
  const list = await loadVaultSecrets({ vaultIds: f.vaultId, passwordFiles: f.vaultPasswordFile, ask: !!f.askVaultPass });
  if (list.length === 0) throw new TsplayError('a vault password is needed: give --vault-password-file, --vault-id or --ask-vault-pass', { code: ExitCode.badOptions });
  return list;
}

function readInput(file: string): Buffer {
  try {
    return file === '-' ? readFileSync(0) : readFileSync(file);
  } catch (e) {
    throw new TsplayError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Write in place keeping the file's mode, or to --output ('-' = stdout). */
function writeOutput(target: string, data: string | Buffer, modeFrom?: string): void {
  if (target === '-') return void out(data);
  let mode = 0o600;
  try {
    if (modeFrom && modeFrom !== '-') mode = statSync(modeFrom).mode & 0o7777;
  } catch {
    // a new file: 0600
  }
  writeFileSync(target, data, { mode });
  chmodSync(target, mode);
}

function inputs(files: string[]): string[] {
  return files.length === 0 ? ['-'] : files;
}

function checkOutput(f: VaultFlags, files: string[]): void {
  if (f.output && files.length > 1) throw new TsplayError('--output takes one input file', { code: ExitCode.badOptions });
}

async function encrypt(files: string[], f: VaultFlags): Promise<number> {
  const secret = encryptionSecret(f.encryptVaultId, await secretsOf(f));
  checkOutput(f, files);
  for (const file of inputs(files)) {
    const data = readInput(file);
    if (isVaultText(data)) throw new TsplayError(`${file}: input is already encrypted`);
    writeOutput(f.output ?? file, encryptWith(secret, data), file);
  }
  err('Encryption successful\n');
  return ExitCode.ok;
}

async function decrypt(files: string[], f: VaultFlags): Promise<number> {
  const secrets = await secretsOf(f);
  checkOutput(f, files);
  for (const file of inputs(files)) {
    const data = readInput(file).toString('utf8');
    if (!isVaultText(data)) throw new TsplayError(`${file}: input is not vault encrypted data`);
    writeOutput(f.output ?? file, openVault(data, file, secrets).plaintext, file);
  }
  err('Decryption successful\n');
  return ExitCode.ok;
}

async function view(files: string[], f: VaultFlags): Promise<number> {
  const secrets = await secretsOf(f);
  for (const file of files) {
    const data = readInput(file).toString('utf8');
    if (!isVaultText(data)) throw new TsplayError(`${file}: input is not vault encrypted data`);
    out(openVault(data, file, secrets).plaintext);
  }
  return ExitCode.ok;
}

/** Decrypt to a private temp file, run $EDITOR on it, encrypt the result again with the same id. */
async function edit(files: string[], f: VaultFlags): Promise<number> {
  const secrets = await secretsOf(f);
  const file = files[0]!;
  let plaintext: Buffer = Buffer.alloc(0);
  let secret = encryptionSecret(f.encryptVaultId, secrets);
  let exists = true;
  try {
    statSync(file);
  } catch {
    exists = false;
  }
  if (exists) {
    const data = readInput(file).toString('utf8');
    if (!isVaultText(data)) throw new TsplayError(`${file}: input is not vault encrypted data`);
    const opened = openVault(data, file, secrets);
    plaintext = opened.plaintext;
    if (!f.encryptVaultId) secret = opened.secret;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-vault-'));
  chmodSync(dir, 0o700);
  const tmp = join(dir, basename(file));
  try {
    writeFileSync(tmp, plaintext, { mode: 0o600 });
    const editor = process.env.EDITOR || process.env.VISUAL || 'vi';
    const r = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'editor', tmp], { stdio: 'inherit' });
    if (r.status !== 0) throw new TsplayError(`the editor (${editor}) exited ${r.status ?? r.signal}; ${file} is unchanged`);
    const edited = readFileSync(tmp);
    if (exists && edited.equals(plaintext)) return ExitCode.ok;
    writeOutput(file, encryptWith(secret, edited), exists ? file : undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return ExitCode.ok;
}

/** `name: !vault |` and the envelope indented by 10, as ansible-vault prints it. */
function formatString(secret: VaultSecret, value: string, name?: string): string {
  const envelope = encryptWith(secret, value).trimEnd().split('\n').map((l) => `          ${l}`).join('\n');
  return `${name !== undefined ? `${name}: ` : ''}!vault |\n${envelope}\n`;
}

async function encryptString(values: string[], f: VaultFlags): Promise<number> {
  const secret = encryptionSecret(f.encryptVaultId, await secretsOf(f));
  const names = f.name ?? [];
  const items: { value: string; name?: string }[] = [];
  if (f.stdinName !== undefined || values.length === 0 || (values.length === 1 && values[0] === '-')) {
    if (!f.prompt) {
      const text = readFileSync(0, 'utf8');
      if (text === '') throw new TsplayError('stdin was empty, not encrypting');
      items.push({ value: text, ...(f.stdinName ?? names[0] ? { name: f.stdinName ?? names[0] } : {}) });
    }
  } else values.forEach((value, i) => items.push({ value, ...(names[i] !== undefined ? { name: names[i] } : {}) }));
  if (f.prompt) {
    const value = await askSecret('String to encrypt: ');
    if (!value) throw new TsplayError('the value to encrypt was empty');
    items.push({ value, ...(names[0] !== undefined ? { name: names[0] } : {}) });
  }
  out(items.map((it) => formatString(secret, it.value, it.name)).join('\n'));
  err('Encryption successful\n');
  return ExitCode.ok;
}

async function newSecret(f: VaultFlags): Promise<VaultSecret> {
  if (f.newVaultId) {
    const at = f.newVaultId.indexOf('@');
    const id = at < 0 ? 'default' : f.newVaultId.slice(0, at);
    const source = at < 0 ? f.newVaultId : f.newVaultId.slice(at + 1);
    if (source === 'prompt') return { id, password: Buffer.from((await askSecret('New vault password: ')) ?? ''), source };
    return { id, password: readPasswordSource(source, id), source };
  }
  if (f.newVaultPasswordFile) return { id: 'default', password: readPasswordSource(f.newVaultPasswordFile, 'default'), source: f.newVaultPasswordFile };
  const answer = await askSecret('New vault password: ');
  if (!answer) throw new TsplayError('rekey: no new vault password was given (--new-vault-password-file, --new-vault-id)');
  return { id: 'default', password: Buffer.from(answer), source: 'prompt' };
}

async function rekey(files: string[], f: VaultFlags): Promise<number> {
  const secrets = await secretsOf(f);
  const fresh = await newSecret(f);
  if (fresh.password.length === 0) throw new TsplayError('rekey: the new vault password is empty');
  for (const file of files) {
    const data = readInput(file).toString('utf8');
    if (!isVaultText(data)) throw new TsplayError(`${file}: input is not vault encrypted data`);
    writeOutput(file, encryptWith(fresh, openVault(data, file, secrets).plaintext), file);
  }
  err('Rekey successful\n');
  return ExitCode.ok;
}

export const actions = { encrypt, decrypt, view, edit, encrypt_string: encryptString, rekey };
