import { dirname } from 'node:path';
import { quote } from '../util/quote.js';

/**
 * A dump written atomically: `produce` (a shell command list) writes to "$t", a temp file beside
 * `target` (same filesystem); only when it succeeded is "$t" renamed over `target`. A failed dump leaves
 * the old target as it was and removes the temp file. The new file gets the old target's mode, or
 * 0666 minus the umask as a plain `>` would.
 */
export function atomicTarget(target: string, produce: string): string {
  const t = quote(target);
  return [
    `t=$(mktemp ${quote(`${dirname(target)}/.tsplay-dump.XXXXXX`)}) || exit 1`,
    'export t',
    `if [ -e ${t} ]; then chmod --reference=${t} "$t"; else chmod "$(printf '%o' $((0666 & ~0$(umask))))" "$t"; fi`,
    `( ${produce} )`,
    'rc=$?',
    `if [ $rc -eq 0 ]; then mv -f "$t" ${t} || rc=$?; fi`,
    'if [ $rc -ne 0 ]; then rm -f "$t"; fi',
    'exit $rc',
  ].join('; ');
}
