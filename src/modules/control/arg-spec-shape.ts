import { ParseError, type Source } from '../../errors.js';
import { sourceOfKey } from '../../util/yaml.js';
import { unrendered } from '../args.js';
import { ARG_TYPES } from './arg-spec.js';

const isDict = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * An argument spec's options checked for what Ansible's validator would trip over when the role (or the
 * task) runs — an unknown type, `required` with a `default`, choices or aliases that are no list, checks
 * that are no lists of names — as a load-time error naming the file:line of the key and the option.
 * Keys the validator does not read (description, version_added…) are free. `label` starts the message
 * ("role 'db' argument spec 'main'"); `loadTime`: a value that is still a template passes.
 */
export function checkArgSpec(options: unknown, where: Source, label: string, loadTime = false): void {
  if (unrendered(options, loadTime)) return;
  if (!isDict(options)) throw new ParseError(`${label}: 'options' must be a dictionary of options, got ${JSON.stringify(options)}`, where);
  checkOptions(options, where, label, [], loadTime);
}

function checkOptions(options: Record<string, unknown>, where: Source, label: string, path: string[], loadTime: boolean): void {
  for (const [name, option] of Object.entries(options)) {
    const at = (key?: string) => (key ? sourceOfKey(option, key) : undefined) ?? sourceOfKey(options, name) ?? where;
    const fail = (key: string | undefined, what: string): never => {
      throw new ParseError(`${label}: option '${[...path, name].join(' -> ')}': ${what}`, at(key));
    };
    if (unrendered(option, loadTime)) continue;
    if (!isDict(option)) fail(undefined, `must be a dictionary (type, required, default, choices…), got ${JSON.stringify(option)}`);
    const o = option as Record<string, unknown>;
    const given = (key: string) => o[key] !== undefined && o[key] !== null && !unrendered(o[key], loadTime);
    for (const key of ['type', 'elements'] as const) {
      if (given(key) && !(ARG_TYPES as readonly unknown[]).includes(o[key])) fail(key, `'${key}' must be one of ${ARG_TYPES.join(', ')}, got ${JSON.stringify(o[key])}`);
    }
    if (given('elements') && given('type') && o.type !== 'list') fail('elements', `'elements' is only valid with type list, not ${String(o.type)}`);
    for (const key of ['required', 'apply_defaults', 'no_log'] as const) {
      if (given(key) && typeof o[key] !== 'boolean') fail(key, `'${key}' must be true or false, got ${JSON.stringify(o[key])}`);
    }
    if (o.required === true && given('default')) fail('default', "'required' and 'default' are mutually exclusive (Ansible: internal error: required and default are mutually exclusive)");
    if (given('choices') && !Array.isArray(o.choices)) fail('choices', `'choices' must be a list, got ${JSON.stringify(o.choices)}`);
    if (given('aliases') && !(Array.isArray(o.aliases) && o.aliases.every((a) => typeof a === 'string'))) fail('aliases', `'aliases' must be a list of names, got ${JSON.stringify(o.aliases)}`);
    for (const key of ['mutually_exclusive', 'required_together', 'required_one_of'] as const) {
      if (given(key) && !(Array.isArray(o[key]) && (o[key] as unknown[]).every(isNameList))) fail(key, `'${key}' must be a list of lists of option names`);
    }
    if (given('required_if') && !(Array.isArray(o.required_if) && o.required_if.every(isRequiredIf))) {
      fail('required_if', "'required_if' must be a list of [option, value, [options]] (and optionally true: any one of them)");
    }
    if (given('required_by') && !(isDict(o.required_by) && Object.values(o.required_by).every((v) => typeof v === 'string' || isNameList(v)))) {
      fail('required_by', "'required_by' must be a dictionary of option names to a name or a list of names");
    }
    if (given('options')) {
      if (!isDict(o.options)) fail('options', `'options' must be a dictionary of options, got ${JSON.stringify(o.options)}`);
      checkOptions(o.options as Record<string, unknown>, at('options'), label, [...path, name], loadTime);
    }
  }
}

const isNameList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isRequiredIf = (v: unknown): boolean =>
  Array.isArray(v) && (v.length === 3 || v.length === 4) && typeof v[0] === 'string' && isNameList(v[2]) && (v.length === 3 || typeof v[3] === 'boolean');
