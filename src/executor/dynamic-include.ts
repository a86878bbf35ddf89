import { applied } from '../playbook/include-task.js';
import { TsplayError, type Source } from '../errors.js';
import type { Block, DeferredInclude, Item, LoadedInclude } from '../playbook/types.js';
import { keywordValue } from '../playbook/keywords.js';
import { renderValue } from '../template/render.js';
import { OMIT } from '../template/expr-funcs.js';
import type { Vars } from '../types.js';
import type { PlayContext } from './context.js';
import { resolvedKey, unloaded, type HostCursor, type Program } from './cursor.js';
import { checkItems } from './validate.js';

/**
 * Includes decided per host at run time (a DeferredInclude, playbook/types.ts): their names rendered
 * with the host's vars, what they name loaded (once per key, validated as at load time) into the
 * program the cursors walk.
 */

/** The key of what a host's vars make of a deferred include's names: the rendered names, as JSON. */
export function renderedNames(deferred: DeferredInclude, scope: Vars, where: Source, action: string): string {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(deferred.names)) {
    const r = renderValue(v, scope, where);
    // Ansible's omit: the name is not given (include_role's tasks_from: its main file)
    if (r === OMIT) continue;
    if (typeof r !== 'string' && typeof r !== 'number') throw new TsplayError(`${action}: '${k}' must render to a name, got ${JSON.stringify(r)}`, { where });
    out[k] = String(r);
  }
  if (out.tasks_from !== undefined) out.tasks_from = out.tasks_from.replace(/\.ya?ml$/, '');
  return JSON.stringify(out);
}

/**
 * Load what a key names into the program (cached there): the include with its items, the handlers a
 * role brings (they join the program's), load warnings reported. Throws a TsplayError (a missing file
 * or role, a file that does not validate) for the caller to fail the host with.
 */
export function loadResolved(ctx: PlayContext, program: Program, block: Block, key: string): LoadedInclude {
  const deferred = block.include!.deferred!;
  const loaded = deferred.load(key, block.id);
  const at = resolvedKey(block.id, key);
  if (program.resolved?.has(at)) return loaded;
  const handlers = [...program.handlers, ...loaded.handlers.filter((h) => !program.handlers.some((x) => x.id === h.id))];
  checkItems(ctx.play, loaded.items, handlers, ctx.opts.errorOnMissingHandler !== false);
  loaded.warnings.forEach((message) => ctx.emit({ kind: 'warning', message }));
  program.handlers.splice(0, program.handlers.length, ...handlers);
  (program.resolved ??= new Map()).set(at, { ...block, block: applied(block.id, block.where, block.include!.apply, loaded.items) });
  const order = (program.loadOrder ??= new Map());
  if (!order.has(key)) order.set(key, order.size);
  return loaded;
}

/**
 * A public include_role a host includes: from now on its role's defaults and vars are every task's of
 * the play, as Ansible appends it to play.roles. `public` is rendered with the host's vars (a
 * template such as `"{{ False | bool }}"` is false) and read as a strict boolean.
 */
export function showPublicRole(ctx: PlayContext, block: Block, items: Item[], scope: Vars): void {
  const raw = block.include!.public;
  if (raw === undefined) return;
  const value = keywordValue('public', typeof raw === 'string' ? renderValue(raw, scope, block.where) : raw, block.where, block.include!.module);
  if (value !== true) return;
  // the role's block, or the `apply:` block around it
  const first = items[0];
  const role = first?.role ?? (first?.kind === 'block' ? first.block[0]?.role : undefined);
  const shown = (ctx.publicRoles ??= []);
  if (role && !shown.includes(role)) shown.push(role);
}

/** A resumed cursor inside deferred includes: load what it walks. False when that cannot be loaded any more. */
export function loadCursorIncludes(ctx: PlayContext, program: Program, cursor: HostCursor): boolean {
  for (let u = unloaded(program, cursor); u; u = unloaded(program, cursor)) {
    try {
      loadResolved(ctx, program, u.block, u.key);
    } catch (e) {
      if (e instanceof TsplayError) return false;
      throw e;
    }
  }
  return true;
}
