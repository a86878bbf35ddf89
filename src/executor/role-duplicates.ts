import { roleUseKey, type Block, type RoleInstance, type Task } from '../playbook/types.js';
import type { Vars } from '../types.js';
import type { HostStatus } from '../report/events.js';
import { keywordValue } from '../playbook/keywords.js';
import { renderValue } from '../template/render.js';
import type { PlayContext } from './context.js';

/**
 * include_role's `allow_duplicates: false`, as Ansible 2.14 applies it: an include_role reuses the
 * play's role of the same name, role params, `vars:` and `*_from` files (its ROLE_CACHE), and when that
 * role has already run on a host (a task of it was ok, changed, failed or ignored there, not skipped:
 * Role._had_task_run) the linear strategy passes its tasks by for that host (Role.has_run). Per play.
 */
export interface RolesRun {
  /** The identity of each role an include_role brought in (several includes may share one). */
  keys: Map<RoleInstance, string>;
  /** Per identity, the hosts a task of it ran on. */
  ran: Map<string, Set<string>>;
}

const rolesRun = (ctx: PlayContext): RolesRun => (ctx.rolesRun ??= { keys: new Map(), ran: new Map() });

/** The role block an include brought in, or the one inside its `apply:` block. */
export function includedRole(items: Block['block']): Block | undefined {
  const first = items[0];
  if (first?.kind !== 'block') return undefined;
  return first.role ? first : first.block[0]?.kind === 'block' && first.block[0].role ? first.block[0] : undefined;
}

/**
 * Whether an include_role brings its role's tasks to this host: false when it says
 * `allow_duplicates: false` (rendered with the host's vars) and the same role already ran there. It
 * records the role's identity either way, so that its tasks' results count for later includes.
 */
export function includeRoleRuns(ctx: PlayContext, block: Block, roleBlock: Block | undefined, host: string, scope: Vars): boolean {
  const include = block.include!;
  const role = roleBlock?.role;
  if (!role || !include.module.endsWith('_role')) return true;
  const key = roleUseKey(role, include.params, include.roleFrom);
  const run = rolesRun(ctx);
  run.keys.set(role, key);
  const raw = include.allowDuplicates;
  if (raw === undefined) return true;
  const allowed = keywordValue('allow_duplicates', typeof raw === 'string' ? renderValue(raw, scope, block.where) : raw, block.where, include.module);
  return allowed === true || !run.ran.get(key)?.has(host);
}

/** A task's result on a host: a task of an included role that was not skipped marks the role as run there. */
export function noteRoleTask(ctx: PlayContext, task: Task, host: string, status: HostStatus): void {
  if (!task.role || status === 'skipped' || status === 'unreachable') return;
  const key = task.role.useKey ?? ctx.rolesRun?.keys.get(task.role);
  if (key === undefined) return;
  const ran = rolesRun(ctx).ran;
  let hosts = ran.get(key);
  if (!hosts) ran.set(key, (hosts = new Set()));
  hosts.add(host);
}
