import type { PlayContext } from './context.js';
import { fromPlay, type Inherited } from './inherit.js';
import { walkItems } from './walk.js';
import type { Task } from '../playbook/types.js';
import { saveHost } from './persist.js';

/** Does a notification name this handler (by its name, its role-qualified name, or a listen topic)? */
function handlerMatches(handler: Task, topic: string): boolean {
  if (handler.name === topic || handler.listen.includes(topic)) return true;
  return handler.role !== undefined && handler.name !== undefined && `${handler.role.name} : ${handler.name}` === topic;
}

/**
 * Run notified handlers, once each, in `handlers:` order, on the hosts that notified them.
 * A host that failed after notifying gets no handlers unless force_handlers.
 * A handler may notify a later handler in the same flush.
 */
export async function flushHandlers(ctx: PlayContext, hosts: string[], force: boolean): Promise<void> {
  for (const handler of ctx.handlers) {
    if (ctx.stop.run && !force) return;
    const notified = hosts.filter((h) => {
      const st = ctx.state(h);
      if (st.unreachable || st.ended) return false;
      if (st.failed && !force) return false;
      return [...st.notified].some((topic) => handlerMatches(handler, topic));
    });
    if (notified.length === 0) continue;
    const inh: Inherited = { ...fromPlay(ctx.play), allowFailed: force ? new Set(notified) : new Set() };
    await walkItems(ctx, [handler], notified, inh, () => {});
  }
  // Notifications for hosts that may not run handlers are dropped, as in Ansible; a failed host's
  // are kept for the state file: a resumed run runs them.
  for (const h of hosts) {
    const st = ctx.state(h);
    if (st.failed && !st.unreachable && !force) for (const n of st.notified) st.unhandled.add(n);
    st.notified.clear();
    saveHost(ctx, h);
  }
}

/** Every notify must name a handler (by name or listen topic): checked before any host is contacted. */
export function unknownNotifications(tasks: Task[], handlers: Task[]): { task: Task; name: string }[] {
  const out: { task: Task; name: string }[] = [];
  for (const t of tasks) for (const n of t.notify) if (!handlers.some((h) => handlerMatches(h, n))) out.push({ task: t, name: n });
  return out;
}
