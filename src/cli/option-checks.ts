import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ExitCode, TsplayError } from '../errors.js';
import { allTasks } from '../executor/run.js';
import { taskInfo } from '../executor/result.js';
import { matchesStartAt } from '../executor/task-step.js';
import { hostPatternError } from '../inventory/patterns.js';
import type { Playbook } from '../playbook/types.js';

const bad = (message: string) => new TsplayError(message, { code: ExitCode.badOptions });

/**
 * Options that can be checked before anything is loaded or contacted: a typo in one must be an
 * error naming the option, never a run that silently does nothing or dies halfway.
 */
export function checkRunOptions(f: { limit?: string; journalDir?: string; events?: string; logFile?: string }): void {
  if (f.limit !== undefined) {
    if (f.limit.startsWith('@')) {
      const file = f.limit.slice(1);
      if (!existsSync(file) || !statSync(file).isFile()) throw bad(`--limit ${f.limit}: file ${file} not found`);
    } else {
      const err = hostPatternError(f.limit);
      if (err) throw bad(`--limit: ${err}`);
    }
  }
  if (f.journalDir !== undefined && existsSync(f.journalDir) && !statSync(f.journalDir).isDirectory()) {
    throw bad(`--journal-dir ${f.journalDir}: not a directory`);
  }
  for (const [option, file] of [['--events', f.events], ['--log-file', f.logFile]] as const) {
    if (file === undefined || file === '-') continue;
    const dir = dirname(resolve(file));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw bad(`${option} ${file}: directory ${dirname(file)} does not exist`);
  }
}

/** A playbook argument must be a readable regular file (a FIFO would block, a directory is no playbook). */
export function checkPlaybookFile(p: string): void {
  if (!existsSync(p)) throw new TsplayError(`the playbook: ${p} could not be found`, { code: ExitCode.error });
  const st = statSync(p);
  if (!st.isFile()) throw new TsplayError(`the playbook: ${p} is not a regular file (${st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : 'a special file'})`, { code: ExitCode.error });
}

/**
 * --start-at-task must name a task of the playbooks (a glob, matched against "role : name" and the
 * bare name, as Ansible does): a typo would otherwise run nothing and exit 0.
 */
export function checkStartAtTask(playbooks: Playbook[], pattern: string | undefined): void {
  if (pattern === undefined) return;
  for (const pb of playbooks) {
    for (const play of pb.plays) {
      for (const t of allTasks([...play.preTasks, ...play.tasks, ...play.postTasks])) {
        if (matchesStartAt(pattern, taskInfo(t).name, t.name)) return;
      }
    }
  }
  throw bad(`--start-at-task: no task named '${pattern}' in the playbook${playbooks.length > 1 ? 's' : ''}`);
}
