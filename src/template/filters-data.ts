import { load as yamlLoad } from 'js-yaml';
import { TsplayError } from '../errors.js';
import { simple, str1, text, type FuncDef } from './func-args.js';
import { pyJson, pyYaml } from './pyformat.js';
import { toInt, truthy } from './values.js';

/** Filters that encode and decode data: JSON, YAML, base64. */

function b64decode(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}

export const DATA_FILTERS: Record<string, FuncDef> = {
  to_json: { min: 0, max: 0, kwargs: ['indent', 'sort_keys', 'ensure_ascii', 'separators'], fn: (v, _a, kw) => pyJson(v, {
    indent: kw.indent === undefined ? undefined : toInt(kw.indent), sortKeys: truthy(kw.sort_keys),
    ascii: kw.ensure_ascii === undefined ? true : truthy(kw.ensure_ascii),
    separators: Array.isArray(kw.separators) ? [String(kw.separators[0]), String(kw.separators[1])] : undefined,
  }) },
  to_nice_json: { min: 0, max: 0, kwargs: ['indent', 'sort_keys'], fn: (v, _a, kw) =>
    pyJson(v, { indent: kw.indent === undefined ? 4 : toInt(kw.indent), sortKeys: kw.sort_keys === undefined ? true : truthy(kw.sort_keys), separators: [',', ': '], ascii: true }) },
  from_json: simple((v) => {
    try {
      return JSON.parse(text('from_json', v));
    } catch (e) {
      throw new TsplayError(`from_json: ${(e as Error).message}`);
    }
  }),
  to_yaml: { min: 0, max: 0, kwargs: ['indent', 'default_flow_style'], fn: (v, _a, kw) =>
    pyYaml(v, { indent: kw.indent === undefined ? 2 : toInt(kw.indent), flowLeaves: kw.default_flow_style !== false }) },
  to_nice_yaml: { min: 0, max: 0, kwargs: ['indent'], fn: (v, _a, kw) => pyYaml(v, { indent: kw.indent === undefined ? 4 : toInt(kw.indent) }) },
  from_yaml: simple((v) => {
    try {
      return yamlLoad(text('from_yaml', v));
    } catch (e) {
      throw new TsplayError(`from_yaml: ${(e as Error).message.split('\n')[0]}`);
    }
  }),
  b64encode: str1('b64encode', (s) => Buffer.from(s, 'utf8').toString('base64')),
  b64decode: str1('b64decode', b64decode),
};
