import { abortReason, wait } from '../util/abortable.js';
import { parseArgs } from './args.js';
import type { ModuleDef } from './types.js';

interface PauseArgs {
  seconds?: number;
  minutes?: number;
  prompt?: string;
  echo: boolean;
}

/** pause: wait on the controller. Without a TTY a prompt cannot be answered, so only timed pauses run. */
export const pauseModule: ModuleDef<PauseArgs> = {
  name: 'pause',
  controllerOnly: true,
  parse: (raw, where, loadTime) =>
    parseArgs('pause', { seconds: { type: 'float' }, minutes: { type: 'float' }, prompt: { type: 'str' }, echo: { type: 'bool', default: true } }, raw, where, loadTime),
  async plan(args, ctx) {
    const ms = ((args.minutes ?? 0) * 60 + (args.seconds ?? 0)) * 1000;
    const start = Date.now();
    if (ms > 0) {
      if (!(await wait(ms, ctx.signal))) return { steps: [], failed: true, msg: abortReason(ctx.signal), result: { delta: Math.round((Date.now() - start) / 1000) } };
    } else if (args.prompt !== undefined && !process.stdin.isTTY) {
      return { steps: [], failed: true, msg: 'pause: a prompt needs an interactive terminal; give seconds or minutes instead' };
    } else if (args.prompt !== undefined) {
      process.stdout.write(`[pause] ${args.prompt}: `);
      const line = await new Promise<string>((resolve) => process.stdin.once('data', (d) => resolve(String(d).replace(/\n$/, ''))));
      return { steps: [], result: { user_input: line, start: new Date(start).toISOString(), stop: new Date().toISOString() } };
    }
    return { steps: [], result: { delta: Math.round((Date.now() - start) / 1000), echo: args.echo } };
  },
};
