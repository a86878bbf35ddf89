import { statSync } from 'node:fs';
import { basename, posix } from 'node:path';
import { ParseError, TsplayError, type Source } from '../errors.js';
import { readRemoteBytes, statFiles } from '../facts/file.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { octal, parseMode } from './file-attrs.js';
import type { ModuleContext, ModuleDef, Plan } from './types.js';
import { planRemoteTreeCopy, planTreeCopy, controllerBytes } from './copy-tree.js';
import { checkValidate, planFileWrite, writeArgSpecs, writeFields, type FileWrite, type WriteArgs } from './write-file.js';

export interface CopyArgs extends WriteArgs {
  src?: string;
  content?: string;
  remote_src: boolean;
  directory_mode?: string;
  /** follow symlinks in the source tree; not given: yes for a controller tree, no for a remote_src one (as Ansible) */
  local_follow?: boolean;
  /** dest is a link: write through it (Ansible's file-common `follow`) */
  follow: boolean;
  /** vault-encrypted controller sources are decrypted with the run's vault secrets (no: copied as they are) */
  decrypt: boolean;
  /** SHA-1 the source must have (Ansible's action plugin passes it; the module checks it) */
  checksum?: string;
}

const specs: ArgSpecs = {
  src: { type: 'path' },
  content: { type: 'raw' },
  ...writeArgSpecs,
  force: { type: 'bool', default: true, aliases: ['thirsty'] },
  remote_src: { type: 'bool', default: false },
  directory_mode: { type: 'raw' },
  local_follow: { type: 'bool' },
  follow: { type: 'bool', default: false },
  decrypt: { type: 'bool', default: true },
  checksum: { type: 'str' },
  // required, checked in parseCopy with the action plugin's message
  dest: { type: 'path' },
};

export function parseCopy(raw: unknown, where: Source, loadTime: boolean): CopyArgs {
  const args = parseArgs<CopyArgs & { content?: unknown }>('copy', specs, raw, where, loadTime);
  // Ansible's action plugin checks these, in this order, with these messages (the target asserts them)
  if (!args.src && args.content === undefined) throw new ParseError("copy: src (or content) is required", where);
  if (!args.dest) throw new ParseError('copy: dest is required', where);
  if (args.src && args.content !== undefined) throw new ParseError('copy: src and content are mutually exclusive', where);
  if (args.content !== undefined && args.dest.endsWith('/')) throw new ParseError('copy: can not use content with a dir as dest', where);
  // A dict or list given as content is written as JSON, as Ansible does.
  if (args.content !== undefined && typeof args.content !== 'string') {
    args.content = typeof args.content === 'object' ? JSON.stringify(args.content) : String(args.content);
  }
  args.mode = parseMode('copy', 'mode', args.mode, where, loadTime, true);
  args.directory_mode = parseMode('copy', 'directory_mode', args.directory_mode, where, loadTime);
  checkValidate('copy', args.validate, where, loadTime);
  if (args.remote_src && args.src === undefined) throw new ParseError("copy: 'remote_src' needs 'src'", where);
  return args as CopyArgs;
}

function common(args: CopyArgs): Omit<FileWrite, 'dest' | 'data'> {
  return { ...writeFields('copy', args), follow: args.follow };
}

export async function planCopy(args: CopyArgs, ctx: ModuleContext): Promise<Plan> {
  if (args.content !== undefined) {
    return planFileWrite({ ...common(args), dest: args.dest, data: Buffer.from(args.content, 'utf8') }, ctx);
  }
  const src = args.src!;
  if (args.remote_src) {
    const [srcSt] = await statFiles(ctx, [src], { follow: true });
    if (srcSt!.exists && !srcSt!.isDir && !srcSt!.isFile) return { steps: [], failed: true, msg: `Cannot copy invalid source '${src}': not a file` };
    if (srcSt!.isDir) {
      return planRemoteTreeCopy({ src, dest: args.dest, localFollow: args.local_follow, owner: args.owner, group: args.group }, ctx);
    }
    const data = await readRemoteBytes(ctx, src);
    if (data === undefined) return { steps: [], failed: true, msg: `Source ${src} not found` };
    // mode: preserve takes the remote source's mode (the module does it on the host)
    const srcMode = args.mode === 'preserve' ? (await statFiles(ctx, [src], { follow: true }))[0]!.mode : undefined;
    return planFileWrite({ ...common(args), dest: args.dest, data, srcName: posix.basename(src), ...(srcMode ? { srcMode } : {}), result: { src } }, ctx);
  }
  let local: string;
  try {
    local = ctx.findLocalFile('files', src);
  } catch (e) {
    if (e instanceof TsplayError) return { steps: [], failed: true, msg: `Could not find or access '${src}': ${e.message}` };
    throw e;
  }
  const st = statSync(local);
  if (st.isDirectory()) return planTreeCopy({ src, local, dest: args.dest, localFollow: args.local_follow ?? true, decrypt: args.decrypt, directoryMode: args.directory_mode, write: common(args) }, ctx);
  const read = controllerBytes(local, args.decrypt);
  if ('error' in read) return { steps: [], failed: true, msg: read.error };
  const data = read.data;
  return planFileWrite(
    { ...common(args), dest: args.dest, data, srcName: basename(local), srcMode: octal(st.mode & 0o7777), result: { src } },
    ctx,
  );
}

export const copyModule: ModuleDef<CopyArgs> = {
  // dest is the target's; src too with remote_src (else the controller's: the action plugin reads it there)
  targetPaths: ['dest', { arg: 'src', when: 'remote_src' }],
  selinuxArgs: true,
  name: 'copy',
  parse: parseCopy,
  plan: planCopy,
};
