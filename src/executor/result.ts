import type { Outcome } from '../modules/types.js';
import type { Block, Task } from '../playbook/types.js';
import { unsafeLiteral } from '../template/unsafe.js';
import { isTemplate, renderValue } from '../template/render.js';
import type { Vars } from '../types.js';
import type { Source } from '../errors.js';
import type { HostStatus, TaskInfo } from '../report/events.js';

export interface TaskRunResult {
  status: HostStatus;
  result: Outcome;
  /** Unreachable, but the task said ignore_unreachable. */
  ignoredUnreachable: boolean;
}

/**
 * A task's name as its TASK banner shows it: rendered with the first host's variables, or as written
 * when that fails (an undefined variable, `item` before the loop runs), as Ansible's strategy does.
 */
export function shownName(task: Pick<Task, 'name' | 'where'>, scope: () => Vars): string | undefined {
  if (task.name === undefined || !isTemplate(task.name) || unsafeLiteral(task.name) !== undefined) return task.name;
  try {
    return String(renderValue(task.name, scope(), task.where));
  } catch {
    return task.name;
  }
}

/** A task's display name as Ansible shows it: "role : name", or the action as written when unnamed. */
export function taskInfo(task: Task): TaskInfo {
  const written = task.name ?? task.action ?? task.module;
  const base = unsafeLiteral(written) ?? written; // name: !unsafe '…' shows the text itself
  const name = task.role && !task.handler ? `${task.role.name} : ${base}` : task.role ? `${task.role.name} : ${base}` : base;
  return { id: task.id, name, where: task.where, module: task.module, handler: task.handler };
}

/** A dynamic include's own result line: Ansible names an include_role by itself, an include_tasks with its role. */
export function includeInfo(id: string, include: NonNullable<Block['include']>, role: Block['role'], where: Source, handler?: boolean): TaskInfo {
  const name = role && !include.module.endsWith('_role') ? `${role.name} : ${include.display}` : include.display;
  return { id, name, where, module: include.module, handler };
}

/** How a result is reported: unreachable, then skipped, failed (or ignored), changed, ok. */
export function statusOf(result: Outcome, ignoreErrors: boolean): HostStatus {
  if (result.unreachable) return 'unreachable';
  if (result.skipped) return 'skipped';
  if (result.failed) return ignoreErrors ? 'ignored' : 'failed';
  return result.changed ? 'changed' : 'ok';
}

/** The result of a task whose `when` was false, as Ansible reports it (a fresh object: reporters may add to it). */
export function conditionFalseResult(): { changed: false; skipped: true; skip_reason: string } {
  return { changed: false, skipped: true, skip_reason: 'Conditional result was False' };
}
