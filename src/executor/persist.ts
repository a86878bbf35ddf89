import type { PlayContext } from './context.js';

/**
 * Hand a host's restorable state (registered values, set_facts, notifications not yet handled) to the
 * run's keeper: the state file that --resume restores from, so it must be called whenever that changed.
 */
export function saveHost(ctx: PlayContext, host: string): void {
  const save = ctx.opts.hooks?.saveHost;
  if (!save) return;
  const st = ctx.state(host);
  const names = [...new Set([...st.notified, ...st.unhandled])];
  save(host, { vars: st.hostFacts, ...(st.hidden.size > 0 ? { hidden: [...st.hidden] } : {}), ...(names.length > 0 ? { notified: { play: ctx.playIndex, section: ctx.section ?? 'tasks', names } } : {}) });
}
