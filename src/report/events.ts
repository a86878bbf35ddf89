import type { Source } from '../errors.js';

/** How one task ended on one host, as Ansible names it. */
export type HostStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable' | 'ignored';

export interface HostStats {
  ok: number;
  changed: number;
  failures: number;
  unreachable: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export interface TaskInfo {
  id: string;
  name: string;
  where: Source;
  module: string;
  handler?: boolean;
  noLog?: boolean;
}

/** Everything a run reports; console, JSON and journal reporters all consume this union. */
export type RunEvent =
  | { kind: 'run-start'; playbooks: string[]; check: boolean; time: string }
  | { kind: 'play-start'; index: number; name: string; hosts: string[]; time: string }
  | { kind: 'batch-start'; index: number; total: number; hosts: string[] }
  | { kind: 'task-start'; task: TaskInfo; hosts: string[]; time: string }
  | {
      kind: 'host-result';
      task: TaskInfo;
      host: string;
      status: HostStatus;
      /** The Ansible-shaped result (changed, failed, msg, rc, stdout, stderr, results …). */
      result: Record<string, unknown>;
      /** e.g. "h1 -> localhost" when delegated */
      delegatedTo?: string;
      /** A loop reports each item (isItem) and then the task's aggregate (loopSummary, not displayed per host). */
      isItem?: boolean;
      item?: unknown;
      loopSummary?: boolean;
      /** A failure inside a block whose rescue will handle it (counted as rescued, not failed). */
      rescued?: boolean;
      /** Reported but not counted in the recap (a meta task skipped by its condition, as Ansible). */
      uncounted?: boolean;
      /** An `ok` counted this many times in the recap: Ansible counts an include_tasks once per file it includes (per loop item), an include_role never. */
      okCount?: number;
    }
  | { kind: 'no-hosts'; play: string }
  | { kind: 'warning'; message: string }
  /** An `until` attempt that failed and is tried again (Ansible's v2_runner_retry line). */
  | { kind: 'retry'; host: string; taskName: string; retriesLeft: number }
  /** -vv: the commands sent to a host; -vvv: connection details. Shown when verbosity >= level. */
  | { kind: 'verbose'; level: 2 | 3; host: string; message: string }
  | { kind: 'play-end'; index: number; time: string }
  | { kind: 'stopped'; reason: string }
  | {
      kind: 'guard';
      name: string;
      /** setup/precheck/teardown begin; deadline-start per host (with deadlineAt); deadline-hit when it ran out. */
      phase: 'setup' | 'precheck' | 'teardown' | 'deadline-start' | 'deadline-hit' | 'failed';
      host?: string;
      /** Epoch ms by which the host must be through the play. */
      deadlineAt?: number;
      message?: string;
      time: string;
    }
  /** customStats: set_stats data per host and under `_run` (shown when show_custom_stats is on). */
  | { kind: 'recap'; stats: Record<string, HostStats>; time: string; customStats?: Record<string, Record<string, unknown>> };

export type Reporter = (e: RunEvent) => void;

export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, failures: 0, unreachable: 0, skipped: 0, rescued: 0, ignored: 0 };
}
