import { ParseError } from '../errors.js';
import { quote, quoteArgv } from '../util/quote.js';
import { shellSplit } from '../util/shlex.js';
import { parseArgs, unrendered, type ArgSpecs } from './args.js';
import { skipByGuards } from './run-guards.js';
import type { ModuleContext, ModuleDef, Outcome, Plan } from './types.js';
import type { ExecResult } from '../connection/types.js';

/** What command and shell share: guards (creates/removes), chdir, stdin, and the result shape. */
export interface CommandArgs {
  _raw_params?: string;
  cmd?: string;
  argv?: string[];
  creates?: string;
  removes?: string;
  chdir?: string;
  stdin?: string;
  stdin_add_newline: boolean;
  strip_empty_ends: boolean;
  executable?: string;
  /**
   * Set at run time instead of throwing: what Ansible's module fails with (`rc: 256`) for a task
   * with no command or with both a command and `argv`. At load time these are errors (kept, with a
   * warning, where Ansible would only fail when the task runs).
   */
  fails?: string;
}

export const commandSpecs: ArgSpecs = {
  _raw_params: { type: 'str' },
  cmd: { type: 'str' },
  argv: { type: 'list', elements: 'str' },
  creates: { type: 'path' },
  removes: { type: 'path' },
  chdir: { type: 'path' },
  stdin: { type: 'str' },
  stdin_add_newline: { type: 'bool', default: true },
  strip_empty_ends: { type: 'bool', default: true },
  executable: { type: 'path' },
};

/**
 * The k=v words Ansible's parse_kv takes out of a command line (splitter.py, check_raw) for command,
 * shell, script and raw: `command: ls creates=/x`.
 */
export const FREE_FORM_KEYS = ['creates', 'removes', 'chdir', 'executable', 'stdin', 'stdin_add_newline', 'strip_empty_ends'] as const;

function parseCommandArgs(module: string, raw: unknown, where: Parameters<ModuleDef['parse']>[1], loadTime: boolean): CommandArgs {
  const args = parseArgs<CommandArgs>(module, commandSpecs, raw, where, loadTime);
  const given = ['_raw_params', 'cmd', 'argv'].filter((k) => args[k as keyof CommandArgs] !== undefined);
  if (given.length === 0 || (args._raw_params !== undefined && args._raw_params.trim() === '' && given.length === 1)) {
    if (!loadTime) return { ...args, fails: 'no command given' };
    throw new ParseError(`${module}: no command given (write '${module}: CMD', or 'cmd:'${module === 'command' ? "/'argv:'" : ''})`, where);
  }
  if (given.length > 1) {
    if (!loadTime && args.argv !== undefined) return { ...args, fails: 'only command or argv can be given, not both' };
    throw new ParseError(`${module}: give only one of the free-form command, 'cmd' and 'argv'`, where);
  }
  if (module === 'shell' && args.argv) throw new ParseError("shell: 'argv' is not supported, use a command string", where);
  // command splits its line itself: an unbalanced quote is found at load time, not on the host
  const text = args._raw_params ?? args.cmd;
  if (module === 'command' && text !== undefined && !unrendered(text, loadTime)) {
    try {
      shellSplit(text);
    } catch (e) {
      throw new ParseError(`command: ${(e as Error).message}`, where);
    }
  }
  return args;
}

/** A time as Python's str(datetime.now()) prints it (local time, microseconds): Ansible's start/end. */
export function pyDateTime(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
}

