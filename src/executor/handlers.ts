import { TsplayError, ExitCode } from '../errors.js';
import { loadTimeVars } from '../playbook/load-time.js';
import type { Item, Task } from '../playbook/types.js';
import { isTemplate, renderValue } from '../template/render.js';
import type { Vars } from '../types.js';
import type { PlayContext } from './context.js';
import { handlersFor } from './cursor.js';

/**
 * Notifications: checked when the playbook loads where a name is known then, resolved into
 * handlers when a task notifies (handler names and notify names may be templates, rendered then).
 */

/** A name with templates as a pattern: its literal text, anything where a template is. */
function namePattern(name: string): RegExp {
  const parts = name.split(/(\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\})/);
  return new RegExp(`^${parts.map((p, i) => (i % 2 === 1 ? '[\\s\\S]*' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
}

/**
 * Every notify (of a task, block, import or include) must be able to name a handler (by name or listen
 * topic): checked before any host is contacted. A notify that is a template, or that a handler's
 * templated name may render to, is resolved when it is notified (a name found by no handler then
 * stops the run, as in Ansible).
 */
export function unknownNotifications(items: Item[], handlers: Task[]): { task: Item; name: string; why?: string }[] {
  const templated = handlers.filter((h) => h.name !== undefined && isTemplate(h.name)).map((h) => ({ h, re: namePattern(h.name!) }));
  const mayMatch = (n: string) => templated.some(({ h, re }) => re.test(n) || (h.role !== undefined && n.startsWith(`${h.role.name} : `) && re.test(n.slice(h.role.name.length + 3))));
  const out: { task: Item; name: string; why?: string }[] = [];
  const visit = (list: Item[]) => {
    for (const it of list) {
      for (const n of it.notify ?? []) {
        if (isTemplate(n) || handlersFor(handlers, n).length > 0 || mayMatch(n)) continue;
        const inInclude = handlers.find((h) => h.includedBy !== undefined && h.name === n);
        out.push({ task: it, name: n, ...(inInclude ? { why: `'${n}' is a task of the handler '${inInclude.includedBy}', which includes it: notify '${inInclude.includedBy}'` } : {}) });
      }
      if (it.kind === 'block') visit([...it.block, ...it.rescue, ...it.always]);
    }
  };
  visit(items);
  return out;
}

/** Rendered handler names, per handler: each is rendered once, when a notification first looks for it. */
const renderedNames = new WeakMap<Task, { name?: string }>();

/**
 * A handler's name as Ansible 2.14 renders it when a notification looks for it: with the play's
 * variables (play vars, vars_files, the handler's role and own vars, extra vars), never a host's.
 * A name that reads an undefined variable makes the handler unusable by name (a warning when it has
 * no listen topic either).
 */
export function handlerName(ctx: PlayContext, h: Task): string | undefined {
  if (h.name === undefined || !isTemplate(h.name)) return h.name;
  let cached = renderedNames.get(h);
  if (!cached) {
    cached = {};
    try {
      const scope = loadTimeVars({ playVars: ctx.play.vars, varsFiles: ctx.play.varsFiles, extraVars: ctx.extraVars, role: h.role, own: h.vars, playbookDir: ctx.play.dir, playRoles: ctx.play.roles });
      cached.name = String(renderValue(h.name, scope, h.where));
    } catch (e) {
      if (!(e instanceof TsplayError && /undefined variable/.test(e.message))) throw e;
      if (h.listen.length === 0) {
        ctx.emit({ kind: 'warning', message: `${h.where.file}:${h.where.line}: handler '${h.name}' is unusable: it has no listen topics and its name could not be rendered (host variables are not available in handler names): ${e.message}` });
      }
    }
    renderedNames.set(h, cached);
  }
  return cached.name;
}

/**
 * The handlers a task's notifications name (notify names rendered with the host's variables). A name
 * that no handler has and no handler listens to stops the run (Ansible's "The requested handler ...
 * was not found", exit 1).
 */
export function notifiedHandlers(ctx: PlayContext, handlers: Task[], topics: string[], task: Task): Task[] {
  return topics.flatMap((topic) => {
    const found = handlersFor(handlers, topic, (h) => handlerName(ctx, h));
    if (found.length === 0 && ctx.opts.errorOnMissingHandler === false) {
      ctx.emit({ kind: 'warning', message: `The requested handler '${topic}' was not found in either the main handlers list nor in the listening handlers list` });
    } else if (found.length === 0) {
      throw new TsplayError(`notify: the requested handler '${topic}' was not found in this play's handlers nor their listen topics`, { code: ExitCode.error, where: task.where, context: task.name ? `task '${task.name}'` : undefined });
    }
    return found;
  });
}

/** A task's notify names, rendered with the host's variables (a template may give one name or a list). */
export function renderNotify(notify: string[], scope: Vars, where: Task['where']): string[] {
  return notify.flatMap((n) => {
    if (!isTemplate(n)) return [n];
    const v = renderValue(n, scope, where);
    return (Array.isArray(v) ? v : [v]).map((x) => String(x));
  });
}
