import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { checkTemplateFile, isTemplate } from '../template/render.js';
import type { Item, Playbook } from './types.js';

/**
 * `--syntax-check` also parses the template files of `template:` tasks whose `src` is known
 * without variables (no `{{ }}`), found as the run would find them: the role's `templates/`, then
 * the playbook's. A syntax error names the file and its template line (exit 4); a file that does
 * not exist yet is left to the run, as a templated `src` is.
 */
export function checkTemplateFiles(pb: Playbook): void {
  const seen = new Set<string>();
  for (const play of pb.plays) {
    const visit = (items: Item[]): void => {
      for (const item of items) {
        if (item.kind === 'block') {
          visit(item.block);
          visit(item.rescue);
          visit(item.always);
          continue;
        }
        if (item.module !== 'template') continue;
        const src = staticSrc(item.args);
        if (src === undefined) continue;
        const dirs = [...(item.role ? [item.role.path] : []), play.dir];
        const file = isAbsolute(src) ? src : dirs.flatMap((d) => [join(d, 'templates', src), join(d, src)]).find((f) => existsSync(f));
        if (!file || !existsSync(file) || seen.has(resolve(file))) continue;
        seen.add(resolve(file));
        checkTemplateFile(readFileSync(file, 'utf8'), file);
      }
    };
    visit([...play.preTasks, ...play.tasks, ...play.postTasks, ...play.handlers]);
    if (play.guard) visit([...play.guard.setup, ...play.guard.precheck, ...play.guard.teardown]);
  }
}

function staticSrc(args: unknown): string | undefined {
  let src: unknown;
  if (typeof args === 'string') src = /(?:^|\s)src=(\S+)/.exec(args)?.[1];
  else if (args && typeof args === 'object') src = (args as Record<string, unknown>).src;
  return typeof src === 'string' && src !== '' && !isTemplate(src) ? src : undefined;
}
