import { quote } from '../util/quote.js';
import type { ModuleContext, Plan, Step } from './types.js';
import { planFileWrite } from './write-file.js';

/**
 * Helpers the repository modules share (apt_repository, deb822_repository, yum_repository): read several
 * small config files in one round trip, and plan writing or removing them (atomic writes, diff, mode).
 */

/** The text of each existing file among `paths` (globs allowed), by path. One probe. */
export async function readFiles(ctx: Pick<ModuleContext, 'probe'>, paths: string[]): Promise<Map<string, string>> {
  const globs = paths.map((p) => p.replace(/[^A-Za-z0-9_\-+=.,:/@%*]/g, (c) => `\\${c}`)).join(' ');
  const r = await ctx.probe(`for f in ${globs}; do [ -f "$f" ] && { printf '@@file %s\\n' "$f"; base64 < "$f"; }; done; true`);
  const files = new Map<string, string>();
  let name: string | undefined;
  let b64: string[] = [];
  const flush = () => name !== undefined && files.set(name, Buffer.from(b64.join(''), 'base64').toString('utf8'));
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('@@file ')) (flush(), (name = line.slice(7)), (b64 = []));
    else b64.push(line.trim());
  }
  flush();
  return files;
}

/** Plans for each file to write (path → content) or remove (content null), merged into one plan. */
export async function planFiles(
  module: string,
  changes: Map<string, string | null>,
  ctx: ModuleContext,
  opts: { mode?: string; owner?: string; group?: string } = {},
): Promise<Plan> {
  const merged: Plan = { steps: [], diff: [] };
  for (const [path, content] of changes) {
    if (content === null) {
      merged.steps.push({ cmd: `rm -f -- ${quote(path)}` });
      continue;
    }
    const p = await planFileWrite({ module, dest: path, data: Buffer.from(content), backup: false, force: true, noReadBack: true, ...opts }, ctx);
    if (p.failed) return p;
    merged.steps.push(...p.steps);
    merged.diff!.push(...(p.diff ?? []));
  }
  return merged;
}

/** `apt-get update` after a sources change, retried as the apt module does. */
export function aptUpdateStep(retries: number, maxDelay: number): Step {
  const tries = Math.max(1, retries);
  const loop = Array.from({ length: tries }, (_, i) => `DEBIAN_FRONTEND=noninteractive LC_ALL=C apt-get update && exit 0${i < tries - 1 ? `; sleep ${Math.min(2 ** i, maxDelay)}` : ''}`);
  return { cmd: `${loop.join('; ')}; exit 1` };
}
