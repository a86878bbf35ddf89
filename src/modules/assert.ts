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
/** Ansible's assert action: unless quiet, its result is always shown in full (the callback's _ansible_verbose_always). */
const VERBOSE = { _ansible_verbose_always: true } as const;

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
    for (const cond of args.that) {
      if (!evalCondition(cond, ctx.vars, ctx.where)) {
        return {
          steps: [],
          failed: true,
          msg: args.fail_msg !== undefined ? String(args.fail_msg) : 'Assertion failed',
          result: { assertion: cond, evaluated_to: false, ...(args.quiet ? {} : VERBOSE) },
        };
      }
    }
    return { steps: [], msg: args.quiet ? undefined : String(args.success_msg ?? 'All assertions passed'), ...(args.quiet ? {} : { result: VERBOSE }) };
  },
};
