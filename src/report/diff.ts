import { createTwoFilesPatch } from 'diff';
import type { FileDiff } from '../modules/types.js';
import { pyJson } from './py-json.js';

/** A module's before/after as a unified diff, as --diff shows it. */
export function unifiedDiff(d: FileDiff): string {
  return createTwoFilesPatch(d.beforeHeader ?? `before: ${d.path}`, d.afterHeader ?? `after: ${d.path}`, d.before, d.after, undefined, undefined, { context: 3 })
    .split('\n')
    .slice(1) // drop the "====" index line
    .join('\n');
}

/**
 * A module's own diff of values ({before, after} dicts: the file module's), shown as Ansible's callback
 * shows it: each side as sorted, indented JSON, headed `before` / `after`.
 */
export function serializedDiff(d: { before?: unknown; after?: unknown }): FileDiff {
  const text = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : `${pyJson(v, 4)}\n`);
  return { path: '', before: text(d.before), after: text(d.after), beforeHeader: 'before', afterHeader: 'after' };
}
