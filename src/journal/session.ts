import type { Inventory } from '../inventory/inventory.js';
import type { Playbook } from '../playbook/types.js';
import type { RunOptions, ResumeState } from '../executor/options.js';
import type { Reporter } from '../report/events.js';

/** A run's journal: the reporter that records every event, and what --resume restores. */
export interface JournalSession {
  reporter: Reporter;
  resume?: ResumeState;
  /** Flush and close (called once the run ended, whatever happened). */
  close(): Promise<void>;
}

/** Open the journal for a run (and, with --resume, read the earlier one). Stub until the journal lands. */
export async function startJournal(_opts: RunOptions, _playbooks: Playbook[], _inventory: Inventory): Promise<JournalSession> {
  return { reporter: () => {}, close: async () => {} };
}
