import { ParseError, type Source } from '../errors.js';
import type { ModuleDef } from '../modules/types.js';
import { splitFreeForm } from '../util/shlex.js';
import type { Vars } from '../types.js';

/** A module's arguments: its action's (free-form, k=v or a dictionary) over the task's `args:` keyword. */
export function moduleArgs(mod: ModuleDef, actionArgs: unknown, extraArgs: Vars | undefined, where: Source, context: string): unknown {
  const args = normaliseArgs(mod.name, mod.freeForm ? (mod.freeFormKeys ?? []) : undefined, actionArgs, where, context);
  return extraArgs ? { ...extraArgs, ...(args as Vars) } : args;
}

/**
 * `command: ls creates=/x` or `copy: src=a dest=b` → an argument dictionary. `freeFormKeys`: the module
 * takes a free-form line, from which these k=v words are taken out (undefined: the line is all k=v).
 */
export function normaliseArgs(module: string, freeFormKeys: readonly string[] | undefined, value: unknown, where: Source, context: string): unknown {
  if (value === null || value === undefined) return {};
  if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value);
    if (freeFormKeys) {
      try {
        const { raw, options } = splitFreeForm(text, freeFormKeys);
        return { _raw_params: raw, ...options };
      } catch (e) {
        throw new ParseError((e as Error).message, where, context);
      }
    }
    return parseKeyValue(text, where, context);
  }
  if (typeof value !== 'object' || Array.isArray(value)) throw new ParseError(`arguments of '${module}' must be a dictionary`, where, context);
  return value;
}

/** Ansible's `k=v k2="v 2"` argument form. */
export function parseKeyValue(text: string, where: Source, context: string): Vars {
  const out: Vars = {};
  // A value is quoted text, or a run of non-space characters in which {{ ... }} stays whole (spaces and all).
  // A key is a name, or holds templates (`{{ item.key }}=…`: parse_kv splits it here, the module renders
  // it when the task runs, as set_fact does).
  const re = /\s*((?:[A-Za-z_]|\{\{[\s\S]*?\}\})(?:[A-Za-z0-9_]|\{\{[\s\S]*?\}\})*)=("(?:[^"\\]|\\.)*"|'[^']*'|(?:\{\{[\s\S]*?\}\}|\{(?!\{)|[^\s{])*)/y;
  let pos = 0;
  const s = text.trim();
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) throw new ParseError(`cannot read arguments ${JSON.stringify(text)}: expected key=value`, where, context);
    let v = m[2]!;
    if (/^".*"$/.test(v)) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (/^'.*'$/.test(v)) v = v.slice(1, -1);
    out[m[1]!] = v;
    pos = re.lastIndex;
    while (pos < s.length && /\s/.test(s[pos]!)) pos++;
  }
  return out;
}
