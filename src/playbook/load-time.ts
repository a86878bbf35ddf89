import { ParseError, TsplayError, type Source } from '../errors.js';
import { lazyVars } from '../template/lazy.js';
import { isTemplate, renderValue } from '../template/render.js';
import type { Vars } from '../types.js';
import { playRoleVars } from './roles.js';
import type { RoleInstance } from './types.js';

/**
 * Templates the loader itself must render — file names of import_tasks/include_tasks/vars_files,
 * role names, `strategy` — with what Ansible has when it reads a play: play vars, vars_files,
 * the role's defaults, vars and params, the play's roles' defaults and vars, extra vars, and playbook_dir/role_path. tsplay expands
 * includes when the playbook loads, so host variables and facts are not known yet: a name that
 * needs them is an error that says so.
 */
export function loadTimeVars(layers: { playVars?: Vars; varsFiles?: Vars; extraVars?: Vars; role?: RoleInstance; own?: Vars; playbookDir: string; playRoles?: readonly RoleInstance[] }): Vars {
  const r = layers.role;
  // the play's roles loaded so far show their defaults and vars (Ansible's get_vars(play) at import time)
  const shown = playRoleVars(layers.playRoles ?? []);
  return lazyVars({
    ...shown.defaults,
    ...r?.defaults,
    ...layers.playVars,
    ...layers.varsFiles,
    ...shown.vars,
    ...r?.vars,
    ...layers.own,
    ...r?.params,
    ...layers.extraVars,
    playbook_dir: layers.playbookDir,
    ...(r ? { role_path: r.path, role_name: r.name } : {}),
  });
}

/**
 * A name that needs what only a host has when it reaches the task (a fact, a host variable, a loop
 * item, the task's own vars, a registered value): an include_tasks/include_role keeps it and decides
 * it per host at run time (a DeferredInclude); anywhere else it is this load error.
 */
export class RunTimeName extends ParseError {}

/** An include's file or role that does not exist (an include under a `when`, ignore_errors or a rescue keeps it: it fails when it runs). */
export class MissingInclude extends ParseError {}

/**
 * Render a value the loader needs now (a template: its value, any type), or a ParseError naming what it is and why.
 * `runTimeIfUnknown` (a dynamic include's names, which Ansible renders when the include runs): a
 * template that reads a variable the load-time vars lack (`omit`, `x | default(…)`, `x is defined`)
 * renders to what a host's vars may make different, so it is a RunTimeName too.
 */
export function renderLoadTime(value: string, what: string, scope: () => Vars, where: Source, context?: string, runTimeIfUnknown = false): unknown {
  if (!isTemplate(value)) return value;
  try {
    if (!runTimeIfUnknown) return renderValue(value, scope(), where, context);
    const unknown = new Set<string>();
    const out = renderValue(value, watchUnknown(scope(), unknown), where, context);
    if (unknown.size > 0) throw new RunTimeName(`${what} '${value}' reads ${[...unknown].map((n) => `'${n}'`).join(', ')}, not defined when the playbook loads: it is rendered when the include runs`, where, context);
    return out;
  } catch (e) {
    if (e instanceof RunTimeName) throw e;
    if (e instanceof TsplayError && /undefined variable/.test(e.message)) {
      throw new RunTimeName(`${what} '${value}': ${e.message.replace(/ \(in expression:.*$/, '')} when the playbook loads (tsplay renders it then, from play vars, vars_files, role vars and defaults and extra vars; not from host vars or facts)`, where, context);
    }
    if (e instanceof TsplayError) throw new ParseError(`${what} '${value}': ${e.message}`, where, context);
    throw e;
  }
}

/** The variables a template looks up and does not find (a view of `vars` that notes them in `unknown`). */
function watchUnknown(vars: Vars, unknown: Set<string>): Vars {
  const note = (key: string | symbol): void => {
    if (typeof key === 'string' && !Reflect.has(vars, key)) unknown.add(key);
  };
  return new Proxy(vars, {
    get: (t, key) => (note(key), Reflect.get(t, key)),
    has: (t, key) => (note(key), Reflect.has(t, key)),
    getOwnPropertyDescriptor: (t, key) => (note(key), Reflect.getOwnPropertyDescriptor(t, key)),
  });
}

/** Render a name the loader needs (a string), or a ParseError naming what it is and why. */
export function renderName(value: string, what: string, scope: () => Vars, where: Source, context?: string, runTimeIfUnknown = false): string {
  const out = renderLoadTime(value, what, scope, where, context, runTimeIfUnknown);
  if (typeof out !== 'string' && typeof out !== 'number') throw new ParseError(`${what} '${value}' must render to a name, got ${JSON.stringify(out)}`, where, context);
  return String(out);
}
