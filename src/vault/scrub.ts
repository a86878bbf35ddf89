import { vaultValues } from './keyring.js';

export const VAULT_MASK = '********';

let cached: { size: number; pattern: RegExp } | undefined;

function pattern(): RegExp | undefined {
  const values = vaultValues();
  if (values.size === 0) return undefined;
  if (cached?.size !== values.size) {
    const escaped = [...values].sort((a, b) => b.length - a.length).map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    cached = { size: values.size, pattern: new RegExp(escaped.join('|'), 'g') };
  }
  return cached.pattern;
}

function walk(value: unknown, re: RegExp, depth: number): unknown {
  if (typeof value === 'string') return value.replace(re, VAULT_MASK);
  if (value === null || typeof value !== 'object' || depth > 50) return value;
  if (Array.isArray(value)) return value.map((v) => walk(v, re, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = walk(v, re, depth + 1);
  return out;
}

/**
 * A copy of `value` with every decrypted vault value cut out of its strings — what reporters get,
 * so no output (console, JSON, events, journal) ever shows one, whichever task or message it sits in.
 * Unchanged (the same object) while nothing was decrypted.
 */
export function scrubVaultValues<T>(value: T): T {
  const re = pattern();
  return re ? (walk(value, re, 0) as T) : value;
}

/** Mask vault values in one line of text (error messages). */
export function scrubVaultText(text: string): string {
  const re = pattern();
  return re ? text.replace(re, VAULT_MASK) : text;
}
