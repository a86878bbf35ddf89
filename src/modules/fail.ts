import { parseArgs } from './args.js';
import type { ModuleDef } from './types.js';

/** fail: stop this host with a message. */
export const failModule: ModuleDef<{ msg: string }> = {
  name: 'fail',
  controllerOnly: true,
  parse: (raw, where, loadTime) => parseArgs('fail', { msg: { type: 'raw', default: 'Failed as requested from task' } }, raw, where, loadTime),
  async plan(args) {
    return { steps: [], failed: true, msg: typeof args.msg === 'string' ? args.msg : JSON.stringify(args.msg) };
  },
};
