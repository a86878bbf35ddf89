import { userInfo, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Inventory } from '../inventory/inventory.js';
import type { Playbook } from '../playbook/types.js';
import type { RunOptions, ResumeState, RunHooks, SavedHost } from '../executor/options.js';
import type { Reporter, RunEvent } from '../report/events.js';
import { combinedHash, sourceHashes } from './hash.js';
import { JOURNAL_FORMAT, type InFlight, type JournalRecord, type JournalStart, type RunOutcomeName } from './records.js';
import { Redactor } from './redact.js';
import { checkSources, resumeState, runChain } from './resume.js';
import { JOURNAL_FILE, journalRoot, newRunId, resolveRunId } from './store.js';
import { readStateFile, StateFile } from './state-file.js';
import { indexTasks, playbookVars, taskFingerprints, taskKey, type IndexedTask } from './task-index.js';
import { tsplayVersion } from './version.js';
import { LineWriter } from './writer.js';

/** A run's journal: the reporter that records every event, and what --resume restores. */
export interface JournalSession {
  /** This run's id (its directory under the journal root). */
  id: string;
  reporter: Reporter;
  resume?: ResumeState;
  /** With --resume: the ids of the earlier runs resumed (whose commands may still run on the hosts). */
  resumedRuns?: string[];
  /** Where the executor saves each host's restorable state (the 0600 state file) and reports secrets. */
  hooks: RunHooks;
  /** A signal came: record it, naming the task each host was in ('abort': the second one). */
  interrupted(signal: string, mode: 'stop' | 'abort'): void;
  /** Write the last line, flush and close (called once the run ended, whatever happened). */
  close(): Promise<void>;
}

const NO_LOG = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/**
 * Open the journal for a run (and, with --resume, read the earlier one and refuse when its sources
 * changed, unless --force). With --events, the same lines also go to that file or to stdout ('-').
 */
export async function startJournal(
  opts: RunOptions,
  playbooks: Playbook[],
  inventory: Inventory,
  warn: (m: string) => void = (m) => process.stderr.write(`[WARNING]: ${m}\n`),
  redactor: Redactor = runRedactor(opts, playbooks, inventory),
): Promise<JournalSession> {
  const root = journalRoot(opts.journalDir);
  const index = indexTasks(playbooks);
  const files = sourceHashes(playbooks, opts.inventory);

  let resume: ResumeState | undefined;
  let resumeOf: string | undefined;
  let resumedRuns: string[] | undefined;
  let saved: Record<string, SavedHost> | undefined;
  if (opts.resumeId) {
    resumeOf = resolveRunId(root, opts.resumeId, opts.job);
    const chain = runChain(root, resumeOf, index);
    checkSources(chain.at(-1)!, files, !!opts.force, warn);
    saved = readStateFile(join(root, resumeOf));
    // what comes back is as secret as it was: secret-named set_facts, no_log registered values
    for (const s of Object.values(saved ?? {})) {
      redactor.collect(s.vars);
      redactor.collect(s.includeVars ?? {});
      for (const name of s.hidden ?? []) redactor.collectHidden(s.vars[name]);
    }
    resume = resumeState(chain, index, saved);
    resumedRuns = [...new Set([resumeOf, ...chain.map((a) => (a.start as { resumeOf?: string }).resumeOf).filter((r): r is string => typeof r === 'string')])];
  }

  const id = newRunId();
  const journal = new LineWriter(join(root, id, JOURNAL_FILE));
  const state = new StateFile(join(root, id), saved);
  const events = opts.events ? new LineWriter(opts.events === '-' ? 1 : resolve(opts.events)) : undefined;
  const write = (record: JournalRecord) => {
    const clean = redactRecord(redactor, record);
    journal.line(clean);
    events?.line(clean);
  };

  const { env: _env, resume: _resume, ...options } = opts;
  const start: JournalStart = {
    kind: 'journal-start',
    format: JOURNAL_FORMAT,
    id,
    ...(resumeOf ? { resumeOf } : {}),
    playbooks: opts.playbooks.map((p) => resolve(p)),
    inventory: opts.inventory,
    options: options as Record<string, unknown>,
    user: safeUser(),
    controller: hostname(),
    pid: process.pid,
    cwd: process.cwd(),
    tsplay: tsplayVersion(),
    ...(opts.job ? { job: opts.job } : {}),
    time: new Date().toISOString(),
    files,
    hash: combinedHash(files),
    tasks: taskFingerprints(index),
  };
  write(start);
  journal.sync();

  let play = -1;
  const inFlight = new Map<string, InFlight>();
  let interruptMode: 'stop' | 'abort' | undefined;
  let recap: Extract<RunEvent, { kind: 'recap' }> | undefined;
  let closed = false;

  const reporter: Reporter = (e) => {
    if (closed) return;
    switch (e.kind) {
      case 'play-start':
        play = e.index;
        break;
      case 'task-start':
        for (const h of e.hosts) inFlight.set(h, { host: h, task: { id: e.task.id, name: e.task.name }, play });
        break;
      case 'host-result':
        if (!e.isItem) inFlight.delete(e.host);
        break;
      case 'recap':
        recap = e;
        break;
    }
    write({ ...censorNoLog(e, index.get(taskKey(play, taskIdOf(e)))), at: new Date().toISOString() } as JournalRecord);
    if (e.kind === 'play-end' || e.kind === 'batch-start' || e.kind === 'recap') journal.sync();
  };

  return {
    id,
    reporter,
    resume,
    ...(resumedRuns ? { resumedRuns } : {}),
    hooks: {
      saveHosts: (saved) => state.save(saved),
      secret: (value) => redactor.collectHidden(value),
    },
    interrupted(signal, mode) {
      if (closed) return;
      interruptMode = mode === 'abort' || !interruptMode ? mode : interruptMode;
      write({ kind: 'interrupted', signal, mode, inFlight: [...inFlight.values()], time: new Date().toISOString() });
      journal.sync();
    },
    async close() {
      if (closed) return;
      write({ kind: 'journal-end', outcome: outcomeOf(interruptMode, recap), time: new Date().toISOString() });
      closed = true;
      journal.close();
      events?.close();
    },
  };
}

