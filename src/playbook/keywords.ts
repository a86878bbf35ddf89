import { ParseError, type Source } from '../errors.js';
import { toBool } from '../util/bool.js';

/** The keywords tsplay accepts, as Ansible names them. Anything else at these levels is an error. */

export const PLAY_KEYWORDS = new Set([
  'name', 'hosts', 'gather_facts', 'vars', 'vars_files', 'pre_tasks', 'roles', 'tasks', 'post_tasks', 'handlers',
  'serial', 'max_fail_percentage', 'any_errors_fatal', 'order', 'strategy', 'become', 'become_user', 'become_method',
  'become_password', 'environment', 'tags', 'force_handlers', 'ignore_errors', 'ignore_unreachable', 'check_mode',
  'diff', 'no_log', 'throttle', 'timeout', 'gather_subset', 'gather_timeout', 'remote_user', 'connection', 'guard',
  'collections', 'module_defaults', 'run_once', 'vars_prompt', 'debugger', 'port',
]);

/** Keywords of a task (besides its module). */
export const TASK_KEYWORDS = new Set([
  'name', 'args', 'when', 'register', 'loop', 'loop_control', 'with_items', 'with_list', 'with_dict', 'with_indexed_items',
  'notify', 'listen', 'changed_when', 'failed_when', 'ignore_errors', 'ignore_unreachable', 'until', 'retries', 'delay',
  'delegate_to', 'delegate_facts', 'run_once', 'become', 'become_user', 'become_method', 'become_password', 'tags',
  'check_mode', 'diff', 'timeout', 'no_log', 'environment', 'vars', 'throttle', 'any_errors_fatal', 'local_action',
  'action', 'collections', 'module_defaults', 'debugger', 'remote_user', 'connection', 'port', 'async', 'poll',
]);

/** Keywords of a block (besides block/rescue/always). */
export const BLOCK_KEYWORDS = new Set([
  'name', 'block', 'rescue', 'always', 'when', 'become', 'become_user', 'become_method', 'become_password', 'tags',
  'vars', 'environment', 'ignore_errors', 'ignore_unreachable', 'check_mode', 'diff', 'no_log', 'delegate_to', 'delegate_facts',
  'run_once', 'any_errors_fatal', 'throttle', 'timeout', 'notify', 'collections', 'module_defaults', 'debugger',
  'remote_user', 'connection', 'port',
]);

/** Task-level actions that are not modules: they bring in other tasks. */
export const INCLUDE_ACTIONS = new Set(['include_tasks', 'import_tasks', 'include_role', 'import_role', 'include']);

export const ROLE_KEYWORDS = new Set([
  'role', 'name', 'when', 'tags', 'vars', 'become', 'become_user', 'environment', 'ignore_errors', 'delegate_to',
  'check_mode', 'diff', 'no_log', 'any_errors_fatal', 'throttle', 'timeout', 'run_once',
]);

/**
 * The type of every play/task/block/role keyword's value, checked at load time (templates pass and
 * are checked again once rendered, by `keywordValue`). Ansible's FieldAttribute `isa`, strict.
 */
export type KeywordType =
  | 'bool'
  | 'int'
  | 'seconds'
  | 'port'
  | 'string'
  | 'strings'
  | 'dict'
  | 'vars'
  | 'percent'
  | 'serial'
  | { oneOf: readonly string[]; unsupported?: string };

export const BECOME_METHODS = ['sudo', 'su'] as const;

export const KEYWORD_TYPES: Record<string, KeywordType> = {
  become: 'bool', check_mode: 'bool', diff: 'bool', no_log: 'bool', ignore_errors: 'bool', ignore_unreachable: 'bool',
  run_once: 'bool', any_errors_fatal: 'bool', gather_facts: 'bool', force_handlers: 'bool', delegate_facts: 'bool',
  allow_duplicates: 'bool', public: 'bool',
  throttle: 'int', retries: 'int', async: 'int', poll: 'int', timeout: 'seconds', delay: 'seconds', gather_timeout: 'seconds', port: 'port',
  become_user: 'string', remote_user: 'string', delegate_to: 'string', register: 'string', become_password: 'string',
  gather_subset: 'strings', collections: 'strings', environment: 'dict', module_defaults: 'dict', vars: 'vars',
  max_fail_percentage: 'percent', serial: 'serial',
  become_method: { oneOf: BECOME_METHODS, unsupported: 'tsplay runs become through sudo or su' },
  connection: { oneOf: ['ssh', 'local', 'smart', 'paramiko'] },
  debugger: { oneOf: ['always', 'never', 'on_failed', 'on_unreachable', 'on_skipped'] },
};

