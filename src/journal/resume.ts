import { ExitCode, TsplayError } from '../errors.js';
import type { ResumeState, SavedHost } from '../executor/options.js';
import type { Vars } from '../types.js';
import { analyzeRun, type RunAnalysis } from './analyze.js';
import { describeChanges } from './hash.js';
import { readJournal, startOf } from './store.js';
import { taskFingerprints, taskKey, type IndexedTask } from './task-index.js';
import { remapRecords, taskKeyMap } from './remap.js';

/**
 * A run and the runs it resumed, oldest first (each resumed run's state is the base of the next).
 * With `index` (today's tasks), their task ids are translated to today's (tasks that moved since).
 */
export function runChain(root: string, id: string, index?: Map<string, IndexedTask>): RunAnalysis[] {
  const now = index ? taskFingerprints(index) : undefined;
  const chain: RunAnalysis[] = [];
  const seen = new Set<string>();
  let next: string | undefined = id;
  while (next && !seen.has(next)) {
    seen.add(next);
    let records;
    try {
      records = readJournal(root, next);
    } catch (e) {
      if (chain.length === 0) throw e;
      break; // an older run of the chain was deleted: what is left still says where things stand
    }
    const before = startOf(records).tasks;
    if (now && before) records = remapRecords(records, taskKeyMap(before, now));
    chain.unshift(analyzeRun(records, index));
    next = startOf(records).resumeOf;
  }
  return chain;
}

/** Refuse to resume when the playbooks, roles or inventory differ from the run's (unless --force). */
export function checkSources(run: RunAnalysis, now: Record<string, string>, force: boolean, warn: (m: string) => void): void {
  const changes = describeChanges(run.start.files, now);
  if (changes.length === 0) return;
  const list = changes.slice(0, 10).join(', ') + (changes.length > 10 ? `, and ${changes.length - 10} more` : '');
  if (force) {
    warn(`resuming run ${run.start.id} although its sources changed (--force): ${list}`);
    return;
  }
  throw new TsplayError(`cannot resume run ${run.start.id}: changed since it ran: ${list} (use --force to resume anyway)`, { code: ExitCode.badOptions });
}

/**
 * The state a resumed run starts from, merged over the chain of runs: plays a host got through,
 * tasks it completed (per play); its registered values, set_facts and pending notifications come from
 * the resumed run's state file (`saved`, real values), else (a journal without one) from the journal.
 */
export function resumeState(chain: RunAnalysis[], index?: Map<string, IndexedTask>, saved?: Record<string, SavedHost>): ResumeState {
  const finished = new Map<string, Set<number>>();
  const completed = new Map<string, Map<number, Set<string>>>();
  const facts = new Map<string, Vars>();
  for (const run of chain) {
    for (const [h, plays] of run.finished) for (const p of plays) getOr(finished, h, () => new Set()).add(p);
    for (const [h, plays] of run.completed) {
      for (const [p, ids] of plays) {
        const set = getOr(getOr(completed, h, () => new Map()), p, () => new Set<string>());
        ids.forEach((id) => set.add(id));
      }
    }
    // this run's restart-at-block-start rule also undoes what earlier runs completed in that block
    for (const [h, stop] of run.stops) {
      const scope = stop.taskId ? index?.get(taskKey(stop.play, stop.taskId))?.restartScope : undefined;
      const done = completed.get(h)?.get(stop.play);
      if (scope && done) for (const id of scope) done.delete(id);
    }
    for (const [h, f] of run.facts) Object.assign(getOr(facts, h, () => ({})), f);
  }
  // Plays are walked one after the other and finishedPlay is asked for each host before a play
  // starts: it tells which play the tasks asked about next belong to (task ids repeat across plays
  // of imported playbooks).
  let currentPlay = 0;
  return {
    finishedPlay(host, playIndex) {
      currentPlay = playIndex;
      return finished.get(host)?.has(playIndex) ?? false;
    },
    completedTask(host, taskId) {
      return completed.get(host)?.get(currentPlay)?.has(taskId) ?? false;
    },
    hostFacts(host) {
      return structuredClone(saved ? (saved[host]?.vars ?? {}) : (facts.get(host) ?? {}));
    },
    hidden(host) {
      return [...(saved?.[host]?.hidden ?? [])];
    },
    templated(host) {
      return [...(saved?.[host]?.templated ?? [])];
    },
    includeVars(host) {
      return structuredClone(saved?.[host]?.includeVars ?? {});
    },
    notified(host, playIndex, section) {
      const n = saved?.[host]?.notified;
      return n && n.play === playIndex && n.section === section ? [...n.names] : [];
    },
    cursor(host, playIndex) {
      const c = saved?.[host]?.cursor;
      return c && c.play === playIndex ? structuredClone(c) : undefined;
    },
  };
}

function getOr<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
}
