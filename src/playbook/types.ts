import type { Source } from '../errors.js';
import type { Vars } from '../types.js';

/** Keywords a task, block, role or play can set and its children inherit. */
export interface Inheritable {
  when?: unknown[];
  become?: unknown;
  becomeUser?: unknown;
  becomePassword?: unknown;
  environment?: unknown;
  ignoreErrors?: unknown;
  ignoreUnreachable?: unknown;
  checkMode?: unknown;
  diff?: unknown;
  noLog?: unknown;
  delegateTo?: unknown;
  /** With delegate_to: facts the task returns (set_fact, setup…) go to the delegated host. */
  delegateFacts?: unknown;
  runOnce?: unknown;
  anyErrorsFatal?: unknown;
  throttle?: unknown;
  timeout?: unknown;
  /** become_method: sudo or su (validated at load time; a template is checked once rendered). */
  becomeMethod?: unknown;
  /** Connection keywords: the defaults for ansible_user, ansible_port, ansible_connection. */
  remoteUser?: unknown;
  port?: unknown;
  connection?: unknown;
  vars?: Vars;
  tags: string[];
  /** Handlers to notify when a task changes something (a block's is inherited by tasks naming none). */
  notify?: string[];
}

/** The role a task came from: its name, dir, defaults and vars, and its params (role-param precedence). */
export interface RoleInstance {
  name: string;
  path: string;
  defaults: Vars;
  vars: Vars;
  params: Vars;
  /** The role entry's own `vars:` (also in params): shown to the whole play with the role's vars, as Ansible's role.vars. */
  entryVars?: Vars;
  /** Its meta dependencies, in the order they run (their defaults and vars come before its own). */
  deps?: RoleInstance[];
  /** An import_role's: which use of the role it is, as Ansible's role cache tells them (roleUseKey). */
  useKey?: string;
}

/**
 * One use of a role by import_role/include_role as Ansible's role cache (ROLE_CACHE) tells uses apart:
 * the role, its params, the task's `vars:` and `*_from` names as written. Uses with the same key are
 * one role, which include_role's allow_duplicates: false does not run again on a host.
 */
export function roleUseKey(role: RoleInstance, vars: Vars | undefined, from: Vars | undefined): string {
  return JSON.stringify([role.path, role.params, vars ?? {}, from ?? {}]);
}

export interface Task extends Inheritable {
  kind: 'task';
  /** Where it is written, after the include/role sites that brought it in: "site.yml:12>roles/db/tasks/main.yml:3" (identity.ts). */
  id: string;
  name?: string;
  /** Canonical module name. */
  module: string;
  /** The action as written (`ansible.builtin.set_fact`, `shell` for `action: shell …`): Ansible's
   * task.action, shown for an unnamed task and given as ansible_failed_task.action. Absent: `module`. */
  action?: string;
  /** Arguments as written (may contain templates). */
  args: unknown;
  /**
   * `action: "{{ … }}"`: the module is chosen when the task runs (executor/chosen-module.ts); `module`
   * is the template as written, `args` the action's arguments as written, `extraArgs` its `args:` keyword.
   */
  moduleTemplate?: { extraArgs?: Vars };
  where: Source;
  register?: string;
  loop?: unknown;
  loopControl?: { loopVar: string; label?: unknown; indexVar?: string; pause?: number; extended?: boolean; extendedAllitems?: boolean };
  notify: string[];
  listen: string[];
  changedWhen?: unknown[];
  failedWhen?: unknown[];
  until?: unknown[];
  retries?: unknown;
  delay?: unknown;
  /** `async:` seconds and `poll:` seconds (may be templates; poll defaults to 15 as in Ansible). */
  async?: unknown;
  poll?: unknown;
  role?: RoleInstance;
  /** Handler tasks. */
  handler?: boolean;
  /**
   * Handlers: the block of handlers it belongs to, as Ansible's loader groups them (a run of tasks,
   * imports and includes in one handlers file is one block; an explicit `block:` is its own). A notify
   * by name searches the blocks last to first and each block first to last.
   */
  handlerBlock?: string;
  /** Handlers: a task of an include_tasks/include_role handler (this names the include): notified through the include only, not by its own name or listen topics. */
  includedBy?: string;
  /** The first step of an include used as a handler: reports the include's own result (Ansible's `included:`), runs nothing. */
  includeResult?: NonNullable<Block['include']>;
}

