import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ParseError, type Source } from '../errors.js';
import { checkArgSpec } from '../modules/control/arg-spec-shape.js';
import type { Vars } from '../types.js';
import { loadYamlFile, sourceOf, sourceOfKey, type YamlWarning } from '../util/yaml.js';
import { toBool } from '../util/bool.js';
import { renderLoadTime } from './load-time.js';
import { roleFile } from './roles.js';

const isDict = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The raw task Ansible puts before a role's tasks (its _create_validation_task), and where its spec is written. */
export interface ValidationTask {
  raw: Record<string, unknown>;
  where: Source;
}

/**
 * The task that validates a role's arguments, as Ansible 2.14's Role._prepend_validation_task builds it
 * when the role has a spec for its entry point (`main`, or tasks_from's name as written): named
 * "Validating arguments against arg spec 'ENTRY' - SHORT_DESCRIPTION", tagged always, running
 * ansible.builtin.validate_argument_spec with the entry point's options and the role's params.
 * Undefined when the role has no spec for it. A malformed spec is a load error naming its file:line.
 */
export function roleValidationTask(rolePath: string, roleName: string, entry: string, params: Vars, warnings: YamlWarning[]): ValidationTask | undefined {
  const specs = loadRoleArgumentSpecs(rolePath, warnings);
  if (!specs) return undefined;
  const spec = specs.specs[entry];
  // Ansible validates only with a non-empty spec for the entry point
  if (spec === undefined || spec === null || (isDict(spec) && Object.keys(spec).length === 0)) return undefined;
  const where = sourceOfKey(specs.specs, entry) ?? specs.where;
  const label = `role '${roleName}' argument spec '${entry}'`;
  if (!isDict(spec)) throw new ParseError(`${label}: must be a dictionary (short_description, options…), got ${JSON.stringify(spec)}`, where);
  let name = `Validating arguments against arg spec '${entry}'`;
  if ('short_description' in spec) {
    if (typeof spec.short_description !== 'string') throw new ParseError(`${label}: 'short_description' must be a string, got ${JSON.stringify(spec.short_description)}`, sourceOfKey(spec, 'short_description') ?? where);
    name += ` - ${spec.short_description}`;
  }
  const options = spec.options === undefined ? {} : spec.options;
  checkArgSpec(options, sourceOfKey(spec, 'options') ?? where, label);
  return {
    raw: {
      action: {
        module: 'ansible.builtin.validate_argument_spec',
        argument_spec: options,
        provided_arguments: params,
        validate_args_context: { type: 'role', name: roleName, argument_spec_name: entry, path: rolePath },
      },
      name,
      tags: ['always'],
    },
    where,
  };
}

/**
 * A role's argument specs (Ansible's _get_role_argspecs): the `argument_specs` of meta/argument_specs.yml
 * (.yaml, .json) when there is such a file — even if it has none — else of meta/main.yml.
 */
export function loadRoleArgumentSpecs(rolePath: string, warnings: YamlWarning[]): { specs: Record<string, unknown>; where: Source } | undefined {
  const own = ['.yml', '.yaml', '.json'].map((ext) => join(rolePath, 'meta', `argument_specs${ext}`)).find((p) => existsSync(p) && statSync(p).isFile());
  const file = own ?? roleFile(rolePath, 'meta');
  if (!file) return undefined;
  const data = loadYamlFile(file, warnings);
  if (data === null) return undefined;
  if (!isDict(data)) {
    if (!own) return undefined; // loadRoleMeta reports a meta/main.yml that is no dictionary
    throw new ParseError("an argument specs file must be a dictionary with the key 'argument_specs'", sourceOf(data) ?? { file });
  }
  const specs = data.argument_specs;
  if (specs === undefined || specs === null) return undefined;
  const where = sourceOfKey(data, 'argument_specs') ?? { file };
  if (!isDict(specs)) throw new ParseError(`'argument_specs' must be a dictionary of entry points (main, or a tasks_from name), got ${JSON.stringify(specs)}`, where);
  return { specs, where };
}

/** include_role/import_role's `rolespec_validate` (default true), rendered when the playbook loads. */
export function roleSpecValidate(action: string, value: unknown, at: Source, scope: () => Vars): boolean {
  const v = typeof value === 'string' ? renderLoadTime(value, `${action}: rolespec_validate`, scope, at) : value;
  const b = toBool(v);
  if (b === undefined) throw new ParseError(`${action}: 'rolespec_validate' must be true or false, got ${JSON.stringify(v)}`, at);
  return b;
}
