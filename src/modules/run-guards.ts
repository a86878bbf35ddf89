import { quote, quoteGlob } from '../util/quote.js';
import type { ModuleContext, Plan } from './types.js';

export interface RunGuards {
  creates?: string;
  removes?: string;
  chdir?: string;
}

export interface GuardRules {
  /** `creates`/`removes` are Python glob patterns (command, shell); else plain paths (script). */
  glob?: boolean;
  /** A `chdir` that cannot be entered fails the task, before the guards are read (command, shell). */
  chdirFails?: boolean;
  /**
   * The guard is the action's, not the module's (script): a skip is a skipped task, as Ansible's
   * script action raises AnsibleActionSkip, with its message; else an ok command result.
   */
  skipsTask?: boolean;
}

/**
 * `creates` / `removes` of command, shell and script, and whether `chdir` can be entered, in one probe:
 * the plan that skips the run (command: ok, unchanged; script: skipped; with Ansible's messages) when
 * the file already exists / is already gone, or that fails as Ansible's command does when chdir fails;
 * else undefined.
 */
export async function skipByGuards(ctx: ModuleContext, g: RunGuards, cmd: string | string[], rules: GuardRules = {}): Promise<Plan | undefined> {
  const chdirFails = rules.chdirFails && g.chdir !== undefined;
  if (!g.creates && !g.removes && !chdirFails) return undefined;
  // Python's glob.glob: a pattern names what matches it, broken symlinks too; no match, nothing
  const exists = (p: string) => (rules.glob ? `{ found=; for f in ${quoteGlob(p)}; do if [ -e "$f" ] || [ -L "$f" ]; then found=1; break; fi; done; [ -n "$found" ]; }` : `[ -e ${quote(p)} ]`);
  const checks = [
    g.creates ? `if ${exists(g.creates)}; then echo creates; fi` : '',
    g.removes ? `if ! ${exists(g.removes)}; then echo removes; fi` : '',
  ].filter(Boolean);
  const body = checks.length ? checks.join('; ') : 'true';
  let probe = body;
  if (g.chdir !== undefined) {
    const dir = quote(g.chdir);
    // why cd failed, as Python's OSError says it: missing, not a directory, or not allowed
    probe = chdirFails
      ? `if cd -P -- ${dir} 2>/dev/null; then ${body}; elif [ ! -e ${dir} ] && [ ! -L ${dir} ]; then echo chdir:2; elif [ ! -d ${dir} ]; then echo chdir:20; else echo chdir:13; fi`
      : `cd ${dir} && { ${body}; }`;
  }
  const r = await ctx.probe(probe);
  const hits = r.stdout.split('\n').map((s) => s.trim());
  const chdirError = hits.find((h) => h.startsWith('chdir:'));
  if (chdirError) {
    const errno = Number(chdirError.slice('chdir:'.length));
    const why = errno === 2 ? 'No such file or directory' : errno === 20 ? 'Not a directory' : 'Permission denied';
    return {
      steps: [],
      failed: true,
      msg: `Unable to change directory before execution: [Errno ${errno}] ${why}: ${pyBytesRepr(g.chdir!)}`,
      result: { cmd, rc: null, stdout: '', stderr: '', start: null, end: null, delta: null },
    };
  }
  if (rules.skipsTask) {
    const skipTask = (msg: string): Plan => ({ steps: [], changed: false, result: { skipped: true, msg } });
    if (hits.includes('creates')) return skipTask(`${g.creates} exists, matching creates option`);
    if (hits.includes('removes')) return skipTask(`${g.removes} does not exist, matching removes option`);
    return undefined;
  }
  const did = ctx.check ? 'Would' : 'Did';
  const skip = (stdout: string, msg: string): Plan => ({ steps: [], changed: false, result: { cmd, rc: 0, stdout, stderr: '', stdout_lines: [stdout], stderr_lines: [], start: null, end: null, delta: null, msg } });
  if (hits.includes('creates')) return skip(`skipped, since ${g.creates} exists`, `${did} not run command since '${g.creates}' exists`);
  if (hits.includes('removes')) return skip(`skipped, since ${g.removes} does not exist`, `${did} not run command since '${g.removes}' does not exist`);
  return undefined;
}

/** Python's repr() of a path as bytes (b'/x'), as its OSError messages print a bytes path. */
export function pyBytesRepr(path: string): string {
  const q = path.includes("'") && !path.includes('"') ? '"' : "'";
  let out = '';
  for (const b of Buffer.from(path, 'utf8')) {
    const c = String.fromCharCode(b);
    if (c === '\\' || c === q) out += `\\${c}`;
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return `b${q}${out}${q}`;
}
