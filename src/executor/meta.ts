import type { Task } from '../playbook/types.js';
import { evalCondition } from '../template/expr.js';
import { lazyVars } from '../template/lazy.js';
import type { PlayContext } from './context.js';
import { flushHandlers } from './handlers.js';
import type { Inherited } from './inherit.js';
import { taskInfo } from './result.js';
import { buildVars } from './vars.js';

const PER_HOST = new Set(['end_host', 'noop', 'reset_connection', 'flush_handlers', 'role_complete']);

/** meta actions change the executor's own state; they are not run on hosts. */
export async function runMeta(ctx: PlayContext, task: Task, hosts: string[], inh: Inherited): Promise<Set<string>> {
  const action = (typeof task.args === 'string' ? task.args : String((task.args as Record<string, unknown>)._raw_params ?? '')).trim();
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
    if (!selected.includes(h)) ctx.emit({ kind: 'host-result', task: info, host: h, status: 'skipped', result: { changed: false, skipped: true, skip_reason: 'Conditional result was False' }, uncounted: true });
  }
  switch (action) {
    case 'flush_handlers':
      await flushHandlers(ctx, ctx.batch, ctx.opts.forceHandlers || ctx.play.forceHandlers);
      break;
    case 'end_play':
      if (selected.length > 0) ctx.stop.play = true;
      break;
    case 'end_batch':
      if (selected.length > 0) ctx.stop.batch = true;
      break;
    case 'end_host':
      for (const h of selected) ctx.state(h).ended = true;
      break;
    case 'clear_host_errors':
      for (const h of ctx.batch) {
        const st = ctx.state(h);
        if (st.failed && !st.unreachable) st.failed = false;
      }
      break;
    default:
      break; // noop, refresh_inventory, clear_facts, reset_connection: nothing to do here
  }
  return new Set();
}
