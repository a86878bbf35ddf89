import { ParseError, type Source } from '../errors.js';
import { checkCondition } from '../template/expr.js';
import { checkTemplate } from '../template/render.js';
import { sourceOf, sourceOfKey } from '../util/yaml.js';
import type { Vars } from '../types.js';
import { checkKeywords, keywordValue } from './keywords.js';
import type { Inheritable } from './types.js';

/** The keywords of a raw task, block or role entry, checked and converted: tags, lists, vars, conditions, the inherited ones. */

const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

export function tagList(v: unknown, where: Source): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'object' && !Array.isArray(v)) throw new ParseError(`'tags' must be a string or a list of strings, got a dictionary`, where);
  const list = Array.isArray(v) ? v : String(v).split(',');
  return list.map((t) => {
    if (typeof t !== 'string' && typeof t !== 'number') throw new ParseError(`'tags' must be a string or a list of strings, got ${JSON.stringify(t)}`, where);
    return String(t).trim();
  }).filter(Boolean);
}

export function stringList(key: string, v: unknown, where: Source): string[] {
  return asList(v).map((x) => {
    if (typeof x !== 'string') throw new ParseError(`'${key}' must be a string or a list of strings`, where);
    return x;
  });
}

/** Parse-check every string of a value as a template (no variables needed). */
export function checkTemplates(value: unknown, where: Source, context?: string): void {
  if (typeof value === 'string') {
    try {
      checkTemplate(value, where);
    } catch (e) {
      if (e instanceof ParseError && context && !e.context) throw new ParseError(e.message, e.where ?? where, context);
      throw e;
    }
  } else if (Array.isArray(value)) value.forEach((v) => checkTemplates(v, where, context));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => checkTemplates(v, where, context));
}

/** `register:` — the variable a task's (or an include's) result is stored in. */
export function registerName(raw: Record<string, unknown>, where: Source, context: string): string {
  const v = raw.register;
  if (typeof v !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) throw new ParseError(`'register' must be a variable name, got ${JSON.stringify(v)}`, sourceOfKey(raw, 'register') ?? where, context);
  return v;
}

export function conditions(key: string, v: unknown, where: Source, context: string): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  const list = asList(v);
  for (const c of list) {
    try {
      checkCondition(c, where);
    } catch (e) {
      if (e instanceof ParseError) throw new ParseError(`${key}: ${e.message}`, e.where ?? where, context);
      throw e;
    }
  }
  return list;
}

/** `vars:` as Ansible reads it: a dictionary, or a list of dictionaries merged in order; empty is none. */
export function varsDict(v: unknown, where: Source, context?: string): Vars {
  if (v === undefined || v === null) return {};
  if (typeof v === 'object' && !Array.isArray(v)) return v as Vars;
  const parts = Array.isArray(v) ? v : [v];
  const out: Vars = {};
  for (const part of parts) {
    if (part === null || typeof part !== 'object' || Array.isArray(part)) {
      throw new ParseError("'vars' must be a dictionary or a list of dictionaries", sourceOf(part) ?? where, context);
    }
    Object.assign(out, part);
  }
  return out;
}

/** Keywords shared by tasks and blocks (inherited by a block's children). */
const KEYWORD_FIELDS: [keyof Inheritable, string][] = [
  ['become', 'become'], ['becomeUser', 'become_user'], ['becomePassword', 'become_password'],
  ['environment', 'environment'], ['ignoreErrors', 'ignore_errors'], ['ignoreUnreachable', 'ignore_unreachable'],
  ['checkMode', 'check_mode'], ['diff', 'diff'], ['noLog', 'no_log'], ['delegateTo', 'delegate_to'], ['delegateFacts', 'delegate_facts'],
  ['runOnce', 'run_once'], ['anyErrorsFatal', 'any_errors_fatal'], ['throttle', 'throttle'], ['timeout', 'timeout'],
  ['becomeMethod', 'become_method'], ['remoteUser', 'remote_user'], ['port', 'port'], ['connection', 'connection'],
];

/** The keywords (not when, tags, vars) a raw task, block or role entry gives what it contains. */
export function keywordFields(raw: Record<string, unknown>, where: Source, context: string): Partial<Inheritable> {
  const out: Record<string, unknown> = {};
  for (const [field, key] of KEYWORD_FIELDS) {
    if (raw[key] !== undefined) {
      const at = sourceOfKey(raw, key) ?? where;
      checkTemplates(raw[key], at, context);
      // literal values are stored converted (yes → true); templates are converted once rendered
      const value = keywordValue(key, raw[key], at, context, false);
      if (value !== undefined) out[field] = value;
    }
  }
  return out as Partial<Inheritable>;
}

export function inheritable(raw: Record<string, unknown>, where: Source, context: string): Inheritable {
  const vars = raw.vars === undefined ? undefined : varsDict(raw.vars, sourceOfKey(raw, 'vars') ?? where, context);
  checkKeywords(raw, (key) => sourceOfKey(raw, key) ?? where, context);
  const out: Inheritable = { tags: tagList(raw.tags, sourceOfKey(raw, 'tags') ?? where) };
  const when = conditions('when', raw.when, sourceOfKey(raw, 'when') ?? where, context);
  if (when) out.when = when;
  Object.assign(out, keywordFields(raw, where, context));
  if (vars) {
    checkTemplates(vars, where, context);
    out.vars = vars as Vars;
  }
  // a block's or import's notify is its tasks' unless they name their own (as Ansible)
  if (raw.notify !== undefined && raw.notify !== null) out.notify = stringList('notify', raw.notify, sourceOfKey(raw, 'notify') ?? where);
  return out;
}
