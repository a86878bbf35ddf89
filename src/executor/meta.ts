import type { Task } from '../playbook/types.js';
import { evalCondition } from '../template/expr.js';
import { lazyVars } from '../template/lazy.js';
import type { PlayContext } from './context.js';
import { flushHandlers } from './handlers.js';
import type { Inherited } from './inherit.js';
import { taskInfo } from './result.js';
import { buildVars } from './vars.js';

/** meta actions change the executor's own state; they are not run on hosts. */
export async function runMeta(ctx: PlayContext, task: Task, hosts: string[], inh: Inherited): Promise<Set<string>> {
  const action = (typeof task.args === 'string' ? task.args : String((task.args as Record<string, unknown>)._raw_params ?? '')).trim();
  const conditions = [...inh.when, ...(task.when ?? [])];
  const selected = hosts.filter((h) => conditions.every((c) => evalCondition(c, lazyVars(buildVars(ctx, h, inh, task.vars), task.where), task.where)));
  const info = taskInfo(task);
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
      for (const h of selected) {
        ctx.state(h).ended = true;
        ctx.emit({ kind: 'host-result', task: info, host: h, status: 'skipped', result: { changed: false, skipped: true, msg: 'end_host conditional evaluated to True, ending host' } });
      }
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
