import { ParseError } from '../errors.js';
import type { ModuleDef } from './types.js';

export const META_ACTIONS = ['flush_handlers', 'end_play', 'end_host', 'end_batch', 'clear_host_errors', 'noop', 'refresh_inventory', 'clear_facts', 'reset_connection'] as const;
export type MetaAction = (typeof META_ACTIONS)[number];

/** meta: control actions carried out by the executor itself (flush_handlers, end_play …). */
export const metaModule: ModuleDef<{ action: MetaAction }> = {
  name: 'meta',
  freeForm: true,
  controllerOnly: true,
  parse(raw, where) {
    const action = typeof raw === 'string' ? raw : (raw as Record<string, unknown> | null)?._raw_params;
    if (typeof action !== 'string' || !(META_ACTIONS as readonly string[]).includes(action.trim())) {
      throw new ParseError(`meta: unknown action ${JSON.stringify(action)} (known: ${META_ACTIONS.join(', ')})`, where);
    }
    return { action: action.trim() as MetaAction };
  },
  async plan() {
    return { steps: [] };
  },
};
