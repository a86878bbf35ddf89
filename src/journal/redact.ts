import type { Vars } from '../types.js';
import { vaultValues } from '../vault/keyring.js';

/** Variable names whose values never reach a journal: password, secret, token (and Ansible's *_pass). */
export const SECRET_KEY = /password|passwd|secret|token|(^|_)pass$/i;
export const MASK = '********';
/** Shorter values are not scrubbed out of other text (a 2-letter "secret" would mask every word). */
const MIN_SCRUB = 4;
/** Keys of a module result that never carry the data itself. */
const RESULT_BOOKKEEPING = new Set(['changed', 'failed', 'skipped', 'rc', 'start', 'end', 'delta', 'attempts', 'ansible_loop_var', 'msg_type', 'censored', 'invocation']);
/**
 * Keys holding an argument spec (validate_argument_spec's argument and result): their keys name options
 * (`db_password: {type: str}`), their values are types and descriptions — no secrets to learn or mask by
 * key there (a secret default is a role default or a variable, and is learnt there). Known secrets are still cut out.
 */
const SPEC_KEYS = new Set(['argument_spec', 'argument_spec_data']);

/**
 * Removes secrets from everything the journal writes. Two layers: a value under a secret-looking key
 * is masked wherever it appears in a structure, and every such value seen so far (extra vars,
 * inventory, play and role vars, set_facts) is also cut out of any other string — a password that
 * ends up in a command line, a debug message or stdout is masked there too.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  /** Remember the secret values found under secret keys anywhere in `value` (not masking anything). */
  collect(value: unknown, underSecret = false, depth = 0): void {
    if (depth > 50 || value === null || value === undefined) return;
    if (typeof value === 'string' || typeof value === 'number') {
      if (underSecret) this.addSecret(String(value));
    } else if (Array.isArray(value)) {
      for (const v of value) this.collect(v, underSecret, depth + 1);
    } else if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Vars)) if (!SPEC_KEYS.has(k)) this.collect(v, underSecret || SECRET_KEY.test(k), depth + 1);
    }
  }

  /**
   * Every value of a hidden result (a no_log task's registered value) becomes a secret, except the
   * bookkeeping that says nothing (timings, flags): a later `debug: var=…` of it shows only masks.
   */
  collectHidden(result: unknown): void {
    if (result === null || typeof result !== 'object') return this.collect(result, true);
    if (Array.isArray(result)) return result.forEach((v) => this.collectHidden(v));
    for (const [k, v] of Object.entries(result as Vars)) if (!RESULT_BOOKKEEPING.has(k)) this.collectHidden(v);
  }

  /** Decrypted vault values are secrets too: one mechanism masks both (the keyring only grows). */
  private vaultSeen = 0;
  private syncVault(): void {
    const values = vaultValues();
    if (values.size === this.vaultSeen) return;
    this.vaultSeen = values.size;
    for (const v of values) this.addSecret(v);
  }

  addSecret(s: string): void {
    if (s.length < MIN_SCRUB || this.secrets.has(s)) return;
    this.secrets.add(s);
    const escaped = [...this.secrets].sort((a, b) => b.length - a.length).map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.pattern = new RegExp(escaped.join('|'), 'g');
  }

  /** A copy of `value` with secret keys masked and known secret values cut out of strings. */
  redact<T>(value: T): T {
    this.syncVault();
    this.collect(value);
    return this.walk(value, 0) as T;
  }

  private walk(value: unknown, depth: number, byKey = true): unknown {
    if (typeof value === 'string') return this.pattern ? value.replace(this.pattern, MASK) : value;
    if (value === null || typeof value !== 'object' || depth > 50) return value;
    if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1, byKey));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = byKey && SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'boolean' && v !== '' ? MASK : this.walk(v, depth + 1, byKey && !SPEC_KEYS.has(k));
    }
    return out;
  }
}
