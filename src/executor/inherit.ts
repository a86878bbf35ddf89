import type { Vars } from '../types.js';
import type { Block, Inheritable, Play, RoleInstance, Task } from '../playbook/types.js';

/**
 * What a task gets from the play and the blocks (and roles, imports) around it: keywords where the
 * innermost wins, conditions and tags that accumulate, and vars merged outer to inner.
 */
export interface Inherited {
  when: unknown[];
  tags: string[];
  vars: Vars;
  keywords: Omit<Inheritable, 'when' | 'tags' | 'vars'>;
  role?: RoleInstance;
  /** Params of include_role/include_tasks (include-param precedence). */
  includeParams: Vars;
  /** A failure here will be handled by an enclosing block's rescue. */
  rescuable: boolean;
  /** Hosts that may run although failed (an `always` section after their failure). */
  allowFailed: ReadonlySet<string>;
  /** Vars for rescue sections: ansible_failed_task / ansible_failed_result per host. */
  failedInfo: ReadonlyMap<string, Vars>;
  /** Per-host loop variables of a looped include_tasks/include_role (item, ansible_loop…). */
  hostIncludeVars?: ReadonlyMap<string, Vars>;
  /** Inside an `always` section: it still runs after the first SIGINT/SIGTERM (a teardown). */
  teardown?: boolean;
  /** The innermost enclosing block's (import's, include's) notify: for tasks that name none. */
  notify?: string[];
}

const KEYWORDS = ['become', 'becomeUser', 'becomePassword', 'environment', 'ignoreErrors', 'ignoreUnreachable', 'checkMode', 'diff', 'noLog', 'delegateTo', 'delegateFacts', 'runOnce', 'anyErrorsFatal', 'throttle', 'timeout', 'becomeMethod', 'remoteUser', 'port', 'connection'] as const;

function keywordsOf(src: Inheritable): Inherited['keywords'] {
  const out: Record<string, unknown> = {};
  for (const k of KEYWORDS) if (src[k] !== undefined) out[k] = src[k];
  return out;
}

export function fromPlay(play: Play): Inherited {
  return {
    when: [],
    tags: [...play.tags],
    vars: {},
    keywords: keywordsOf(play),
    includeParams: {},
    rescuable: false,
    allowFailed: new Set(),
    failedInfo: new Map(),
  };
}

/**
 * The context inside a block. A dynamic include's keywords (`when`, `tags`, `run_once`, `become`…) are
 * the include's own, not its tasks' (Ansible skips a parent that is not statically loaded; `apply:`
 * gives keywords to the tasks); its vars reach them.
 */
export function enterBlock(outer: Inherited, block: Block): Inherited {
  return {
    ...outer,
    when: block.include ? outer.when : [...outer.when, ...(block.when ?? [])],
    tags: block.include ? outer.tags : [...outer.tags, ...block.tags],
    vars: { ...outer.vars, ...(block.vars ?? {}) },
    keywords: block.include ? outer.keywords : blockKeywords(outer, block),
    role: block.role ?? outer.role,
    includeParams: block.include ? { ...outer.includeParams, ...block.include.params } : outer.includeParams,
    ...(block.notify && block.notify.length > 0 ? { notify: block.notify } : {}),
  };
}

/** The keywords in force for a block (or a dynamic include itself): its own over the inherited ones. */
export function blockKeywords(outer: Inherited, block: Block): Inherited['keywords'] {
  return { ...outer.keywords, ...keywordsOf(block) };
}

/** The keywords in force for a task: its own over the inherited ones. */
export function taskKeywords(inh: Inherited, task: Task): Inherited['keywords'] {
  return { ...inh.keywords, ...keywordsOf(task) };
}

/** Effective tags of a task: inherited plus its own. */
export function taskTags(inh: Inherited, task: Task): string[] {
  return [...new Set([...inh.tags, ...task.tags])];
}

/** Ansible's tag selection: --tags / --skip-tags with the special tags always, never, all, tagged, untagged. */
export function tagsSelected(tags: string[], only: string[], skip: string[]): boolean {
  const has = (t: string) => tags.includes(t);
  if (skip.length > 0) {
    if (skip.includes('all') && !(has('always') && !skip.includes('always'))) return false;
    if (skip.includes('tagged') && tags.length > 0) return false;
    if (skip.includes('untagged') && tags.length === 0) return false;
    if (tags.some((t) => skip.includes(t))) return false;
  }
  if (only.length === 0) return !has('never');
  if (has('always')) return true;
  if (only.includes('all') && !has('never')) return true;
  if (only.includes('tagged') && tags.length > 0 && !has('never')) return true;
  if (only.includes('untagged') && tags.length === 0) return true;
  return tags.some((t) => only.includes(t));
}
