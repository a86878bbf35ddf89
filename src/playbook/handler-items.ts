import { ParseError } from '../errors.js';
import type { Block, Inheritable, Item, Task } from './types.js';

const BLOCK_KEYWORDS = ['become', 'becomeUser', 'becomePassword', 'environment', 'ignoreErrors', 'ignoreUnreachable', 'checkMode', 'diff', 'noLog', 'delegateTo', 'runOnce', 'anyErrorsFatal', 'throttle', 'timeout', 'becomeMethod', 'remoteUser', 'port', 'connection'] as const;

/**
 * Handlers as a flat list of tasks, as Ansible 2.14 runs them: a task is a handler; an import_tasks
 * (or a block) contributes its tasks, each notified by its own name; an include_tasks/include_role
 * contributes its own result line and then its tasks, all notified by the include's name (they run in
 * order when it is notified).
 * What the block says (when, vars, tags, keywords) goes onto each of its tasks.
 */
export function handlerTasks(items: Item[]): Task[] {
  let group: string | undefined;
  return items.flatMap((item) => {
    const explicit = item.kind === 'block' && !item.include && !item.imported;
    // a run of tasks/imports/includes is one implicit block; an explicit block is a block of its own
    const own = `${item.where.file}:${item.where.line ?? 0}:${item.where.column ?? 0}`;
    if (explicit) group = undefined;
    const handlerBlock = explicit ? own : (group ??= own);
    return flatten([item], false).map((t) => ({ ...t, handlerBlock }));
  });
}

function flatten(items: Item[], inBlock: boolean): Task[] {
  return items.flatMap((item) => (item.kind === 'task' ? [item] : fromBlock(item, inBlock)));
}

function fromBlock(block: Block, inBlock: boolean): Task[] {
  // As Ansible's loader: a `block:` at the top of handlers (or of a file a handler includes) is an
  // implicit block of handlers; a block inside it is a parser error.
  const explicit = !block.include && !block.imported;
  if (inBlock && explicit) throw new ParseError('Using a block as a handler is not supported.', block.where);
  if (block.rescue.length > 0 || block.always.length > 0) throw new ParseError('a handler block cannot have rescue or always sections', block.where);
  if (block.include?.loop !== undefined) throw new ParseError(`a loop on ${block.include.module} used as a handler is not supported`, block.where);
  const keywords: Partial<Inheritable> = {};
  for (const k of BLOCK_KEYWORDS) if (block[k] !== undefined) (keywords as Record<string, unknown>)[k] = block[k];
  const listen = block.include ? [...(block.name !== undefined ? [block.name] : []), ...(block.include.listen ?? [])] : [];
  const vars = { ...(block.vars ?? {}), ...(block.include?.params ?? {}) };
  // An include's own result line comes first when it is notified (Ansible: `included: FILE for HOST`).
  const marker: Task[] = block.include
    ? [{ kind: 'task', id: block.id, name: block.name, module: block.include.module, args: {}, where: block.where, tags: [], notify: [], listen: [], role: block.role, includeResult: block.include }]
    : [];
  // The tasks an include brings in are reached through the include only: Ansible loads them when it
  // runs, so their own names and listen topics are not notification targets.
  const inner = flatten(block.block, explicit).map((t) => (block.include ? { ...t, listen: [], includedBy: block.name ?? block.include.display } : t));
  return [...marker, ...inner].map((t) => ({
    ...keywords,
    ...t,
    when: [...(block.when ?? []), ...(t.when ?? [])],
    tags: [...new Set([...block.tags, ...t.tags])],
    ...(Object.keys(vars).length > 0 || t.vars ? { vars: { ...vars, ...(t.vars ?? {}) } } : {}),
    listen: [...t.listen, ...listen],
    handler: true,
  }));
}
