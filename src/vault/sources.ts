import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { ExitCode, TsplayError } from '../errors.js';
import { askSecret } from '../util/prompt.js';
import { setVaultSecrets, type VaultSecret } from './keyring.js';

/** How the user gave vault passwords on the command line and in the environment. */
export interface VaultPasswordOptions {
  /** --vault-id label@source | source (source: a file, an executable, or `prompt`); repeatable. */
  vaultIds?: string[];
  /** --vault-password-file FILE (repeatable): the `default` id. */
  passwordFiles?: string[];
  /** --ask-vault-pass */
  ask?: boolean;
}

/** `--vault-id dev@file` → dev + file; a bare source is the `default` id. */
function splitVaultId(spec: string): { id: string; source: string } {
  const at = spec.indexOf('@');
  if (at < 0) return { id: 'default', source: spec };
  const id = spec.slice(0, at);
  const source = spec.slice(at + 1);
  if (id === '' || source === '') throw new TsplayError(`--vault-id '${spec}': expected LABEL@SOURCE`, { code: ExitCode.badOptions });
  return { id, source };
}

/**
 * A password file as Ansible reads it: an executable is run and its stdout is the password (a
 * script named `*-client*` is asked for the id with `--vault-id ID`); any other file is read.
 * Surrounding whitespace is stripped either way; an empty password is an error.
 */
export function readPasswordSource(file: string, id: string): Buffer {
  const path = resolve(file);
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (e) {
    throw new TsplayError(`vault password file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let text: string;
  if ((mode & 0o111) !== 0) {
    const args = /-client(\.[A-Za-z0-9]+)?$/.test(basename(path)) ? ['--vault-id', id] : [];
    try {
      text = execFileSync(path, args, { encoding: 'utf8', stdio: ['inherit', 'pipe', 'pipe'], timeout: 60_000 });
    } catch (e) {
      const err = e as { status?: number; stderr?: string; message: string };
      const why = err.status !== undefined ? `exited ${err.status}${err.stderr ? `: ${err.stderr.trim().split('\n')[0]}` : ''}` : err.message.split('\n')[0];
      throw new TsplayError(`vault password script ${file} failed (${why})`);
    }
  } else {
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new TsplayError(`vault password file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const password = text.trim();
  if (password === '') throw new TsplayError(`vault password file ${file} gives an empty password`);
  return Buffer.from(password, 'utf8');
}

async function prompted(id: string): Promise<Buffer> {
  const answer = await askSecret(id === 'default' ? 'Vault password: ' : `Vault password (${id}): `);
  if (answer === undefined || answer === '') throw new TsplayError('--ask-vault-pass: no vault password was entered');
  return Buffer.from(answer, 'utf8');
}

/**
 * Every vault secret for the run, in the order given: --vault-id (after ANSIBLE_VAULT_IDENTITY_LIST),
 * --vault-password-file (else ANSIBLE_VAULT_PASSWORD_FILE), then --ask-vault-pass.
 */
export async function loadVaultSecrets(opts: VaultPasswordOptions, env: NodeJS.ProcessEnv = process.env): Promise<VaultSecret[]> {
  const out: VaultSecret[] = [];
  const ids = [...(env.ANSIBLE_VAULT_IDENTITY_LIST ?? '').split(',').map((s) => s.trim()).filter(Boolean), ...(opts.vaultIds ?? [])];
  for (const spec of ids) {
    const { id, source } = splitVaultId(spec);
    if (source === 'prompt' || source === 'prompt_ask_vault_pass') out.push({ id, password: await prompted(id), source: 'prompt' });
    else out.push({ id, password: readPasswordSource(source, id), source });
  }
  const files = opts.passwordFiles?.length ? opts.passwordFiles : env.ANSIBLE_VAULT_PASSWORD_FILE ? [env.ANSIBLE_VAULT_PASSWORD_FILE] : [];
  for (const f of files) out.push({ id: 'default', password: readPasswordSource(f, 'default'), source: f });
  if (opts.ask) out.push({ id: 'default', password: await prompted('default'), source: 'prompt' });
  return out;
}

/** Set the process's vault secrets from a command's --vault-id / --vault-password-file / --ask-vault-pass. */
export async function useVaultFlags(flags: { vaultId?: string[]; vaultPasswordFile?: string[]; askVaultPass?: boolean }): Promise<void> {
  setVaultSecrets(await loadVaultSecrets({ vaultIds: flags.vaultId ?? [], passwordFiles: flags.vaultPasswordFile ?? [], ask: !!flags.askVaultPass }));
}
