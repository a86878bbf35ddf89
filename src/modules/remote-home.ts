import { quote } from '../util/quote.js';
import type { ModuleContext } from './types.js';

/** `~` and `~user` at the start of a path: that user's home on the target (the user the task runs as, become included), as Ansible's _remote_expand_user. */
export async function expandRemoteHome(path: string, ctx: ModuleContext): Promise<string> {
  const m = /^~([A-Za-z0-9_.][A-Za-z0-9_.-]*)?(?=\/|$)/.exec(path);
  if (!m) return path;
  const r = await ctx.probe(`getent passwd ${m[1] ? quote(m[1]) : '"$(id -un)"'} | cut -d: -f6`);
  const home = r.stdout.trim();
  return home ? home + path.slice(m[0].length) : path;
}
