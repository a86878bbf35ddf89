import { parseArgs } from '../args.js';
import type { ModuleDef } from '../types.js';

/**
 * ansible.builtin.ping: proves tsplay can log in and run a command on the host (with the task's become).
 * Returns `ping: DATA` (default "pong"); `data: crash` fails on purpose, as Ansible's does.
 */
export const pingModule: ModuleDef<{ data: string }> = {
  name: 'ping',
  parse(raw, where, loadTime) {
    return parseArgs('ping', { data: { type: 'str', default: 'pong' } }, raw, where, loadTime);
  },
  async plan(args, ctx) {
    const r = await ctx.probe('true');
    if (r.rc !== 0) return { steps: [], failed: true, msg: r.stderr.trim() || `the host's shell returned ${r.rc}`, result: { rc: r.rc } };
    if (args.data === 'crash') {
      return { steps: [], failed: true, msg: 'MODULE FAILURE\nSee stdout/stderr for the exact error', result: { module_stderr: 'Exception: boom', module_stdout: '', rc: 1 } };
    }
    return { steps: [], result: { ping: args.data } };
  },
};
