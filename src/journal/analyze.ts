import type { HostStats, RunEvent } from '../report/events.js';
import type { Vars } from '../types.js';
import type { JournalInterrupt, JournalRecord, JournalStart } from './records.js';
import { taskKey, type IndexedTask } from './task-index.js';

type HostResult = Extract<RunEvent, { kind: 'host-result' }>;

/** Where a host stopped in a play, and why. */
export interface StopPoint {
  play: number;
  taskId: string;
  taskName: string;
  reason: 'failed' | 'unreachable' | 'interrupted';
  msg?: string;
}

export interface PlayRecord {
  index: number;
  name: string;
  hosts: string[];
  /** Batches in start order (one implicit batch when the play had no `serial`). */
  batches: string[][];
}

/** What one journal says happened: per play and host, what completed and where it stopped. */
export interface RunAnalysis {
  start: JournalStart;
  plays: Map<number, PlayRecord>;
  /** host → play → ids of the tasks that completed there before the host stopped (if it did). */
  completed: Map<string, Map<number, Set<string>>>;
  /** host → plays it got through. */
  finished: Map<string, Set<number>>;
  stops: Map<string, StopPoint>;
  /** Registered results and set_facts, per host, in the order they happened. */
  facts: Map<string, Vars>;
  interrupt?: JournalInterrupt;
  stopped?: string;
  stats?: Record<string, HostStats>;
  /** Ended with its recap and nothing stopped it early. */
  complete: boolean;
  /** The journal has its last line (a journal without it was cut short). */
  ended: boolean;
  lastTime: string;
  failures: { host: string; task: string; msg: string }[];
  /** Tasks started on a host with no result when the journal ends (a killed controller's last step). */
  pending: Map<string, { play: number; id: string; name: string }>;
}

const COMPLETED = new Set(['ok', 'changed', 'skipped', 'ignored']);

function getOr<K, V>(m: Map<K, V>, k: K, make: () => V): V {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
}

