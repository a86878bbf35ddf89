import { ParseError } from '../errors.js';
import { quote } from '../util/quote.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { FREE_FORM_KEYS, pySplitlines, runFailure } from './command.js';
import type { ExecResult } from '../connection/types.js';
import type { ModuleDef, Outcome, Plan } from './types.js';

/**
 * `raw`: the line as written, run by the login shell over SSH (or `executable -c LINE`) — for targets
 * without Python, which is every tsplay target anyway. As Ansible's raw action: always changed, a
 * non-zero rc fails the task, and under --check it is skipped (it cannot be predicted).
 */
export interface RawArgs {
  _raw_params: string;
  executable?: string;
}

const specs: ArgSpecs = {
  _raw_params: { type: 'str' },
  executable: { type: 'str' },
};

export const rawModule: ModuleDef<RawArgs> = {
  name: 'raw',
  freeForm: true,
  freeFormKeys: FREE_FORM_KEYS,
  parse(raw, where, loadTime) {
    const args = parseArgs<Partial<RawArgs>>('raw', specs, raw, where, loadTime);
    if (args._raw_params === undefined || args._raw_params.trim() === '') throw new ParseError("raw: no command given (write 'raw: COMMAND')", where);
    return args as RawArgs;
  },
  async plan(args): Promise<Plan> {
    const text = args._raw_params;
    return {
      steps: [{ cmd: args.executable ? `${quote(args.executable)} -c ${quote(text)}` : text }],
      changed: true,
      unpredictable: true,
      finish(results: ExecResult[], base: Outcome): Outcome {
        const r = results[0]!;
        const failure = runFailure(r);
        const out: Outcome = { ...base, changed: true, failed: failure !== undefined, rc: r.rc, stdout: r.stdout, stdout_lines: pySplitlines(r.stdout), stderr: r.stderr, stderr_lines: pySplitlines(r.stderr) };
        return failure === undefined ? out : { ...out, msg: failure };
      },
    };
  },
};
