import type { HostStats, Reporter, RunEvent } from './events.js';

interface JsonTask {
  task: { name: string; id: string; duration: { start: string; end?: string } };
  hosts: Record<string, Record<string, unknown>>;
}
interface JsonPlay {
  play: { name: string; id: string; duration: { start: string; end?: string } };
  tasks: JsonTask[];
}

/**
 * The shape of Ansible's `json` stdout callback: plays[].play, plays[].tasks[].task and .hosts[HOST],
 * and stats[HOST] = {ok, changed, failures, unreachable, skipped, rescued, ignored}.
 * The document is written once, when the run ends.
 */
export function jsonReporter(write: (s: string) => void, showCustomStats = false): Reporter {
  const plays: JsonPlay[] = [];
  let stats: Record<string, HostStats> = {};
  const current = () => plays[plays.length - 1];
  return (e: RunEvent) => {
    switch (e.kind) {
      case 'play-start':
        plays.push({ play: { name: e.name, id: `play${e.index}`, duration: { start: e.time } }, tasks: [] });
        break;
      case 'batch-start': {
        // Ansible's json callback starts a play entry for every serial batch.
        const p = current();
        if (p && e.index > 1) plays.push({ play: { name: p.play.name, id: p.play.id, duration: { start: new Date().toISOString() } }, tasks: [] });
        break;
      }
      case 'task-start':
        current()?.tasks.push({ task: { name: e.task.name, id: e.task.id, duration: { start: e.time } }, hosts: {} });
        break;
      case 'host-result': {
        if (e.isItem) break;
        const task = current()?.tasks.at(-1);
        if (!task) break;
        task.task.duration.end = new Date().toISOString();
        const { diff, ...rest } = e.result;
        task.hosts[e.host] = {
          ...rest,
          action: e.task.module,
          changed: !!e.result.changed,
          ...(e.status === 'failed' || e.status === 'ignored' ? { failed: true } : {}),
          ...(e.status === 'skipped' ? { skipped: true } : {}),
          ...(e.status === 'unreachable' ? { unreachable: true } : {}),
          ...(diff ? { diff } : {}),
        };
        break;
      }
      case 'play-end': {
        for (const p of plays) if (p.play.id === `play${e.index}`) p.play.duration.end ??= e.time;
        break;
      }
      case 'recap':
        stats = e.stats;
        {
          // As Ansible's json callback: per-host custom stats, and the run's (`_run`) apart.
          const { _run: globalStats = {}, ...custom } = showCustomStats ? (e.customStats ?? {}) : {};
          write(JSON.stringify({ custom_stats: custom, global_custom_stats: globalStats, plays, stats }, null, 4) + '\n');
        }
        break;
      default:
        break;
    }
  };
}