function taskIdOf(e: RunEvent): string {
  return e.kind === 'host-result' || e.kind === 'task-start' ? e.task.id : '';
}

/** no_log hides every result of the task, loop items included (Ansible hides those too). */
function censorNoLog(e: RunEvent, task: IndexedTask | undefined): RunEvent {
  if (e.kind !== 'host-result' || !task?.noLog) return e;
  const result = { censored: NO_LOG, changed: !!e.result.changed, ...(e.result.failed ? { failed: true } : {}), ...(e.result.skipped ? { skipped: true } : {}) };
  return { ...e, result, ...(e.isItem ? { item: '(censored due to no_log)' } : {}) };
}

function outcomeOf(interrupt: 'stop' | 'abort' | undefined, recap: Extract<RunEvent, { kind: 'recap' }> | undefined): RunOutcomeName {
  if (interrupt === 'abort') return 'aborted';
  if (interrupt === 'stop') return 'interrupted';
  if (!recap) return 'error';
  const stats = Object.values(recap.stats);
  if (stats.some((s) => s.unreachable > 0)) return 'unreachable';
  if (stats.some((s) => s.failures > 0)) return 'failed';
  return 'ok';
}

/**
 * Redaction is for values, never for the journal's own bookkeeping: the sources' paths and hashes
 * (a playbook named rotate-db-password.yml must still resume), a task's id and where it is written.
 */
function redactRecord(redactor: Redactor, record: JournalRecord): JournalRecord {
  if (record.kind === 'journal-start') {
    const { files, hash, playbooks, inventory, cwd, tasks, ...rest } = record;
    return { ...redactor.redact(rest), files, hash, playbooks, inventory, cwd, ...(tasks ? { tasks } : {}) };
  }
  const clean = redactor.redact(record);
  if ((record.kind === 'task-start' || record.kind === 'host-result') && 'task' in clean) {
    return { ...clean, task: { ...clean.task, id: record.task.id, where: record.task.where } } as JournalRecord;
  }
  return clean;
}

/** Every value a secret-looking variable holds, wherever it is defined, is hidden in every output. */
export function runRedactor(opts: RunOptions, playbooks: Playbook[], inventory: Inventory): Redactor {
  const r = new Redactor();
  r.collect(opts.extraVars);
  for (const h of inventory.hosts.keys()) r.collect(inventory.hostVars(h));
  for (const v of playbookVars(playbooks)) r.collect(v);
  return r;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