const TEMPLATE = /\{\{|\{%/;

function shown(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v);
}

function asInt(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
  return undefined;
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/**
 * Convert one keyword's value to its type, or throw a ParseError naming the keyword and the value.
 * A string holding a template is returned as is (`rendered` false: load time).
 */
export function keywordValue(key: string, value: unknown, where: Source, context?: string, rendered = true): unknown {
  const type = KEYWORD_TYPES[key];
  if (type === undefined || value === undefined) return value;
  // As Ansible's post_validate: a keyword given as null (`debugger: ~`) is not set (inherited, or its default)
  if (value === null && type !== 'dict' && type !== 'vars') return undefined;
  if (!rendered && typeof value === 'string' && TEMPLATE.test(value)) return value;
  const bad = (want: string): never => {
    throw new ParseError(`'${key}' must be ${want}, got ${shown(value)}`, where, context);
  };
  if (typeof type === 'object') {
    if (typeof value === 'string' && type.oneOf.includes(value)) return value;
    return bad(`one of ${type.oneOf.join(', ')}${type.unsupported ? ` (${type.unsupported})` : ''}`);
  }
  switch (type) {
    case 'bool':
      return toBool(value, { emptyIsFalse: false }) ?? bad('a boolean (yes/no, true/false, on/off, 1/0)');
    case 'int': {
      const n = asInt(value);
      return n !== undefined && n >= 0 ? n : bad('a whole number ≥ 0');
    }
    case 'seconds': {
      const n = asNumber(value);
      return n !== undefined && n >= 0 ? n : bad('a number of seconds (no unit)');
    }
    case 'port': {
      const n = asInt(value);
      return n !== undefined && n >= 1 && n <= 65535 ? n : bad('a port number (1-65535)');
    }
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return String(value);
      return bad('a string');
    case 'strings': {
      const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
      if (Array.isArray(list) && list.every((x) => typeof x === 'string')) return list;
      return bad('a string or a list of strings');
    }
    case 'dict':
      if (value === null) return value;
      if (typeof value === 'object' && !Array.isArray(value)) return value;
      return bad('a dictionary');
    case 'vars':
      // Ansible's _load_vars: a dictionary, or a list of dictionaries merged in order.
      if (value === null || (typeof value === 'object' && !Array.isArray(value))) return value;
      if (Array.isArray(value) && value.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))) return value;
      return bad('a dictionary or a list of dictionaries');
    case 'percent': {
      const n = asNumber(typeof value === 'string' ? value.replace(/%\s*$/, '') : value);
      return n !== undefined && n >= 0 && n <= 100 ? n : bad('a percentage (0-100)');
    }
    case 'serial': {
      const one = (v: unknown): unknown => {
        if (!rendered && typeof v === 'string' && TEMPLATE.test(v)) return v;
        if (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(v)) return v.trim();
        const n = asInt(v);
        return n !== undefined && n >= 0 ? n : bad('a number of hosts, a percentage (\'30%\') or a list of them');
      };
      return Array.isArray(value) ? (value.length === 0 ? bad('a non-empty list') : value.map(one)) : one(value);
    }
  }
}

/** Check, at load time, every typed keyword present in a raw play/task/block/role entry. */
export function checkKeywords(raw: Record<string, unknown>, where: (key: string) => Source, context?: string): void {
  for (const [key, value] of Object.entries(raw)) {
    if (KEYWORD_TYPES[key] !== undefined && value !== undefined) keywordValue(key, value, where(key), context, false);
  }
}
