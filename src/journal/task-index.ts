import type { Block, Item, Play, Playbook, Task } from '../playbook/types.js';
import { taskFingerprint } from '../playbook/identity.js';

/** What the journal needs to know about a task it sees in events. */
export interface IndexedTask {
  task: Task;
  /** no_log, inherited from play, role and blocks; a templated value counts as true (safe side). */
  noLog: boolean;
  /**
   * The tasks of the outermost enclosing block that has a rescue or always section: a host that
   * stopped inside it restarts at that block's start, since its teardown already ran.
   */
  restartScope?: Set<string>;
  /** A guard's setup/precheck/teardown task: run again on resume, never counted as done. */
  guard?: boolean;
}

/** Per task key, what the task does (recorded in the journal, compared by a --force resume). */
export function taskFingerprints(index: Map<string, IndexedTask>): Record<string, string> {
  return Object.fromEntries([...index].map(([key, t]) => [key, taskFingerprint(t.task)]));
}

/** Tasks are keyed by play index (in run order) and id: ids repeat across imported playbooks. */
export const taskKey = (playIndex: number, id: string): string => `${playIndex}:${id}`;

function noLogValue(v: unknown, inherited: boolean): boolean {
  if (v === undefined || v === null) return inherited;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  const s = String(v).trim();
  if (/^(false|no|off|0|n|f)$/i.test(s)) return false;
  return true;
}

/** Index every task of the run's plays (tasks, handlers, guard sections) by play index and id. */
export function indexTasks(playbooks: Playbook[]): Map<string, IndexedTask> {
  const index = new Map<string, IndexedTask>();
  let playIndex = 0;
  for (const pb of playbooks) {
    for (const play of pb.plays) {
      indexPlay(index, play, playIndex++);
    }
  }
  return index;
}

function indexPlay(index: Map<string, IndexedTask>, play: Play, playIndex: number): void {
  const playNoLog = noLogValue(play.noLog, false);
  let guard = false;
  const visit = (items: Item[], noLog: boolean, scope: Set<string> | undefined) => {
    for (const item of items) {
      if (item.kind === 'task') {
        index.set(taskKey(playIndex, item.id), { task: item, noLog: noLogValue(item.noLog, noLog), restartScope: scope, ...(guard ? { guard } : {}) });
        scope?.add(item.id);
      } else {
        visitBlock(item, noLog, scope);
      }
    }
  };
  const visitBlock = (block: Block, noLog: boolean, scope: Set<string> | undefined) => {
    const inner = noLogValue(block.noLog, noLog);
    const own = scope ?? (block.rescue.length > 0 || block.always.length > 0 ? new Set<string>() : undefined);
    visit(block.block, inner, own);
    visit(block.rescue, inner, own);
    visit(block.always, inner, own);
  };
  visit(play.preTasks, playNoLog, undefined);
  visit(play.tasks, playNoLog, undefined);
  visit(play.postTasks, playNoLog, undefined);
  visit(play.handlers, playNoLog, undefined);
  if (play.guard) {
    guard = true;
    visit(play.guard.setup, playNoLog, undefined);
    visit(play.guard.precheck, playNoLog, undefined);
    visit(play.guard.teardown, playNoLog, undefined);
  }
}

/** Every file the plays were read from (imported playbooks, included task files) and every role dir. */
export function playbookSources(playbooks: Playbook[]): { files: Set<string>; roleDirs: Set<string> } {
  const files = new Set<string>();
  const roleDirs = new Set<string>();
  const visit = (items: Item[]) => {
    for (const item of items) {
      files.add(item.where.file);
      if (item.role) roleDirs.add(item.role.path);
      if (item.kind === 'block') visit([...item.block, ...item.rescue, ...item.always]);
    }
  };
  for (const pb of playbooks) {
    files.add(pb.file);
    for (const play of pb.plays) {
      files.add(play.where.file);
      visit([...play.preTasks, ...play.tasks, ...play.postTasks, ...play.handlers]);
      if (play.guard) visit([...play.guard.setup, ...play.guard.precheck, ...play.guard.teardown]);
    }
  }
  return { files, roleDirs };
}

/** Every vars dictionary written in the plays (play, vars_files, roles, blocks, tasks): where secrets hide. */
export function playbookVars(playbooks: Playbook[]): unknown[] {
  const out: unknown[] = [];
  const visit = (items: Item[]) => {
    for (const item of items) {
      out.push(item.vars, item.kind === 'task' ? item.args : undefined);
      if (item.role) out.push(item.role.defaults, item.role.vars, item.role.params);
      if (item.kind === 'block') {
        if (item.include) out.push(item.include.params);
        visit([...item.block, ...item.rescue, ...item.always]);
      }
    }
  };
  for (const pb of playbooks) {
    for (const play of pb.plays) {
      out.push(play.vars, play.varsFiles);
      visit([...play.preTasks, ...play.tasks, ...play.postTasks, ...play.handlers]);
      if (play.guard) visit([...play.guard.setup, ...play.guard.precheck, ...play.guard.teardown]);
    }
  }
  return out;
}
