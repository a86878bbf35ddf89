import type { Vars } from '../types.js';

/**
 * Keys whose values are data, never templates: registered results, facts, magic variables. A
 * command's output containing "{{" must come back as it was, not be rendered (Ansible's "unsafe").
 * Set it on the vars object (an enumerable symbol survives spreading).
 */
export const RAW_KEYS = Symbol('tsplay.rawKeys');

/**
 * Of the data keys, those whose values Ansible marks unsafe (wrap_var): registered results, gathered
 * facts, a with_ loop's item. A template that reads one makes an unsafe result (unsafe.ts noteTainted):
 * set_fact stores it as data instead of a value rendered again when read.
 */
export const UNSAFE_KEYS = Symbol('tsplay.unsafeKeys');

type Marked = { [RAW_KEYS]?: ReadonlySet<string>; [UNSAFE_KEYS]?: ReadonlySet<string> };

/** The keys of `vars` that are data, and those of them that are unsafe. */
export function dataKeys(vars: Vars): { raw?: ReadonlySet<string>; unsafe?: ReadonlySet<string> } {
  const m = vars as Marked;
  return { raw: m[RAW_KEYS], unsafe: m[UNSAFE_KEYS] };
}

/** Mark a vars object built by hand: which keys are data, which of those are unsafe. */
export function markData(vars: Vars, raw: ReadonlySet<string>, unsafe: ReadonlySet<string>): Vars {
  (vars as Marked)[RAW_KEYS] = raw;
  (vars as Marked)[UNSAFE_KEYS] = unsafe;
  return vars;
}

/**
 * Vars plus data (loop items, a registered result, a template's own variables) that must not be
 * rendered again; `unsafe`: the data is what Ansible marks unsafe (a result, a with_ loop's items).
 */
export function withData(vars: Vars, data: Vars, unsafe = false): Vars {
  // Copy descriptors, not values: spreading a lazy scope renders every variable, used or not.
  const out: Vars = Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(vars), ...Object.getOwnPropertyDescriptors(data) });
  const base = dataKeys(vars);
  const raw = new Set(base.raw ?? []);
  const unsafeKeys = new Set(base.unsafe ?? []);
  for (const k of Object.keys(data)) {
    raw.add(k);
    if (unsafe) unsafeKeys.add(k);
    else unsafeKeys.delete(k);
  }
  return markData(out, raw, unsafeKeys);
}
