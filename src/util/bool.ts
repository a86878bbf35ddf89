/**
 * The one reader of boolean words: Ansible's `boolean()` (module_utils/parsing/convert_bool.py) reads
 * yes/no, true/false, on/off, 1/0, y/n, t/f in any case, trimmed, and the numbers 1/0. Two behaviours,
 * both on this one parser:
 * - `toBool`: strict, as module arguments, keywords and settings use it — anything that is not a boolean
 *   word is `undefined`, and the caller decides (its own error naming the key, or a default).
 * - `toBoolOrFalse`: Ansible's `bool` filter — true for what `toBool` reads as true, false for anything else.
 * Neither is Jinja's truthiness (a non-empty string, list or dict is true): that is `truthy` in
 * src/template/values.ts.
 */
const TRUE_WORDS = new Set(['yes', 'on', '1', 'true', 't', 'y']);
const FALSE_WORDS = new Set(['no', 'off', '0', 'false', 'f', 'n']);

export interface BoolOptions {
  /**
   * Whether an empty (or blank) string reads as false. Ansible's boolean() rejects it; tsplay's module
   * arguments and loop_control take it as false (the default). Keywords and connection settings pass false.
   */
  emptyIsFalse?: boolean;
}

/** Ansible's boolean conversion (strict): a boolean, or undefined when `v` is no boolean word. */
export function toBool(v: unknown, { emptyIsFalse = true }: BoolOptions = {}): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (TRUE_WORDS.has(s)) return true;
    if (FALSE_WORDS.has(s) || (s === '' && emptyIsFalse)) return false;
  }
  return undefined;
}

/** Ansible's `bool` filter: true only for what `toBool` reads as true ('yes', 'on', '1', 1, true…). */
export function toBoolOrFalse(v: unknown): boolean {
  return toBool(v) === true;
}
