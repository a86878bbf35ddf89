import { createTwoFilesPatch } from 'diff';
import type { FileDiff } from '../modules/types.js';

/** A module's before/after as a unified diff, as --diff shows it. */
export function unifiedDiff(d: FileDiff): string {
  return createTwoFilesPatch(d.beforeHeader ?? `before: ${d.path}`, d.afterHeader ?? `after: ${d.path}`, d.before, d.after, undefined, undefined, { context: 3 })
    .split('\n')
    .slice(1) // drop the "====" index line
    .join('\n');
}
