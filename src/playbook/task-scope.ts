import type { Source } from '../errors.js';
import { toBool } from '../util/bool.js';
import { sourceOfKey } from '../util/yaml.js';
import type { Vars } from '../types.js';
import { conditions, keywordFields, varsDict } from './task-keywords.js';
import type { DeferredInclude, Inheritable, Item, RoleInstance } from './types.js';

/** What task normalisation needs to know about its surroundings. */
export interface TaskScope {
  file: string;
  role?: RoleInstance;
  handler?: boolean;
  /** The task files being expanded, outermost first (an include cycle is an error). */
  chain?: string[];
  /**
   * A failure here is tolerated (`ignore_errors: true` around, or the `block:` part of a block with a
   * `rescue:`): a bad module argument, which Ansible only reports when the task runs, is then a load-time
   * warning and the task fails when it runs.
   */
  tolerant?: boolean;
  /** Under a `when` (the task's or a block's around it): it may never run, so a missing include target is not a load error. */
  conditional?: boolean;
  /** The `vars:` of the blocks and includes around, and of the import being expanded: an import's name is rendered with them. */
  vars?: Vars;
  /**
   * The keywords (become, delegate_to…) of the blocks, imports and includes around, inner over outer:
   * a role's handlers brought in here inherit them, as Ansible parents them to the import/include.
   */
  keywords?: Partial<Inheritable>;
  /** The `when` conditions of the blocks and imports around, outer first: a role's handlers brought in here inherit them too. */
  when?: unknown[];
  /** Report a load-time warning (file:line: message). */
  warn?(where: Source, message: string): void;
  /** Loads the items an import/include brings in (provided by the playbook loader), or defers a dynamic include to run time. */
  expandInclude(action: string, params: Vars, where: Source, scope: TaskScope): Item[] | DeferredInclude;
}

/**
 * The scope for what a task/block holds: tolerant once it (or anything around it) says
 * `ignore_errors: true` or has a `when` that may be false (a block, an include, a role entry): what
 * Ansible would only find when the task runs, it may never find there.
 */
export function tolerantScope(scope: TaskScope, raw: Record<string, unknown>): TaskScope {
  if (scope.tolerant) return scope;
  const conditional = raw.when !== undefined && raw.when !== null && raw.when !== true && !(Array.isArray(raw.when) && raw.when.every((c) => c === true));
  return toBool(raw.ignore_errors) === true || conditional ? { ...scope, tolerant: true } : scope;
}

/** The scope inside a task or block: tolerant (tolerantScope), and conditional once it has a `when`. */
export function innerScope(scope: TaskScope, raw: Record<string, unknown>): TaskScope {
  const tolerant = tolerantScope(scope, raw);
  const conditional = !tolerant.conditional && raw.when !== undefined && raw.when !== null ? { ...tolerant, conditional: true } : tolerant;
  let own: Partial<Inheritable> = {};
  let when: unknown[] | undefined;
  try {
    own = keywordFields(raw, { file: scope.file }, 'task');
    when = conditions('when', raw.when, { file: scope.file }, 'task');
  } catch {
    // a bad keyword value: the task's or block's own load reports it, naming it
  }
  const withKeywords = Object.keys(own).length > 0 ? { ...conditional, keywords: { ...scope.keywords, ...own } } : conditional;
  const inner = when?.length ? { ...withKeywords, when: [...(scope.when ?? []), ...when] } : withKeywords;
  // an import's file name may come from its own vars or its blocks' (Ansible renders it with the task's vars)
  return raw.vars === undefined || raw.vars === null ? inner : { ...inner, vars: { ...scope.vars, ...varsDict(raw.vars, sourceOfKey(raw, 'vars') ?? { file: scope.file }) } };
}

/** Why a kept task (tolerated at load time) was not checked: said in the load-time warning. */
export const KEPT = '(kept: the task is under ignore_errors, a rescue or a condition; it fails when it runs, as in Ansible)';