/** Analyse one run's journal; `index` (the playbooks' tasks) adds the restart-at-block-start rule. */
export function analyzeRun(records: JournalRecord[], index?: Map<string, IndexedTask>): RunAnalysis {
  const start = records[0] as JournalStart;
  const plays = new Map<number, PlayRecord>();
  const facts = new Map<string, Vars>();
  const startSeq = new Map<string, number>(); // `${host} ${play}:${id}` → seq of its task-start
  const lastStarted = new Map<string, { play: number; id: string; name: string; seq: number }>();
  const results: { e: HostResult; play: number; seq: number; started: number }[] = [];
  const firstStop = new Map<string, { seq: number; stop: StopPoint }>();
  const failures: RunAnalysis['failures'] = [];
  const pending: RunAnalysis['pending'] = new Map();
  let current = -1;
  let implicitBatch = false;
  let interrupt: JournalInterrupt | undefined;
  let interruptSeq = Infinity;
  let stopped: string | undefined;
  let stats: Record<string, HostStats> | undefined;
  let ended = false;
  let lastTime = start.time;

  records.forEach((r, seq) => {
    const time = (r as { time?: string; at?: string }).time ?? (r as { at?: string }).at;
    if (time) lastTime = time;
    switch (r.kind) {
      case 'play-start':
        current = r.index;
        plays.set(r.index, { index: r.index, name: r.name, hosts: r.hosts, batches: [r.hosts] });
        implicitBatch = true;
        break;
      case 'batch-start': {
        const p = plays.get(current);
        if (!p) break;
        if (implicitBatch) p.batches = [r.hosts];
        else p.batches.push(r.hosts);
        implicitBatch = false;
        break;
      }
      case 'task-start':
        for (const h of r.hosts) {
          startSeq.set(`${h} ${taskKey(current, r.task.id)}`, seq);
          lastStarted.set(h, { play: current, id: r.task.id, name: r.task.name, seq });
          pending.set(h, { play: current, id: r.task.id, name: r.task.name });
        }
        break;
      case 'host-result': {
        if (r.isItem) break;
        const started = startSeq.get(`${r.host} ${taskKey(current, r.task.id)}`) ?? seq;
        results.push({ e: r, play: current, seq, started });
        pending.delete(r.host);
        recordFacts(getOr(facts, r.host, () => ({})), r, index?.get(taskKey(current, r.task.id)));
        const msg = typeof r.result.msg === 'string' ? r.result.msg : '';
        if ((r.status === 'failed' && !r.rescued) || r.status === 'unreachable') {
          failures.push({ host: r.host, task: r.task.name, msg });
          if (!firstStop.has(r.host)) {
            firstStop.set(r.host, { seq, stop: { play: current, taskId: r.task.id, taskName: r.task.name, reason: r.status === 'unreachable' ? 'unreachable' : 'failed', msg } });
          }
        }
        break;
      }
      case 'interrupted':
        if (!interrupt) {
          interrupt = r;
          interruptSeq = seq;
        }
        break;
      case 'stopped':
        stopped = r.reason;
        break;
      case 'recap':
        stats = r.stats;
        break;
      case 'journal-end':
        ended = true;
        break;
      default:
        break;
    }
  });

  const lastPlay = Math.max(-1, ...plays.keys());
  const complete = stats !== undefined && stopped === undefined && interrupt === undefined;
  const openBatch = new Set(complete ? [] : (plays.get(lastPlay)?.batches.at(-1) ?? []));

  // An interruption stops the hosts that were in the open batch, at the task they were in.
  const stops = new Map<string, StopPoint>();
  const stopSeq = new Map<string, number>();
  for (const [h, s] of firstStop) {
    stops.set(h, s.stop);
    stopSeq.set(h, s.seq);
  }
  if (interrupt) {
    for (const h of openBatch) {
      if ((stopSeq.get(h) ?? Infinity) < interruptSeq) continue;
      const inFlight = interrupt.inFlight.find((f) => f.host === h);
      const last = lastStarted.get(h);
      const at = inFlight ? { play: inFlight.play, id: inFlight.task.id, name: inFlight.task.name } : last && last.seq < interruptSeq ? last : undefined;
      stops.set(h, { play: at?.play ?? lastPlay, taskId: at?.id ?? '', taskName: at?.name ?? '', reason: 'interrupted', msg: `${interrupt.signal}` });
      stopSeq.set(h, interruptSeq);
    }
  }

  // Completed: ok/changed/skipped/ignored results of tasks started before the host stopped.
  const completed = new Map<string, Map<number, Set<string>>>();
  for (const { e, play, started } of results) {
    if (!COMPLETED.has(e.status)) continue;
    if (index?.get(taskKey(play, e.task.id))?.guard) continue;
    if (started > (stopSeq.get(e.host) ?? Infinity)) continue;
    getOr(getOr(completed, e.host, () => new Map()), play, () => new Set()).add(e.task.id);
  }
  // A host that stopped inside a block with rescue/always (its teardown ran) restarts at the block's start.
  for (const [h, s] of stops) {
    const scope = s.taskId ? index?.get(taskKey(s.play, s.taskId))?.restartScope : undefined;
    const done = completed.get(h)?.get(s.play);
    if (scope && done) for (const id of scope) done.delete(id);
  }

  const finished = new Map<string, Set<number>>();
  for (const p of plays.values()) {
    const batches = p.index < lastPlay || complete ? p.batches : p.batches.slice(0, -1);
    for (const h of batches.flat()) {
      const s = stops.get(h);
      if (s && s.play === p.index) continue;
      // a host that stopped in an earlier play never reached this one
      getOr(finished, h, () => new Set()).add(p.index);
    }
  }
  return { start, plays, completed, finished, stops, facts, interrupt, stopped, stats, complete, ended, lastTime, failures, pending };
}

/** What a task left in the host's variables: its registered result, or set_fact's facts. */
function recordFacts(facts: Vars, e: HostResult, indexed: IndexedTask | undefined): void {
  const register = indexed?.task.register;
  if (register) {
    const { diff: _diff, ...registered } = e.result;
    facts[register] = registered;
  }
  const setFacts = e.result.ansible_facts;
  if (e.task.module === 'set_fact' && (e.status === 'ok' || e.status === 'changed') && setFacts && typeof setFacts === 'object') {
    Object.assign(facts, setFacts);
  }
}
