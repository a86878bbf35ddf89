import { ParseError, type Source } from '../errors.js';
import { sourceOfKey } from '../util/yaml.js';
import { loadItems } from './task.js';
import { checkTemplates } from './task-keywords.js';
import type { TaskScope } from './task-scope.js';
import type { Guard } from './types.js';

const GUARD_KEYS = new Set(['name', 'setup', 'precheck', 'host_deadline', 'teardown']);

/** Load a play's `guard:` — validated like tasks, before any host is contacted. */
export function loadGuard(raw: unknown, id: string, scope: TaskScope, where: Source): Guard {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ParseError("'guard' must be a dictionary (name, setup, precheck, host_deadline, teardown)", where);
  const g = raw as Record<string, unknown>;
  for (const key of Object.keys(g)) {
    if (!GUARD_KEYS.has(key)) throw new ParseError(`'${key}' is not a guard keyword (name, setup, precheck, host_deadline, teardown)`, sourceOfKey(g, key) ?? where);
  }
  if (g.name !== undefined && typeof g.name !== 'string') throw new ParseError("guard 'name' must be a string", sourceOfKey(g, 'name') ?? where);
  const deadline = g.host_deadline;
  if (deadline !== undefined) {
    const at = sourceOfKey(g, 'host_deadline') ?? where;
    if (typeof deadline === 'string') checkTemplates(deadline, at, 'guard');
    else if (typeof deadline !== 'number' || !(deadline > 0)) throw new ParseError(`guard 'host_deadline' must be a positive number of seconds, got ${JSON.stringify(deadline)}`, at);
  }
  const section = (key: string) => loadItems(g[key], `${id}/guard/${key}`, scope, sourceOfKey(g, key) ?? where);
  return {
    name: typeof g.name === 'string' ? g.name : 'guard',
    where,
    setup: section('setup'),
    precheck: section('precheck'),
    teardown: section('teardown'),
    hostDeadline: deadline,
  };
}
