import { ParseError, type Source } from '../errors.js';
import { parseArgs, type ArgSpecs } from './args.js';
import type { ModuleDef, Plan } from './types.js';
import { abortReason, wait } from '../util/abortable.js';

/**
 * wait_for_connection: retry a trivial command (`true`) on the target until it answers or `timeout`
 * runs out — e.g. after a reboot. A probe that throws (host unreachable) or fails is retried after
 * `sleep` seconds. This relies on the connection opening a fresh session on the next exec after a
 * failed one (the SSH pool reconnects lazily), and on the executor letting this module run even when
 * the host was last seen unreachable.
 */
export interface WaitForConnectionArgs {
  timeout: number;
  delay: number;
  sleep: number;
  connect_timeout: number;
}

const specs: ArgSpecs = {
  timeout: { type: 'int', default: 600 },
  delay: { type: 'int', default: 0 },
  sleep: { type: 'int', default: 1 },
  connect_timeout: { type: 'int', default: 5 },
};

function parse(raw: unknown, where: Source, loadTime: boolean): WaitForConnectionArgs {
  const a = parseArgs<WaitForConnectionArgs>('wait_for_connection', specs, raw, where, loadTime);
  if (!loadTime) {
    for (const k of ['timeout', 'delay', 'sleep', 'connect_timeout'] as const) {
      if (a[k] < 0) throw new ParseError(`wait_for_connection: argument '${k}' must not be negative`, where);
    }
  }
  return a;
}

export const waitForConnectionModule: ModuleDef<WaitForConnectionArgs> = {
  name: 'wait_for_connection',
  parse,
  async plan(a, ctx): Promise<Plan> {
    const start = Date.now();
    const stopped = () => ({ steps: [], failed: true, result: { elapsed: Math.round((Date.now() - start) / 1000) }, msg: abortReason(ctx.signal) });
    if (a.delay > 0 && !(await wait(a.delay * 1000, ctx.signal))) return stopped();
    let last = '';
    for (;;) {
      if (ctx.signal.aborted) return stopped();
      try {
        const r = await ctx.probe('true', { timeoutMs: Math.max(1, a.connect_timeout) * 1000, signal: ctx.signal });
        if (r.rc === 0 && !r.timedOut) {
          return { steps: [], changed: false, result: { elapsed: Math.round((Date.now() - start) / 1000) } };
        }
        last = r.timedOut ? 'command timed out' : r.stderr.trim() || `rc ${r.rc}`;
      } catch (e) {
        last = (e as Error).message;
      }
      const elapsedMs = Date.now() - start;
      if (elapsedMs >= a.timeout * 1000) {
        return {
          steps: [],
          failed: true,
          result: { elapsed: Math.round(elapsedMs / 1000) },
          msg: `timed out waiting for connection to ${ctx.host} after ${a.timeout} seconds: ${last}`,
        };
      }
      if (!(await wait(Math.min(a.sleep || 1, Math.max(0, a.timeout - elapsedMs / 1000)) * 1000, ctx.signal))) return stopped();
    }
  },
};
