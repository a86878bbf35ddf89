import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { TsplayError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { ownGet, pyStr } from './values.js';
import { LIST_LOOKUPS, lookupName, searchDirs } from './lookups-lists.js';
import { templateVars } from './template-vars.js';
import { withData } from './with-data.js';
import { noteTainted } from './unsafe.js';

/**
 * Ansible's common lookup plugins, on the controller: env, file, template, pipe, vars, and the
 * list lookups behind `with_*` loops (lookups-lists.ts).
 * `lookup()` joins the results with ',' (unless wantlist=True); `query()`/`q()` return the list.
 * Relative file names are searched as Ansible does for a task: beside the task's file, in the
 * `files/` (`templates/` for template) folder next to it and one level up (a role's tasks/ →
 * the role), then the playbook's folder, then the current directory.
 */
export interface LookupCtx {
  vars: Vars;
  where?: Source;
  /** Where first_found looks first, from the task's action as Ansible decides it: templates, vars or files. */
  subdir?: string;
}

/** Renders a template file's text (set by render.ts, which owns the template engines). */
let renderTemplateFile: ((text: string, vars: Vars, where: Source) => string) | undefined;
export function setTemplateFileRenderer(fn: (text: string, vars: Vars, where: Source) => string): void {
  renderTemplateFile = fn;
}

function findFile(name: string, sub: string, ctx: LookupCtx): string {
  if (path.isAbsolute(name)) return name;
  const dirs = searchDirs(sub, ctx);
  for (const d of dirs) {
    const p = path.join(d, name);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  throw new TsplayError(`lookup: could not find file '${name}' (searched ${dirs.map((d) => path.join(d, name)).join(', ')})`);
}

const rstrip = (s: string): string => s.replace(/\s+$/, '');

export function lookupPlugin(name: string, terms: unknown[], kw: Record<string, unknown>, ctx: LookupCtx): unknown[] {
  // Ansible wraps a lookup's results unsafe (allow_unsafe off): the template calling it makes an unsafe result
  noteTainted();
  const list = LIST_LOOKUPS[lookupName(name)];
  if (list) return list(terms, ctx);
  const strs = terms.flatMap((t) => (Array.isArray(t) ? t : [t])).map((t) => pyStr(t));
  switch (name) {
    case 'env':
    case 'ansible.builtin.env':
      return strs.map((v) => process.env[v] ?? (kw.default === undefined ? '' : kw.default));
    case 'file':
    case 'ansible.builtin.file':
      return strs.map((f) => {
        const text = readFileSync(findFile(f, 'files', ctx), 'utf8');
        // Ansible's file lookup: rstrip (default true) and lstrip (default false)
        const stripped = kw.rstrip === false ? text : rstrip(text);
        return kw.lstrip === true ? stripped.replace(/^\s+/, '') : stripped;
      });
    case 'template':
    case 'ansible.builtin.template':
      return strs.map((f) => {
        const file = findFile(f, 'templates', ctx);
        if (!renderTemplateFile) throw new TsplayError('lookup: template rendering is not available');
        // Ansible's template lookup adds the template module's variables (ansible_managed, template_*).
        return renderTemplateFile(readFileSync(file, 'utf8'), withData(ctx.vars, templateVars(f, file)), { file, line: 1 });
      });
    case 'pipe':
    case 'ansible.builtin.pipe':
      return strs.map((cmd) => {
        try {
          return rstrip(execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
        } catch (e) {
          const err = e as { status?: number; stderr?: string };
          throw new TsplayError(`lookup('pipe', ${JSON.stringify(cmd)}) failed with rc ${err.status ?? '?'}: ${rstrip(String(err.stderr ?? ''))}`);
        }
      });
    case 'vars':
    case 'ansible.builtin.vars':
      return strs.map((v) => {
        const r = ownGet(ctx.vars, v);
        if (r !== undefined) return r;
        if (kw.default !== undefined) return kw.default;
        throw new TsplayError(`undefined variable '${v}' (in lookup('vars'))`);
      });
    default:
      throw new TsplayError(`lookup plugin '${name}' is not supported (env, file, template, pipe, vars, ${Object.keys(LIST_LOOKUPS).join(', ')})`);
  }
}
