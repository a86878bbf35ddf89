import type { Source } from '../errors.js';
import { statFile } from '../facts/file.js';
import { parseArgs, type ArgSpecs } from './args.js';
import type { ModuleContext, ModuleDef, Plan } from './types.js';

export interface StatArgs {
  path: string;
  follow: boolean;
  get_checksum: boolean;
  checksum_algorithm: 'sha1';
}

const specs: ArgSpecs = {
  path: { type: 'path', required: true, aliases: ['dest', 'name'] },
  follow: { type: 'bool', default: false },
  get_checksum: { type: 'bool', default: true },
  checksum_algorithm: { type: 'str', default: 'sha1', choices: ['sha1'], aliases: ['checksum', 'checksum_algo'] },
};

export function parseStatArgs(raw: unknown, where: Source, loadTime: boolean): StatArgs {
  return parseArgs<StatArgs>('stat', specs, raw, where, loadTime);
}

/** Read-only: one probe, never changed; the fields are named as Ansible's stat names them. */
export async function planStat(args: StatArgs, ctx: ModuleContext): Promise<Plan> {
  const st = await statFile(ctx, args.path, { checksum: args.get_checksum, follow: args.follow });
  if (!st.exists) return { steps: [], result: { stat: { exists: false } } };
  const stat: Record<string, unknown> = {
    exists: true,
    path: args.path,
    isdir: st.isDir,
    isreg: st.isFile,
    islnk: st.isLink,
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    pw_name: st.owner,
    gr_name: st.group,
    size: st.size,
    mtime: st.mtime,
    inode: st.inode,
    dev: st.dev,
  };
  if (st.isLink) stat.lnk_target = st.linkTarget;
  if (args.get_checksum && st.sha1) stat.checksum = st.sha1;
  return { steps: [], result: { stat } };
}

export const statModule: ModuleDef<StatArgs> = {
  name: 'stat',
  parse: parseStatArgs,
  plan: planStat,
};
