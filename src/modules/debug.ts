import { ParseError } from '../errors.js';
import { compileExpr } from '../template/expr.js';
import { isUnsafeMember } from '../template/unsafe.js';
import { parseArgs } from './args.js';
import type { ModuleDef } from './types.js';

interface DebugArgs {
  msg?: unknown;
  var?: string;
  verbosity: number;
  /** `var` was rendered from an !unsafe value: not an expression to evaluate. */
  varUnsafe?: boolean;
}

/** debug: print a message or a variable (an expression, as in Ansible). Never changes anything. */
export const debugModule: ModuleDef<DebugArgs> = {
  name: 'debug',
  controllerOnly: true,
  parse(raw, where, loadTime) {
    const args = parseArgs<DebugArgs>('debug', { msg: { type: 'raw' }, var: { type: 'str' }, verbosity: { type: 'int', default: 0 } }, raw, where, loadTime);
    if (args.msg !== undefined && args.var !== undefined) throw new ParseError("debug: 'msg' and 'var' are mutually exclusive", where);
    if (args.var !== undefined && !loadTime && isUnsafeMember(raw, 'var')) return { ...args, varUnsafe: true };
    if (args.var !== undefined && !loadTime) compileExpr(args.var, where);
    return args;
  },
  async plan(args, ctx) {
    // below its verbosity the task is skipped, as Ansible's debug action does
    if (args.verbosity > (ctx.verbosity ?? 0)) return { steps: [], result: { skipped: true, skipped_reason: 'Verbosity threshold not met.' } };
    if (args.var !== undefined && args.varUnsafe) {
      // As Ansible: an unsafe name is not templated; it tries "{{" + name + "}}", still unsafe, so that text.
      return { steps: [], result: { [args.var]: `{{${args.var}}}` } };
    }
    if (args.var !== undefined) {
      let value: unknown;
      try {
        value = compileExpr(args.var, ctx.where).evaluate(ctx.vars);
      } catch {
        value = 'VARIABLE IS NOT DEFINED!';
      }
      return { steps: [], result: { [args.var]: value } };
    }
    return { steps: [], result: { msg: args.msg ?? 'Hello world!' } };
  },
};
