import { ArgumentError, parseArgs, unrendered } from '../args.js';
import type { ModuleDef } from '../types.js';
import { pyClass, validateArguments } from './arg-spec.js';
import { checkArgSpec } from './arg-spec-shape.js';

interface ValidateArgs {
  argument_spec: Record<string, unknown>;
  provided_arguments: Record<string, unknown>;
  validate_args_context: Record<string, unknown>;
}

const isDict = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * ansible.builtin.validate_argument_spec (Ansible's action plugin, on the controller): checks
 * `provided_arguments` merged over the task's variables named in `argument_spec` (templated as the task
 * sees them) against the spec, with Ansible's ArgumentSpecValidator (arg-spec.ts). Nothing is set: the
 * spec's defaults are not given to any variable, as in Ansible. A role with a spec for its entry point
 * gets a task of this module before its own tasks (playbook/argument-specs.ts).
 */
export const validateArgumentSpecModule: ModuleDef<ValidateArgs> = {
  name: 'validate_argument_spec',
  controllerOnly: true,
  parse(raw, where, loadTime) {
    const args = parseArgs<ValidateArgs>(
      'validate_argument_spec',
      { argument_spec: { type: 'raw', required: true }, provided_arguments: { type: 'raw', default: {} }, validate_args_context: { type: 'raw', default: {} } },
      raw,
      where,
      loadTime,
    );
    // as the action says it when the task runs
    for (const key of ['argument_spec', 'provided_arguments'] as const) {
      const v = args[key];
      if (!unrendered(v, loadTime) && !isDict(v)) {
        const msg = `Incorrect type for ${key}, expected dict and got ${pyClass(v).replace("ansible.parsing.yaml.objects.AnsibleUnicode", 'str')}`;
        throw new ArgumentError(`validate_argument_spec: ${msg}`, msg, where);
      }
    }
    checkArgSpec(args.argument_spec, where, 'validate_argument_spec: argument_spec', loadTime);
    return args;
  },
  async plan(args, ctx) {
    // Ansible's get_args_from_task_vars: the spec's options that are variables of the task, templated
    const fromVars: Record<string, unknown> = {};
    for (const name of Object.keys(args.argument_spec)) if (name in ctx.vars) fromVars[name] = ctx.vars[name];
    const errors = validateArguments(args.argument_spec, { ...fromVars, ...args.provided_arguments });
    const context = { validate_args_context: args.validate_args_context };
    if (errors.length > 0) {
      return { steps: [], failed: true, msg: `Validation of arguments failed:\n${errors.join('\n')}`, result: { ...context, argument_spec_data: args.argument_spec, argument_errors: errors } };
    }
    return { steps: [], msg: 'The arg spec validation passed', result: context };
  },
};
