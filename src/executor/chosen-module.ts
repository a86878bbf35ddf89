import { ParseError, type Source } from '../errors.js';
import { findModule } from '../modules/registry.js';
import { INCLUDE_ACTIONS } from '../playbook/keywords.js';
import { moduleArgs } from '../playbook/module-args.js';
import type { Task } from '../playbook/types.js';
import { renderValue } from '../template/render.js';
import type { Vars } from '../types.js';

/**
 * A task whose module is a template (`action: "{{ module_name }}"`, Task.moduleTemplate), as one host
 * runs it: the name rendered with its vars, as Ansible's post_validate does once the task's condition
 * holds, and the task as if that module had been written, its arguments read the way that module
 * reads them (runModule validates them, rendered). An unknown module fails this task only.
 */
export function chosenModule(task: Task, scope: Vars, context: string): Task {
  if (!task.moduleTemplate) return task;
  const where: Source = task.where;
  const rendered = renderValue(task.module, scope, where, context);
  const name = typeof rendered === 'string' ? rendered.trim() : '';
  if (name === '') throw new ParseError(`the module '${task.module}' must render to a module name, got ${JSON.stringify(rendered)}`, where, context);
  const short = name.replace(/^ansible\.(builtin|legacy)\./, '');
  // the walk decided these before the task ran: they must be written as the task's action
  if (INCLUDE_ACTIONS.has(short) || short === 'meta') throw new ParseError(`the module '${task.module}' rendered to '${name}': an include, import or meta must be written as the task's action, not chosen when it runs`, where, context);
  const mod = findModule(short);
  if (!mod) throw new ParseError(`the module '${task.module}' rendered to '${name}', which is not a known module`, where, context);
  if (mod.bypassHostLoop) throw new ParseError(`the module '${task.module}' rendered to '${name}', which runs once for all hosts: write it as the task's action`, where, context);
  const { moduleTemplate, ...rest } = task;
  return { ...rest, module: mod.name, ...(name !== mod.name ? { action: name } : {}), args: moduleArgs(mod, task.args, moduleTemplate.extraArgs, where, context) };
}
