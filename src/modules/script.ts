import { readFileSync } from 'node:fs';
import type { ExecResult } from '../connection/types.js';
import { ParseError, TsplayError, type Source } from '../errors.js';
import { quote, quoteArgv } from '../util/quote.js';
import { shellSplit, splitFreeForm } from '../util/shlex.js';
import { skipByGuards } from './run-guards.js';
import { FREE_FORM_KEYS } from './command.js';
import { parseArgs, type ArgSpecs } from './args.js';
import type { ModuleContext, ModuleDef, Outcome, Plan } from './types.js';

export interface ScriptArgs {
  /** The controller script and its arguments, split into words. */
  argv: string[];
  creates?: string;
  removes?: string;
  chdir?: string;
  executable?: string;
}

const specs: ArgSpecs = {
  _raw_params: { type: 'str' },
  cmd: { type: 'str' },
  creates: { type: 'path' },
  removes: { type: 'path' },
  chdir: { type: 'path' },
  executable: { type: 'str' },
};

const KEYS = ['creates', 'removes', 'chdir', 'executable'] as const;

/** `script: files/x.sh --opt 'a b' creates=/x`: k=v options are taken out, the rest is the command line. */
export function parseScript(raw: unknown, where: Source, loadTime: boolean): ScriptArgs {
  if (typeof raw === 'string') raw = { _raw_params: raw };
  const args = parseArgs<{ _raw_params?: string; cmd?: string } & Omit<ScriptArgs, 'argv'>>('script', specs, raw, where, loadTime);
  if (args._raw_params !== undefined && args.cmd !== undefined) throw new ParseError("script: give either the free-form script or 'cmd', not both", where);
  let line = args._raw_params ?? args.cmd;
  if (line === undefined || line.trim() === '') throw new ParseError("script: no script given (write 'script: path/to/script args' or 'cmd:')", where);
  if (args._raw_params !== undefined) {
    let split: ReturnType<typeof splitFreeForm>;
    try {
      split = splitFreeForm(line, KEYS);
    } catch (e) {
      throw new ParseError(`script: ${(e as Error).message}`, where);
    }
    const { raw: rest, options } = split;
    line = rest;
    for (const k of KEYS) if (options[k] !== undefined && args[k] === undefined) args[k] = options[k];
  }
  let argv: string[];
  try {
    argv = shellSplit(line);
  } catch (e) {
    throw new ParseError(`script: ${(e as Error).message}`, where);
  }
  if (argv.length === 0) throw new ParseError('script: no script given', where);
  return { argv, creates: args.creates, removes: args.removes, chdir: args.chdir, executable: args.executable };
}

/**
 * Upload the script through stdin into a temp file on the target, run it (with `executable` or its own
 * shebang) and remove it. What it does cannot be known beforehand: skipped in check mode (changed,
 * as Ansible, when creates/removes say it would run).
 */
export async function planScript(args: ScriptArgs, ctx: ModuleContext): Promise<Plan> {
  const [name, ...rest] = args.argv as [string, ...string[]];
  const display = args.argv.join(' ');
  // As Ansible's script action: the guards first (a skip does not need the script), then the file
  const skipped = await skipByGuards(ctx, args, display, { skipsTask: true });
  if (skipped) return skipped;
  let body: Buffer;
  try {
    body = readFileSync(ctx.findLocalFile('files', name));
  } catch (e) {
    const msg = e instanceof TsplayError ? e.message : (e as Error).message;
    return { steps: [], failed: true, msg: `Could not find or access '${name}': ${msg}` };
  }
  // As Ansible's check mode: with creates/removes, a script that would run is changed, not skipped
  if (ctx.check && (args.creates !== undefined || args.removes !== undefined)) return { steps: [], changed: true };
  const run = `${args.executable ? `${quote(args.executable)} ` : ''}"$t"${rest.length ? ' ' + quoteArgv(rest) : ''}`;
  const cmd = [
    `t=$(mktemp "\${TMPDIR:-/tmp}/tsplay-script.XXXXXX") || exit 1`,
    `trap 'rm -f "$t"' EXIT`,
    `cat > "$t" && chmod 700 "$t" || exit 1`,
    args.chdir ? `cd ${quote(args.chdir)} || exit 1` : '',
    // Not `exec`: the trap must still remove the script afterwards. Its stdin is empty.
    `${run} < /dev/null`,
  ].filter(Boolean);
  return {
    steps: [{ cmd: cmd.join('\n'), stdin: body }],
    changed: true,
    unpredictable: true,
    result: { cmd: display },
    finish(results: ExecResult[], base: Outcome): Outcome {
      const r = results[0]!;
      const failed = r.rc !== 0 || !!r.timedOut || !!r.aborted;
      const out: Outcome = {
        ...base,
        failed,
        rc: r.rc,
        stdout: r.stdout,
        stderr: r.stderr,
        stdout_lines: r.stdout.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1),
        stderr_lines: r.stderr.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1),
      };
      if (r.timedOut) out.msg = 'script timed out and was killed';
      else if (failed) out.msg = 'non-zero return code';
      return out;
    },
  };
}

export const scriptModule: ModuleDef<ScriptArgs> = {
  name: 'script',
  freeForm: true,
  freeFormKeys: FREE_FORM_KEYS,
  parse: parseScript,
  plan: planScript,
};
