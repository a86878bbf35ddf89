import { ParseError, type Source } from '../errors.js';
import { renderDeep } from '../template/render.js';
import type { Task } from '../playbook/types.js';
import type { Vars } from '../types.js';

/** The items of `loop:` / `with_items:` (flattened one level) / `with_dict:`, rendered for this host. */
export function loopItems(loop: unknown, scope: Vars, where: Source, context: string): unknown[] {
  const spec = loop as { flatten?: unknown; dict?: unknown; indexed?: unknown };
  if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
    if ('flatten' in spec) {
      const v = renderDeep(spec.flatten, scope, where, context);
      return (Array.isArray(v) ? v : [v]).flatMap((x) => (Array.isArray(x) ? x : [x]));
    }
    if ('dict' in spec) {
      const d = renderDeep(spec.dict, scope, where, context);
      if (!d || typeof d !== 'object' || Array.isArray(d)) throw new ParseError('with_dict expects a dictionary', where, context);
      return Object.entries(d).map(([key, value]) => ({ key, value }));
    }
    if ('indexed' in spec) {
      const v = renderDeep(spec.indexed, scope, where, context);
      return (Array.isArray(v) ? v : [v]).map((x, i) => [i, x]);
    }
  }
  const v = renderDeep(loop, scope, where, context);
  if (!Array.isArray(v)) throw new ParseError(`'loop' expects a list, got ${JSON.stringify(v)}`, where, context);
  return v;
}

/** Variables of one iteration: the loop var, index_var, and ansible_loop. */
export function loopVars(task: Task, items: unknown[], i: number): Vars {
  const lc = task.loopControl;
  const vars: Vars = { [lc?.loopVar ?? 'item']: items[i] };
  if (lc?.indexVar) vars[lc.indexVar] = i;
  vars.ansible_loop = {
    index: i + 1,
    index0: i,
    revindex: items.length - i,
    revindex0: items.length - i - 1,
    first: i === 0,
    last: i === items.length - 1,
    length: items.length,
    previtem: i > 0 ? items[i - 1] : undefined,
    nextitem: i < items.length - 1 ? items[i + 1] : undefined,
  };
  // extended_allitems: false leaves the (possibly large) item list out, as Ansible does
  if (lc?.extendedAllitems !== false) (vars.ansible_loop as Vars).allitems = items;
  return vars;
}
