import { evalCondition } from '../template/expr.js';
import { parseArgs } from './args.js';
import type { ModuleDef } from './types.js';

interface AssertArgs {
  that: unknown[];
  fail_msg?: unknown;
  success_msg?: unknown;
  quiet: boolean;
}

/** assert: every condition of `that` must hold; the first that does not fails the task. */

export const assertModule: ModuleDef<AssertArgs> = {
  name: 'assert',
  controllerOnly: true,
  parse(raw, where, loadTime) {
    const args = parseArgs<AssertArgs>(
      'assert',
      {
        that: { type: 'list', required: true },
        fail_msg: { type: 'raw', aliases: ['msg'] },
        success_msg: { type: 'raw' },
        quiet: { type: 'bool', default: false },
      },
      raw,
      where,
      loadTime,
    );
    if (!Array.isArray(raw && (raw as Record<string, unknown>).that) && typeof (raw as Record<string, unknown>)?.that === 'string') {
      args.that = [(raw as Record<string, unknown>).that]; // a single condition may contain commas
    }
    return args;
  },
  async plan(args, ctx) {
    // As Ansible's assert action: unless quiet, its result is always shown (pretty-printed), ok or failed
    const shown = args.quiet ? {} : { _ansible_verbose_always: true };
    for (const cond of args.that) {
      if (!evalCondition(cond, ctx.vars, ctx.where)) {
        return {
          steps: [],
          failed: true,
          msg: args.fail_msg !== undefined ? String(args.fail_msg) : 'Assertion failed',
          result: { assertion: cond, evaluated_to: false, ...shown },
        };
      }
    }
    return { steps: [], msg: String(args.success_msg ?? 'All assertions passed'), result: shown };
  },
};
