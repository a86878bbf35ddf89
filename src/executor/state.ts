import type { Vars } from '../types.js';
import type { Predicted } from '../facts/predicted.js';
import type { SavedCursor } from './options.js';
import { emptyStats, type HostStats } from '../report/events.js';
import { isTaintedMember } from '../template/unsafe.js';

/** What tsplay remembers about a host for the whole run (across plays, as Ansible does). */
export interface HostState {
  name: string;
  /** Gathered facts: `ansible_facts` and the `ansible_*` top-level names. */
  facts: Vars;
  /** include_vars results (include_vars precedence, below set_fact; values may hold templates). */
  includeVars: Vars;
  /** set_fact and registered results (set_fact/register precedence). */
  hostFacts: Vars;
  /**
   * The set_fact values of hostFacts that are rendered again when read, as Ansible does: those not
   * made from an unsafe value. The others, and registered results, are data.
   */
  templatedFacts: Set<string>;
  /** Failed (or unreachable) in this run: leaves the current play and later plays. */
  failed: boolean;
  unreachable: boolean;
  /** A meta: clear_host_errors cleared this host's failures, or a rescue took over a handler's failure: the failures in its recap no longer fail the run. */
  errorsCleared?: boolean;
  /** meta: end_host — done for this play. */
  ended: boolean;
  /** Handler names and listen topics the running task notified (the driver moves them into the host's cursor). */
  notified: Set<string>;
  /** Where --resume continues this host (persist.ts), with its pending notifications. */
  resumeAt?: SavedCursor;
  /** --resume: the play in which this host continues from its saved cursor (no per-task skipping there). */
  exactResumePlay?: number;
  /** Registered names whose value came from a no_log task (hidden in every output). */
  hidden: Set<string>;
  stats: HostStats;
  /** Under --check: what earlier tasks would have made on the host (created on first use). */
  predicted?: Predicted;
}

export function newHostState(name: string): HostState {
  return { name, facts: {}, includeVars: {}, hostFacts: {}, templatedFacts: new Set(), failed: false, unreachable: false, ended: false, notified: new Set(), hidden: new Set(), stats: emptyStats() };
}

/**
 * Store gathered facts under `ansible_facts` and as `ansible_<name>`, as Ansible injects them; facts a
 * module returns (getent_passwd, packages…) keep their own name (`prefix` false).
 */
export function storeFacts(state: HostState, facts: Record<string, unknown>, prefix = true): void {
  const all = { ...((state.facts.ansible_facts as Vars | undefined) ?? {}), ...facts };
  state.facts.ansible_facts = all;
  for (const [k, v] of Object.entries(facts)) state.facts[!prefix || k.startsWith('ansible_') ? k : `ansible_${k}`] = v;
}

/** A registered result (data: Ansible marks it unsafe, never rendered again). */
export function storeRegistered(st: HostState, name: string, value: unknown): void {
  st.hostFacts[name] = value;
  st.templatedFacts.delete(name);
}

/**
 * set_fact's facts: each is rendered again when read, as Ansible does, unless the template that made
 * it read an unsafe value (set_fact's plan marks those: unsafe.ts isTaintedMember).
 */
export function storeSetFacts(st: HostState, facts: Vars): void {
  for (const [k, v] of Object.entries(facts)) {
    st.hostFacts[k] = v;
    if (isTaintedMember(facts, k)) st.templatedFacts.delete(k);
    else st.templatedFacts.add(k);
  }
}
