import { ParseError } from '../../errors.js';
import type { ModuleDef } from '../types.js';

interface GroupByArgs {
  key: string;
  parents: string[];
}

/**
 * ansible.builtin.group_by: the host joins the group named by `key` (spaces become dashes), a child of
 * `parents` (default `all`). The result's `add_group`/`parent_groups` are applied by the executor to the
 * run's inventory, so later plays can target the group; `changed` says whether the inventory changed.
 */
export const groupByModule: ModuleDef<GroupByArgs> = {
  name: 'group_by',
  controllerOnly: true,
  parse(raw, where, loadTime) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ParseError('group_by: arguments must be a dictionary', where);
    const r = raw as Record<string, unknown>;
    for (const k of Object.keys(r)) if (k !== 'key' && k !== 'parents') throw new ParseError(`group_by: unsupported argument '${k}' (supported: key, parents)`, where);
    if (r.key === undefined || r.key === null) throw new ParseError("group_by: the 'key' param is required when using group_by", where);
    if (typeof r.key !== 'string' && typeof r.key !== 'number') throw new ParseError(`group_by: argument 'key' must be a string, got ${JSON.stringify(r.key)}`, where);
    const parents = r.parents === undefined || r.parents === null ? ['all'] : Array.isArray(r.parents) ? r.parents : [r.parents];
    for (const p of parents) if (typeof p !== 'string' && typeof p !== 'number') throw new ParseError(`group_by: argument 'parents' must be a string or a list of strings, got ${JSON.stringify(p)}`, where);
    const key = String(r.key);
    if (!loadTime && key.trim() === '') throw new ParseError("group_by: 'key' is empty", where);
    return { key, parents: parents.map(String) };
  },
  async plan(args) {
    return { steps: [], result: { add_group: args.key.replace(/ /g, '-'), parent_groups: args.parents.map((p) => p.replace(/ /g, '-')) } };
  },
};
