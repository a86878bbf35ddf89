import { ParseError, TsplayError, type Source } from '../errors.js';
import { isTemplate, renderDeep } from '../template/render.js';
import { LIST_LOOKUPS } from '../template/lookups-lists.js';
import { collectUnsafe } from '../template/unsafe.js';
import type { Task } from '../playbook/types.js';
import type { Vars } from '../types.js';

/** A `with_<lookup>:` loop (other than with_items/with_dict/with_indexed_items) as the loader stores it. */
export interface LookupLoop {
  lookup: string;
  terms: unknown;
}

/**
 * The items of `loop:` / `with_items:` (flattened one level) / `with_dict:` / `with_<lookup>:`,
 * rendered for this host. A with_ loop's terms are rendered, a single value made a list of one
 * (Ansible's listify_lookup_plugin_terms), and given to the lookup of that name.
 */
/**
 * A task's loop items. `action` (the task's module) gives a lookup its subdir as Ansible does: an action
 * naming "template" searches templates/, "var" (include_vars) vars/, anything else files/.
 */
export function loopItems(loop: unknown, scope: Vars, where: Source, context: string, action = ''): unknown[] {
  const spec = loop as { flatten?: unknown; dict?: unknown; indexed?: unknown; list?: unknown; lookup?: string; terms?: unknown };
  if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
    if (typeof spec.lookup === 'string' && 'terms' in spec) return lookupItems(spec as LookupLoop, scope, where, context, action);
    if ('flatten' in spec) {
      const v = renderDeep(spec.flatten, scope, where, context);
      return (Array.isArray(v) ? v : [v]).flatMap((x) => (Array.isArray(x) ? x : [x]));
    }
    if ('dict' in spec) {
      const d = renderDeep(spec.dict, scope, where, context);
      if (!d || typeof d !== 'object' || Array.isArray(d)) throw new ParseError('with_dict expects a dict', where, context);
      return Object.entries(d).map(([key, value]) => ({ key, value }));
    }
    if ('list' in spec) {
      const v = renderDeep(spec.list, scope, where, context);
      if (!Array.isArray(v)) throw new ParseError('with_list expects a list', where, context);
      return v;
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

/**
 * A task's loop items, and whether Ansible marks them unsafe: always for a `with_` loop (its lookup's
 * results are wrapped), for `loop:` when rendering it read an unsafe value (a registered result, a lookup).
 */
export function loopItemsMarked(loop: unknown, scope: Vars, where: Source, context: string, action = ''): { items: unknown[]; unsafe: boolean } {
  const [items, , tainted] = collectUnsafe(() => loopItems(loop, scope, where, context, action));
  const withLoop = loop !== null && typeof loop === 'object' && !Array.isArray(loop);
  return { items, unsafe: withLoop || tainted };
}

type LoopControl = NonNullable<Task['loopControl']>;

/**
 * loop_control with its `loop_var`/`index_var` rendered, as Ansible templates loop_control when the
 * loop runs: a template (`loop_var: '{{ name }}'`) must give a variable name.
 */
export function renderedLoopControl(lc: LoopControl | undefined, scope: Vars, where: Source, context: string): LoopControl | undefined {
  if (!lc || !(isTemplate(lc.loopVar) || (lc.indexVar !== undefined && isTemplate(lc.indexVar)))) return lc;
  const name = (key: string, v: string): string => {
    const out = renderDeep(v, scope, where, context);
    if (typeof out !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(out)) throw new ParseError(`loop_control: '${key}' must give a variable name, got ${JSON.stringify(out)}`, where, context);
    return out;
  };
  return { ...lc, loopVar: name('loop_var', lc.loopVar), ...(lc.indexVar !== undefined ? { indexVar: name('index_var', lc.indexVar) } : {}) };
}

/** Variables of one iteration: the loop var, index_var, and ansible_loop. */
export function loopVars(task: Task, items: unknown[], i: number): Vars {
  const lc = task.loopControl;
  // as Ansible's _run_loop: the loop variable's name is ansible_loop_var, the index variable's ansible_index_var
  const vars: Vars = { [lc?.loopVar ?? 'item']: items[i], ansible_loop_var: lc?.loopVar ?? 'item' };
  if (lc?.indexVar) Object.assign(vars, { [lc.indexVar]: i, ansible_index_var: lc.indexVar });
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

function lookupItems(loop: LookupLoop, scope: Vars, where: Source, context: string, action: string): unknown[] {
  const plugin = LIST_LOOKUPS[loop.lookup];
  if (!plugin) throw new ParseError(`with_${loop.lookup}: no such lookup`, where, context);
  // first_found skips a name whose variables are undefined (Ansible templates it with fail_on_undefined off).
  const rendered = loop.lookup === 'first_found' ? renderSkippingUndefined(loop.terms, scope, where, context) : renderDeep(loop.terms, scope, where, context);
  const terms = Array.isArray(rendered) ? rendered : [rendered];
  try {
    const subdir = ['template', 'var', 'file'].find((s) => action.includes(s)) ?? 'file';
    return plugin(terms, { vars: scope, where, subdir: `${subdir}s` });
  } catch (e) {
    if (e instanceof TsplayError && !(e instanceof ParseError)) throw new ParseError(`with_${loop.lookup}: ${e.message}`, where, context);
    throw e;
  }
}

function renderSkippingUndefined(v: unknown, scope: Vars, where: Source, context: string): unknown {
  if (Array.isArray(v)) return v.map((x) => renderSkippingUndefined(x, scope, where, context)).filter((x) => x !== SKIP);
  if (typeof v === 'string') {
    try {
      return renderDeep(v, scope, where, context);
    } catch (e) {
      if (e instanceof Error && /undefined variable/.test(e.message)) return SKIP;
      throw e;
    }
  }
  return renderDeep(v, scope, where, context);
}
const SKIP = Symbol('skip');