/** A duration as Python's str(timedelta) prints it: H:MM:SS.ffffff (Ansible's delta). */
export function pyTimeDelta(ms: number): string {
  const s = Math.floor(ms / 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}.${String(ms % 1000).padStart(3, '0')}000`;
}

/** strip_empty_ends: Python's rstrip("\r\n"), as Ansible's command module. */
function strip(s: string, yes: boolean): string {
  return yes ? s.replace(/[\r\n]+$/, '') : s;
}

/** Python's str.splitlines(), as Ansible makes stdout_lines/stderr_lines. */
export function pySplitlines(s: string): string[] {
  const lines = s.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Why a run failed, in the words of Ansible's command and raw: killed at its timeout, interrupted, a non-zero rc. */
export function runFailure(r: ExecResult): string | undefined {
  if (r.timedOut) return 'command timed out and was killed';
  if (r.aborted) return 'command interrupted';
  if (r.rc !== 0) return 'non-zero return code';
  return undefined;
}

/** Plan a command run: probe creates/removes, then one step that is always "changed". */
async function planCommand(module: 'command' | 'shell', args: CommandArgs, ctx: ModuleContext): Promise<Plan> {
  // Ansible's fail_json with the fields command always returns
  if (args.fails !== undefined) return { steps: [], failed: true, msg: args.fails, result: { rc: 256, cmd: null, stdout: '', stderr: '', start: null, end: null, delta: null } };
  let line: string;
  // Ansible's `cmd`: the command line for shell, the argument list for command
  let shown: string | string[];
  if (module === 'shell') {
    const text = args._raw_params ?? args.cmd ?? '';
    line = args.executable ? `${quote(args.executable)} -c ${quote(text)}` : text;
    shown = text;
  } else {
    let words: string[];
    try {
      words = args.argv ?? shellSplit(args._raw_params ?? args.cmd ?? '');
    } catch (e) {
      throw new ParseError(`command: ${(e as Error).message}`, ctx.where);
    }
    line = quoteArgv(words);
    shown = words;
  }
  const skipped = await skipByGuards(ctx, args, shown, { glob: true, chdirFails: true });
  if (skipped) return skipped;
  // As Ansible's check mode: a command with creates/removes that would run is changed, not skipped
  if (ctx.check && (args.creates !== undefined || args.removes !== undefined)) {
    return { steps: [], changed: true, result: { cmd: shown, rc: 0, stdout: '', stderr: '', start: null, end: null, delta: null, msg: 'Command would have run if not in check mode' } };
  }
  // -P: the physical directory, as Python's os.chdir leaves it ($PWD has no symlinks in it)
  const cmd = args.chdir ? `cd -P -- ${quote(args.chdir)} && ${line}` : line;
  const stdin = args.stdin !== undefined ? args.stdin + (args.stdin_add_newline ? '\n' : '') : undefined;
  const started = new Date();
  return {
    steps: [{ cmd, stdin }],
    changed: true,
    unpredictable: true,
    // what check mode's skip says; a run's finish sets its own
    msg: 'Command would have run if not in check mode',
    // As Ansible 2.4+: command ignores `executable`, with its warning
    result: { cmd: shown, ...(module === 'command' && args.executable ? { warnings: [`As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '${args.executable}'.`] } : {}) },
    finish(results: ExecResult[], base: Outcome): Outcome {
      const r = results[0]!;
      const end = new Date();
      const stdout = strip(r.stdout, args.strip_empty_ends);
      const stderr = strip(r.stderr, args.strip_empty_ends);
      const failure = runFailure(r);
      return {
        ...base,
        failed: failure !== undefined,
        rc: r.rc,
        stdout,
        stderr,
        stdout_lines: pySplitlines(stdout),
        stderr_lines: pySplitlines(stderr),
        start: pyDateTime(started),
        end: pyDateTime(end),
        delta: pyTimeDelta(end.getTime() - started.getTime()),
        msg: failure ?? '',
      };
    },
  };
}

/** Ansible's `type: path` options of command and shell, expanded on the target. */
const COMMAND_PATHS = ['chdir', 'creates', 'removes'] as const;

export const commandModule: ModuleDef<CommandArgs> = {
  targetPaths: COMMAND_PATHS,
  name: 'command',
  freeForm: true,
  freeFormKeys: FREE_FORM_KEYS,
  parse: (raw, where, loadTime) => parseCommandArgs('command', raw, where, loadTime),
  plan: (args, ctx) => planCommand('command', args, ctx),
};

export const shellModule: ModuleDef<CommandArgs> = {
  targetPaths: COMMAND_PATHS,
  name: 'shell',
  freeForm: true,
  freeFormKeys: FREE_FORM_KEYS,
  parse: (raw, where, loadTime) => parseCommandArgs('shell', raw, where, loadTime),
  plan: (args, ctx) => planCommand('shell', args, ctx),
};
