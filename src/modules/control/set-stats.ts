import { ParseError } from '../../errors.js';
import { parseArgs, unrendered } from '../args.js';
import type { ModuleDef } from '../types.js';

interface SetStatsArgs {
  data: Record<string, unknown>;
  per_host: boolean;
  aggregate: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * ansible.builtin.set_stats: custom stats for the recap (shown when ANSIBLE_SHOW_CUSTOM_STATS is on,
 * and in --json's custom_stats/global_custom_stats). The executor applies the result's `ansible_stats`:
 * per host or for the run (`per_host`, default false), added to earlier values or replacing them (`aggregate`).
 */
export const setStatsModule: ModuleDef<SetStatsArgs> = {
  name: 'set_stats',
  controllerOnly: true,
  parse(raw, where, loadTime) {
    const args = parseArgs<SetStatsArgs>('set_stats', { data: { type: 'raw', default: {} }, per_host: { type: 'bool', default: false }, aggregate: { type: 'bool', default: true } }, raw, where, loadTime);
    if (unrendered(args.data, loadTime)) return args;
    if (args.data === null || typeof args.data !== 'object' || Array.isArray(args.data)) throw new ParseError("set_stats: The 'data' option needs to be a dictionary/hash", where);
    for (const k of Object.keys(args.data)) {
      if (!NAME.test(k) && !unrendered(k, loadTime)) {
        throw new ParseError(`set_stats: The variable name '${k}' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.`, where);
      }
    }
    return args;
  },
  async plan(args) {
    return { steps: [], result: { ansible_stats: { data: args.data, per_host: args.per_host, aggregate: args.aggregate } } };
  },
};
