import { quote } from '../util/quote.js';
import type { ModuleContext, Plan } from './types.js';

export interface RunGuards {
  creates?: string;
  removes?: string;
  chdir?: string;
}

/**
 * `creates` / `removes` of command, shell and script, in one probe: the plan that skips the run
 * (ok, unchanged, with Ansible's message) when the file already exists / is already gone, else undefined.
 */
export async function skipByGuards(ctx: ModuleContext, g: RunGuards, cmd: string | string[]): Promise<Plan | undefined> {
  if (!g.creates && !g.removes) return undefined;
  const checks = [
    g.creates ? `if [ -e ${quote(g.creates)} ]; then echo creates; fi` : '',
    g.removes ? `if [ ! -e ${quote(g.removes)} ]; then echo removes; fi` : '',
  ].filter(Boolean);
  const r = await ctx.probe(g.chdir ? `cd ${quote(g.chdir)} && { ${checks.join('; ')}; }` : checks.join('; '));
  const hits = r.stdout.split('\n').map((s) => s.trim());
  const skip = (stdout: string, msg: string): Plan => ({ steps: [], changed: false, result: { cmd, rc: 0, stdout, stderr: '', stdout_lines: [stdout], stderr_lines: [], start: null, end: null, delta: null, msg } });
  if (hits.includes('creates')) return skip(`skipped, since ${g.creates} exists`, `Did not run command since '${g.creates}' exists`);
  if (hits.includes('removes')) return skip(`skipped, since ${g.removes} does not exist`, `Did not run command since '${g.removes}' does not exist`);
  return undefined;
}
