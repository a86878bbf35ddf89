import type { Outcome } from '../modules/types.js';

/** Results as Ansible's TaskExecutor shapes them: a loop's own result, and the value `register` stores. */

/** A loop's result from its items' (TaskExecutor.run). */
export function aggregateLoop(results: Outcome[]): Outcome {
  // As Ansible's TaskExecutor.run: `skipped` always said, `failed` only when an item failed
  // (`failed: false` is kept here for the executor, and left out of the registered value: registeredValue)
  if (results.length === 0) return { changed: false, failed: false, skipped: true, skipped_reason: 'No items in the list', results: [] };
  const out: Outcome = { changed: results.some((r) => r.changed), failed: results.some((r) => r.failed), results, skipped: results.every((r) => r.skipped) };
  out.msg = out.failed ? 'One or more items failed' : 'All items completed';
  if (out.skipped) out.msg = 'All items skipped';
  if (results.some((r) => r.unreachable)) out.unreachable = true;
  return out;
}

/**
 * A result as registered: without Ansible's internal `_ansible_*` keys, its loop items' included
 * (strip_internal_keys); a loop's result has `failed` only when an item failed, as Ansible's.
 */
export function registeredValue(result: Outcome): Outcome {
  const strip = (r: Outcome): Outcome => (Object.keys(r).some((k) => k.startsWith('_ansible_')) ? Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('_ansible_'))) as Outcome : r);
  const out = strip(result);
  if (!Array.isArray(out.results)) return out;
  const { failed, ...loop } = out;
  return { ...loop, ...(failed ? { failed } : {}), results: (out.results as Outcome[]).map((x) => (x && typeof x === 'object' ? strip(x) : x)) } as Outcome;
}
