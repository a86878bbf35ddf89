import type { RunEvent, TaskInfo } from '../report/events.js';

export const JOURNAL_FORMAT = 1;

/** First line of every journal: what ran, where, by whom, against which sources. */
export interface JournalStart {
  kind: 'journal-start';
  format: number;
  id: string;
  /** The run this one resumes (its own state comes on top of that run's). */
  resumeOf?: string;
  playbooks: string[];
  inventory: string[];
  /** Run options, redacted (extra vars included). */
  options: Record<string, unknown>;
  user: string;
  controller: string;
  pid: number;
  cwd: string;
  tsplay: string;
  job?: string;
  time: string;
  /** sha256 of every playbook, role and inventory file (absolute path → hash), and one over all. */
  files: Record<string, string>;
  hash: string;
  /** Per task (`play:id`), what it does (identity.ts taskFingerprint): --force recognises moved tasks by it. */
  tasks?: Record<string, string>;
}

/** A host and the task it was running when a signal came. */
export interface InFlight {
  host: string;
  task: Pick<TaskInfo, 'id' | 'name'>;
  play: number;
}

/**
 * The first SIGINT/SIGTERM ("stop": no new tasks) or the second one ("abort": everything killed at
 * once). Names the task each host was in.
 */
export interface JournalInterrupt {
  kind: 'interrupted';
  signal: string;
  mode: 'stop' | 'abort';
  inFlight: InFlight[];
  time: string;
}

/** Last line: how the run ended. A journal without it was cut short (controller killed). */
export interface JournalEnd {
  kind: 'journal-end';
  outcome: RunOutcomeName;
  time: string;
}

export type RunOutcomeName = 'ok' | 'failed' | 'unreachable' | 'interrupted' | 'aborted' | 'stopped' | 'error';

/** Every journal line: the run's own events, stamped with when the journal wrote them. */
export type JournalRecord = JournalStart | JournalInterrupt | JournalEnd | (RunEvent & { at?: string });