export interface Block extends Inheritable {
  kind: 'block';
  id: string;
  name?: string;
  where: Source;
  block: Item[];
  rescue: Item[];
  always: Item[];
  role?: RoleInstance;
  /** An import_tasks/import_role: its items are the top level of another file. */
  imported?: boolean;
  /** A dynamic include (include_tasks/include_role): its `when` is evaluated once, not inherited. */
  include?: {
    module: string;
    params: Vars;
    loop?: unknown;
    loopControl?: Task['loopControl'];
    /** How Ansible names the include's own result line: its name, else the action as written (`include_role : NAME` for roles). */
    display: string;
    /** The file or role it brings in, as written (the console's `included:` line). */
    target: string;
    /** Its name needs run-time values (or its target is missing under a `when`): each host decides it when it gets there. */
    deferred?: DeferredInclude;
    /** `apply:` — keywords given to the included tasks (a block around them, as Ansible's parent block). */
    apply?: Inheritable;
    /** include_role's `public:` as written (may be a template): once included, the role's defaults and vars are the whole play's. */
    public?: unknown;
    /** include_role's `allow_duplicates:` as written (may be a template): false passes the role's tasks by on a host it already ran on. */
    allowDuplicates?: unknown;
    /** include_role's `tasks_from`/`vars_from`/`defaults_from`/`handlers_from` as written. */
    roleFrom?: Vars;
    /** `register:` — the variable the include's own result is stored in (Ansible's TaskInclude keyword). */
    register?: string;
    /** `listen:` — topics of an include used as a handler (besides its name). */
    listen?: string[];
  };
}

/**
 * An include_tasks/include_role decided per host at run time, as Ansible decides dynamic includes:
 * the names as written, rendered with the host's vars when it reaches the include (per loop item), and
 * the loader that brings in what they name, validated as at load time. Keys are the rendered names
 * (JSON); a cursor frame keeps them, so --resume loads the same file again.
 */
export interface DeferredInclude {
  /** `file` (include_tasks) or `name` and `tasks_from` (include_role), as written (templates). */
  names: Record<string, string>;
  /** Load what rendered names (a key from `keyOf`) bring in, task ids under `idPrefix`. Cached per key; throws ParseError. */
  load(key: string, idPrefix: string): LoadedInclude;
}

export interface LoadedInclude {
  items: Item[];
  /** The file included (include_tasks) or the role's path (include_role). */
  file: string;
  /** Handlers of a role loaded for the first time here (they join the play's). */
  handlers: Task[];
  /** Load-time warnings of what was loaded (file:line: message). */
  warnings: string[];
}

export type Item = Task | Block;

export interface Play extends Inheritable {
  name: string;
  where: Source;
  hosts: string | string[];
  gatherFacts: unknown;
  /** The condition of the import_playbook that brought the play in, on its fact gathering (its tasks carry it in their own `when`). */
  gatherWhen?: unknown[];
  serial?: unknown;
  maxFailPercentage?: unknown;
  order: 'inventory' | 'reverse_inventory' | 'sorted' | 'reverse_sorted' | 'shuffle';
  strategy: 'linear' | 'free';
  /** Unset: --force-handlers decides; set in the play, it wins over the CLI flag (Ansible's default is the CLI value). */
  forceHandlers?: boolean;
  varsFiles: Vars;
  /**
   * Roles whose defaults and vars every task of the play sees (Ansible's play.get_roles()): the
   * `roles:` entries, then each import_role as loaded. A public include_role adds its role when it runs.
   */
  roles: RoleInstance[];
  preTasks: Item[];
  tasks: Item[];
  postTasks: Item[];
  handlers: Task[];
  /** The playbook's directory (playbook_dir, group_vars/host_vars beside it). */
  dir: string;
  /** Play-level guard: setup/precheck/teardown tasks and a per-host deadline. */
  guard?: Guard;
}

export interface Playbook {
  file: string;
  plays: Play[];
  warnings: string[];
}

/**
 * A play-level guard (tsplay's own keyword): what must hold around a rolling change.
 * setup runs once before the first batch, precheck on each batch's hosts before they are touched,
 * host_deadline bounds each host's time through the play, teardown runs once at the end, always.
 */
export interface Guard {
  name: string;
  where: Source;
  setup: Item[];
  precheck: Item[];
  teardown: Item[];
  /** Seconds (may be a template). */
  hostDeadline?: unknown;
}
