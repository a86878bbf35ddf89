import type { Vars } from '../types.js';

/**
 * Keys whose values are data, never templates: registered results, facts, magic variables. A
 * command's output containing "{{" must come back as it was, not be rendered (Ansible's "unsafe").
 * Set it on the vars object (an enumerable symbol survives spreading).
 */
export const RAW_KEYS = Symbol('tsplay.rawKeys');

/** Vars plus data (loop items, a registered result, a template's own variables) that must not be rendered again. */
export function withData(vars: Vars, data: Vars): Vars {
  // Copy descriptors, not values: spreading a lazy scope renders every variable, used or not.
  const out: Vars = Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(vars), ...Object.getOwnPropertyDescriptors(data) });
  const raw = new Set((vars as { [RAW_KEYS]?: ReadonlySet<string> })[RAW_KEYS] ?? []);
  for (const k of Object.keys(data)) raw.add(k);
  (out as { [RAW_KEYS]?: ReadonlySet<string> })[RAW_KEYS] = raw;
  return out;
}
