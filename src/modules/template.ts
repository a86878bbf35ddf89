import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { TsplayError, type Source } from '../errors.js';
import { templateVars } from '../template/template-vars.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { octal, parseMode } from './file-attrs.js';
import type { ModuleContext, ModuleDef, Plan } from './types.js';
import { checkValidate, planFileWrite, writeArgSpecs, writeFields, type WriteArgs } from './write-file.js';

export interface TemplateArgs extends WriteArgs {
  src: string;
  newline_sequence: '\n' | '\r' | '\r\n';
}

const specs: ArgSpecs = {
  src: { type: 'path', required: true },
  ...writeArgSpecs,
  newline_sequence: { type: 'str', default: '\n', choices: ['\n', '\r', '\r\n'] },
};

export function parseTemplate(raw: unknown, where: Source, loadTime: boolean): TemplateArgs {
  const args = parseArgs<TemplateArgs>('template', specs, raw, where, loadTime);
  args.mode = parseMode('template', 'mode', args.mode, where, loadTime, true);
  checkValidate('template', args.validate, where, loadTime);
  return args;
}

/** Render the controller template with the task's variables, then write it with copy's semantics. */
export async function planTemplate(args: TemplateArgs, ctx: ModuleContext): Promise<Plan> {
  let path: string;
  let rendered: string;
  try {
    path = ctx.findLocalFile('templates', args.src);
    rendered = ctx.render(readFileSync(path, 'utf8'), path, templateVars(args.src, path, args.dest));
  } catch (e) {
    // A missing file or a render error (undefined variable…) fails this task on this host, as in Ansible.
    const msg = e instanceof TsplayError ? e.describe() : (e as Error).message;
    return { steps: [], failed: true, msg: `template ${args.src}: ${msg}` };
  }
  if (args.newline_sequence !== '\n') rendered = rendered.replace(/\r\n|\r|\n/g, args.newline_sequence);
  return planFileWrite(
    {
      ...writeFields('template', args),
      dest: args.dest,
      data: Buffer.from(rendered, 'utf8'),
      srcName: basename(path),
      srcMode: octal(statSync(path).mode & 0o7777),
      result: { src: args.src },
    },
    ctx,
  );
}

export const templateModule: ModuleDef<TemplateArgs> = {
  targetPaths: ['dest'],
  selinuxArgs: true,
  name: 'template',
  parse: parseTemplate,
  plan: planTemplate,
};
