import type { Vars } from '../types.js';
import type { HostCursor } from './cursor.js';

/** Everything the CLI decides for a run. */
export interface RunOptions {
  playbooks: string[];
  inventory: string[];
  extraVars: Vars;
  limit?: string;
  forks: number;
  check: boolean;
  diff: boolean;
  verbosity: number;
  tags: string[];
  skipTags: string[];
  startAtTask?: string;
  forceHandlers: boolean;
  /**
   * Ansible's ERROR_ON_MISSING_HANDLER (ANSIBLE_ERROR_ON_MISSING_HANDLER), default true: a notify naming
   * no handler is refused before any host is contacted. false: a warning when it is notified, as Ansible.
   */
  errorOnMissingHandler?: boolean;
  listHosts?: boolean;
  listTasks?: boolean;
  syntaxCheck?: boolean;
  json?: boolean;
  /** Overrides (tests): where the connection layer looks for keys; default from env. */
  env?: NodeJS.ProcessEnv;
  /** --resume ID|last: the run to continue (journal). */
  resumeId?: string;
  /** --force: resume even though the playbook, roles or inventory changed. */
  force?: boolean;
  /** --events FILE|-: one JSON object per event, as it happens. */
  events?: string;
  /** Where run journals are kept (default .tsplay/runs). */
  journalDir?: string;
  /** Set by `tsplay schedule`: the job this run belongs to (recorded in the journal). */
  job?: string;
  /** What a resumed run skips and restores (filled from the journal). */
  resume?: ResumeState;
  /** Where the run's restorable state and its secrets go (the journal session). */
  hooks?: RunHooks;
}

/** The parts of a play that end with a handler flush. */
export type PlaySection = 'pre_tasks' | 'tasks' | 'post_tasks';

/** A host's restorable state: what --resume must give back exactly, secrets included. */
export interface SavedHost {
  /** Registered results and set_facts, real values (never redacted). */
  vars: Vars;
  /** Names in `vars` registered by no_log tasks: secrets for every output of a resumed run too. */
  hidden?: string[];
  /** Names in `vars` set by set_fact that are rendered again when read (HostState.templatedFacts). */
  templated?: string[];
  /** Variables include_vars gave the host (their own precedence layer, below set_fact). */
  includeVars?: Vars;
  /** Notifications not yet handled, and the play and section whose handler flush they wait for (state files before cursors). */
  notified?: { play: number; section: PlaySection; names: string[] };
  /** Where the host resumes: its cursor in play `play` (with its pending notifications). */
  cursor?: SavedCursor;
}

/** A host's cursor (cursor.ts) saved for --resume; `taskId` is what it points at, checked on resume. */
export interface SavedCursor {
  play: number;
  cursor: HostCursor;
  taskId?: string;
}

/** What the executor tells the run's keepers as it goes. */
export interface RunHooks {
  /** Hosts' restorable state changed (before and after each step): one call per step, all its hosts. */
  saveHosts?(saved: Record<string, SavedHost>): void;
  /** A value no output may show (a no_log task's registered result). */
  secret?(value: unknown): void;
}

/**
 * What --resume restores from a journal: hosts that finished a play skip it, tasks that completed on
 * a host are not run again there, and registered values / set_facts come back.
 */
export interface ResumeState {
  /** Did this host get through play `playIndex` in the earlier run? */
  finishedPlay(host: string, playIndex: number): boolean;
  /** Did task `taskId` complete (ok/changed/skipped/ignored) on this host in the earlier run? */
  completedTask(host: string, taskId: string): boolean;
  /** Registered values and set_facts of completed tasks, per host (real values, from the state file). */
  hostFacts(host: string): Vars;
  /** Which of those were registered by no_log tasks. */
  hidden(host: string): string[];
  /** Which of those are set_facts rendered again when read (optional: older state files have none). */
  templated?(host: string): string[];
  /** Variables include_vars had given the host. */
  includeVars(host: string): Vars;
  /** Notifications the host had not handled when it stopped in this section of play `playIndex` (state files before cursors). */
  notified(host: string, playIndex: number, section: PlaySection): string[];
  /** Where the host stopped in play `playIndex`, when the state file says (exact resume). */
  cursor?(host: string, playIndex: number): SavedCursor | undefined;
}

export const defaultRunOptions: Omit<RunOptions, 'playbooks' | 'inventory'> = {
  extraVars: {},
  forks: 5,
  check: false,
  diff: false,
  verbosity: 0,
  tags: [],
  skipTags: [],
  forceHandlers: false,
};
