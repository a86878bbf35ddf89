import { ExitCode, TsplayError } from '../errors.js';
import type { Task } from '../playbook/types.js';
import { evalCondition } from '../template/expr.js';
import { lazyVars } from '../template/lazy.js';
import type { PlayContext } from './context.js';
import { clearErrors, type HostCursor, type Outcome } from './cursor.js';
import type { Inherited } from './inherit.js';
import { conditionFalseResult, taskInfo } from './result.js';
import { buildVars } from './vars.js';

const PER_HOST = new Set(['end_host', 'noop', 'reset_connection', 'flush_handlers', 'role_complete']);

/** The action of a meta task (`meta: end_host`). */
export function metaAction(task: Task): string {
  return (typeof task.args === 'string' ? task.args : String((task.args as Record<string, unknown>)._raw_params ?? '')).trim();
}

/**
 * meta actions are cursor operations, not commands on hosts: this says what each host's cursor
 * does (flush_handlers inserts the handler phase, end_host ends the host…); end_batch, end_play and
 * clear_host_errors also change the other hosts' state.
 */
export async function metaOutcomes(ctx: PlayContext, task: Task, hosts: string[], inh: Inherited, handler: boolean, cursors: Map<string, HostCursor>): Promise<Map<string, Outcome>> {
  const action = metaAction(task);
  const conditions = [...inh.when, ...(task.when ?? [])];
  // As Ansible's linear strategy: most meta actions run once, for the batch's first host, so their
  // condition is that host's; end_host, noop, flush_handlers… are per host.
  const perHost = PER_HOST.has(action);
  const candidates = perHost ? hosts : hosts.slice(0, 1);
  const selected = candidates.filter((h) => conditions.every((c) => evalCondition(c, lazyVars(buildVars(ctx, h, inh, task.vars), task.where), task.where)));
  const info = taskInfo(task);
  ctx.emit({ kind: 'task-start', task: info, hosts: candidates, time: new Date().toISOString() });
  // Hosts whose condition was false see the task skipped (reported, not counted, as in Ansible).
  for (const h of candidates) {
    if (!selected.includes(h)) ctx.emit({ kind: 'host-result', task: info, host: h, status: 'skipped', result: conditionFalseResult(), uncounted: true });
  }
  const out = new Map<string, Outcome>(hosts.map((h) => [h, { kind: 'ok' }]));
  switch (action) {
    case 'flush_handlers':
      // As Ansible: notified (and its condition true), it stops the run
      if (handler && selected.length > 0) throw new TsplayError('meta: flush_handlers cannot be used as a handler', { code: ExitCode.error, where: task.where, context: `handler '${info.name}'` });
      for (const h of selected) if (!ctx.state(h).unreachable) out.set(h, { kind: 'flush' });
      break;
    case 'end_play':
      if (selected.length > 0) {
        ctx.stop.play = true;
        for (const h of ctx.batch) if (cursors.has(h) && !ctx.state(h).unreachable) cursors.set(h, { ...cursors.get(h)!, done: 'stopped' });
      }
      break;
    case 'end_batch':
      if (selected.length > 0) {
        ctx.stop.batch = true;
        for (const h of ctx.batch) if (cursors.has(h) && !ctx.state(h).unreachable) cursors.set(h, { ...cursors.get(h)!, done: 'stopped' });
      }
      break;
    case 'end_host':
      for (const h of selected) {
        ctx.state(h).ended = true;
        out.set(h, { kind: 'end_host' });
      }
      break;
    case 'clear_host_errors':
      if (selected.length > 0) {
        for (const h of ctx.batch) {
          const st = ctx.state(h);
          if (st.unreachable) continue;
          if (st.failed || st.stats.failures > 0) st.errorsCleared = true;
          st.failed = false;
          if (cursors.has(h)) cursors.set(h, clearErrors(cursors.get(h)!));
        }
      }
      break;
    case 'refresh_inventory':
      // Later plays see the sources as they are now; this play's hosts stay as they were (as Ansible).
      if (selected.length > 0) await ctx.changes.refreshInventory();
      break;
    default:
      break; // noop, clear_facts, reset_connection: nothing to do here
  }
  // end_play/end_batch ended the hosts above; their step is over
  for (const h of hosts) if (cursors.get(h)?.done) out.delete(h);
  return out;
}
