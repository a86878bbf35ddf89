import type { Playbook } from '../playbook/types.js';
import type { RunEvent } from '../report/events.js';

/**
 * Which guard teardowns a run still owes, read from its events: a play with a guard teardown owes it
 * from its start until its end; once the teardown started it may be cut short. A second Ctrl-C, which
 * leaves at once, says which ones did not run (or not to the end).
 */
export function teardownTracker(playbooks: Playbook[]): { see(e: RunEvent): void; skipped(): string[] } {
  const plays = playbooks.flatMap((pb) => pb.plays);
  let owed: { name: string; started: boolean } | undefined;
  return {
    see(e) {
      if (e.kind === 'play-start') {
        const guard = plays[e.index]?.guard;
        owed = guard && guard.teardown.length > 0 ? { name: guard.name, started: false } : undefined;
      } else if (e.kind === 'play-end') owed = undefined;
      else if (e.kind === 'guard' && e.phase === 'teardown' && owed) owed.started = true;
    },
    skipped() {
      if (!owed) return [];
      return [`guard '${owed.name}' teardown ${owed.started ? 'cut short' : 'not run'}`];
    },
  };
}
