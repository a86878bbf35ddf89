import { readFileSync } from 'node:fs';
import { TsplayError, ExitCode } from '../errors.js';
import type { Vars } from '../types.js';
import { loadYamlText } from '../util/yaml.js';
import { shellSplit } from '../util/shlex.js';

/** One -e value: `k=v k2="v 2"`, a JSON/YAML document, or `@file` (YAML or JSON). Later -e win. */
export function parseExtraVars(values: string[]): Vars {
  const out: Vars = {};
  for (const value of values) Object.assign(out, parseOne(value));
  return out;
}

function parseOne(value: string): Vars {
  const v = value.trim();
  if (v.startsWith('@')) {
    const file = v.slice(1);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new TsplayError(`extra vars file not found: ${file}`, { code: ExitCode.error });
    }
    return asDict(loadYamlText(text, file), file);
  }
  if (v.startsWith('{') || v.startsWith('[')) return asDict(loadYamlText(v, '--extra-vars'), '--extra-vars');
  const out: Vars = {};
  let words: string[];
  try {
    words = shellSplit(v);
  } catch (e) {
    throw new TsplayError(`invalid --extra-vars ${JSON.stringify(value)}: ${(e as Error).message}`, { code: ExitCode.badOptions });
  }
  for (const w of words) {
    const i = w.indexOf('=');
    if (i <= 0) throw new TsplayError(`invalid --extra-vars ${JSON.stringify(w)}: expected key=value, JSON, or @file`, { code: ExitCode.badOptions });
    out[w.slice(0, i)] = w.slice(i + 1);
  }
  return out;
}

function asDict(data: unknown, file: string): Vars {
  if (data === null) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new TsplayError('extra vars must be a dictionary', { code: ExitCode.badOptions, where: { file } });
  return data as Vars;
}
