/**
 * Lists and dicts written as literals in a template (`{% set acc = {} %}`, `[]`): the only values
 * a template may change in place, with Python's `.update()`/`.append()`/`.extend()`. A variable's
 * value is shared by every host and task that reads it, so changing it from one template would leak
 * into the others (in Ansible too); tsplay refuses that instead.
 */
const owned = new WeakSet<object>();

export function markOwned<T extends object>(v: T): T {
  owned.add(v);
  return v;
}

export const isOwned = (v: unknown): boolean => typeof v === 'object' && v !== null && owned.has(v);
