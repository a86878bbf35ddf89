import type { RolesRun } from './role-duplicates.js';
import type { LimitFunction } from 'p-limit';
import type { ConnectionPool } from '../connection/pool.js';
import type { Reporter } from '../report/events.js';
import type { Task } from '../playbook/types.js';
import type { PlaySection, RunOptions } from './options.js';
import type { VarSources } from './vars.js';
import type { RunChanges } from './result-keys.js';
import type { Vars } from '../types.js';

/** Why the run (or the play) stopped early, if it did. */
export interface StopState {
  /** Stop the whole run: no further tasks, batches or plays. */
  run?: string;
  /** meta: end_play / end_batch. */
  play?: boolean;
  batch?: boolean;
  /** Let the current batch finish, then stop the run (a guard's deadline ran out). */
  afterBatch?: string;
  /**
   * any_errors_fatal marked hosts while others were in a rescue or always: the play finishes, then the
   * run stops and fails (Ansible's RUN_FAILED_BREAK_PLAY: exit 2 even if every failure was cleared).
   */
  afterPlay?: string;
}

/** Everything executing one play needs; built by the runner per play. */
export interface PlayContext extends VarSources {
  opts: RunOptions;
  emit: Reporter;
  pool: ConnectionPool;
  /** --forks: concurrency bound shared by every task of the run. */
  forks: LimitFunction;
  signal: AbortSignal;
  /** Kills commands in flight: aborted when the grace period after the first signal ends, or at the second. */
  kill: AbortSignal;
  stop: StopState;
  /** Inventory vars needed to connect to another host (delegate_to). */
  hostExists(host: string): boolean;
  /** Handlers of the play, in `handlers:` order. */
  handlers: Task[];
  /** The hosts of the batch being run (handlers are flushed for them). */
  batch: string[];
  /** include_role allow_duplicates: the roles included so far and the hosts they ran on (role-duplicates.ts). */
  rolesRun?: RolesRun;
  /** The last failure of each host, for ansible_failed_task / ansible_failed_result in rescue. */
  lastFailure: Map<string, Vars>;
  /** --start-at-task: tasks are skipped until one matches. */
  startAt: { name?: string; reached: boolean };
  /**
   * The signal a host's commands run under: the run's signal, plus that host's guard deadline
   * (guard.ts). Aborting it kills the host's command in flight.
   */
  hostSignal(host: string): AbortSignal;
  /** The inventory and custom stats, changed by add_host, group_by and set_stats results. */
  changes: RunChanges;
  /** Index of the play in the run (journal and resume key tasks by play). */
  playIndex: number;
  /** The section being run (its handler flush is where notifications wait). */
  section?: PlaySection;
}
