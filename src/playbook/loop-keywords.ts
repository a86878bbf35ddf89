import { ParseError, type Source } from '../errors.js';
import { LIST_LOOKUPS, lookupName } from '../template/lookups-lists.js';
import { isTemplate } from '../template/render.js';
import { toBool } from '../util/bool.js';
import { sourceOfKey } from '../util/yaml.js';
import { checkTemplates } from './task-keywords.js';
import type { Task } from './types.js';

/** `loop:`/`with_*:` and `loop_control:` of a task or include: checked at load, stored on the task. */
export function loadLoop(raw: Record<string, unknown>, task: Pick<Task, 'loop' | 'loopControl'>, where: Source, context: string): void {
  const loops = Object.keys(raw).filter((k) => (k === 'loop' || k.startsWith('with_')) && raw[k] !== undefined);
  if (loops.length > 1) throw new ParseError(`only one loop keyword may be used, got ${loops.join(' and ')}`, where, context);
  if (loops.length === 1) {
    const key = loops[0]!;
    const at = sourceOfKey(raw, key) ?? where;
    if (key.startsWith('with_') && !['with_items', 'with_list', 'with_dict', 'with_indexed_items'].includes(key) && !LIST_LOOKUPS[lookupName(key.slice(5))]) {
      throw new ParseError(`'${key}': the lookup '${key.slice(5)}' is not supported (with_${Object.keys(LIST_LOOKUPS).join(', with_')})`, at, context);
    }
    checkTemplates(raw[key], at, context);
    const v = raw[key];
    const templated = typeof v === 'string' && isTemplate(v);
    // loop wants a list (Ansible: "Invalid data passed to 'loop', it requires a list"); with_dict a dictionary
    if (key === 'with_dict') {
      if (!templated && (v === null || typeof v !== 'object' || Array.isArray(v))) throw new ParseError(`'with_dict' must be a dictionary or a template giving one, got ${JSON.stringify(v)}`, at, context);
    } else if (key === 'loop' || key === 'with_list' || key === 'with_indexed_items') {
      if (!templated && !Array.isArray(v)) throw new ParseError(`'${key}' must be a list or a template giving one, got ${JSON.stringify(v)}`, at, context);
    } else if (key === 'with_items' && !templated && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      throw new ParseError(`'${key}' must be a list or a template giving one, got a dictionary`, at, context);
    }
    if (key === 'with_items') task.loop = { flatten: v };
    else if (key === 'with_dict') task.loop = { dict: v };
    else if (key === 'with_indexed_items') task.loop = { indexed: v };
    else if (key === 'with_list') task.loop = { list: v };
    else if (key === 'loop') task.loop = v;
    else task.loop = { lookup: lookupName(key.slice(5)), terms: v };
  }
  if (raw.loop_control !== undefined) {
    const lc = raw.loop_control as Record<string, unknown>;
    if (lc === null || typeof lc !== 'object' || Array.isArray(lc)) throw new ParseError("'loop_control' must be a dictionary", sourceOfKey(raw, 'loop_control') ?? where, context);
    for (const k of Object.keys(lc)) {
      const at = sourceOfKey(lc, k) ?? where;
      if (!['loop_var', 'label', 'index_var', 'pause', 'extended', 'extended_allitems'].includes(k)) {
        throw new ParseError(`'loop_control' has no option '${k}'`, at, context);
      }
      const v = lc[k];
      // a template is rendered when the loop runs (renderedLoopControl)
      if ((k === 'loop_var' || k === 'index_var') && (typeof v !== 'string' || !(/^[A-Za-z_][A-Za-z0-9_]*$/.test(v) || isTemplate(v)))) throw new ParseError(`loop_control: '${k}' must be a variable name, got ${JSON.stringify(v)}`, at, context);
      if (k === 'loop_var' || k === 'index_var') checkTemplates(v, at, context);
      if (k === 'pause' && !(typeof v === 'number' && v >= 0)) throw new ParseError(`loop_control: 'pause' must be a number of seconds, got ${JSON.stringify(v)}`, at, context);
      if ((k === 'extended' || k === 'extended_allitems') && toBool(v) === undefined) throw new ParseError(`loop_control: '${k}' must be a boolean, got ${JSON.stringify(v)}`, at, context);
    }
    task.loopControl = {
      loopVar: typeof lc.loop_var === 'string' ? lc.loop_var : 'item',
      label: lc.label,
      indexVar: typeof lc.index_var === 'string' ? lc.index_var : undefined,
      pause: typeof lc.pause === 'number' ? lc.pause : undefined,
      extended: toBool(lc.extended) === true,
      // Ansible's default is true: ansible_loop.allitems is there unless turned off
      extendedAllitems: lc.extended_allitems === undefined ? true : toBool(lc.extended_allitems) === true,
    };
  }
}
