import type { HostStats, RunEvent } from './events.js';

/**
 * Ansible's recap counting: ok includes changed and ignored results; a failure that a block's rescue
 * handles counts as rescued, not failed; loop items are not counted, only the task's aggregate.
 */
export function countResult(stats: HostStats, e: Extract<RunEvent, { kind: 'host-result' }>): void {
  if (e.isItem || e.uncounted) return;
  if (e.status === 'ok' && e.okCount !== undefined) {
    stats.ok += e.okCount;
    return;
  }
  switch (e.status) {
    case 'ok':
      stats.ok++;
      break;
    case 'changed':
      stats.ok++;
      stats.changed++;
      break;
    case 'ignored':
      stats.ok++;
      stats.ignored++;
      if (e.result.changed) stats.changed++;
      break;
    case 'failed':
      if (e.rescued) stats.rescued++;
      else stats.failures++;
      break;
    case 'skipped':
      stats.skipped++;
      break;
    case 'unreachable':
      stats.unreachable++;
      break;
  }
}
