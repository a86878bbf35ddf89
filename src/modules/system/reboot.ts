import { ParseError } from '../../errors.js';
import { targetFromVars } from '../../connection/target.js';
import { quote } from '../../util/quote.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import { abortReason, wait } from '../../util/abortable.js';
import type { ModuleContext, ModuleDef, Outcome, Plan } from '../types.js';

/**
 * ansible.builtin.reboot: read the boot id, run `shutdown -r`, then wait — through the host's pooled
 * connection, which opens a new SSH session once the old one dropped — until the boot id changed and
 * `test_command` succeeds. Check mode reports changed and does nothing, as Ansible.
 */
export interface RebootArgs {
  pre_reboot_delay: number;
  post_reboot_delay: number;
  reboot_timeout: number;
  connect_timeout?: number;
  test_command: string;
  msg: string;
  search_paths: string[];
  boot_time_command: string;
  reboot_command?: string;
}

const specs: ArgSpecs = {
  pre_reboot_delay: { type: 'int', default: 0, aliases: ['pre_reboot_delay_sec'] },
  post_reboot_delay: { type: 'int', default: 0, aliases: ['post_reboot_delay_sec'] },
  reboot_timeout: { type: 'int', default: 600, aliases: ['reboot_timeout_sec'] },
  connect_timeout: { type: 'int', aliases: ['connect_timeout_sec'] },
  test_command: { type: 'str', default: 'whoami' },
  msg: { type: 'str', default: 'Reboot initiated by Ansible' },
  search_paths: { type: 'list', elements: 'str', default: ['/sbin', '/bin', '/usr/sbin', '/usr/bin', '/usr/local/sbin'] },
  boot_time_command: { type: 'str', default: 'cat /proc/sys/kernel/random/boot_id' },
  reboot_command: { type: 'str' },
};

/** The shutdown program and its arguments, as Ansible builds them for Linux. */
export function rebootCommandParts(a: RebootArgs): { bin: string; args: string } {
  if (a.reboot_command !== undefined) {
    const sp = a.reboot_command.indexOf(' ');
    return sp < 0 ? { bin: a.reboot_command, args: '' } : { bin: a.reboot_command.slice(0, sp), args: a.reboot_command.slice(sp + 1) };
  }
  // Ansible formats the message into a double-quoted word; quote it for the shell instead.
  return { bin: 'shutdown', args: `-r ${Math.floor(a.pre_reboot_delay / 60)} ${quote(a.msg)}` };
}

/** A shell loop printing the first search path holding `bin` (Ansible runs `find` for it). */
export function findBinCommand(bin: string, paths: string[]): string {
  return `for d in ${paths.map((p) => quote(p)).join(' ')}; do if [ -e "$d"/${quote(bin)} ]; then echo "$d"/${quote(bin)}; exit 0; fi; done; exit 1`;
}

/** Run until `ok` or the deadline; Ansible retries with a growing delay (capped here at 2 s). */
async function until(deadline: number, signal: AbortSignal, attempt: () => Promise<string | undefined>): Promise<string | undefined> {
  let delay = 200;
  let last = '';
  for (;;) {
    if (signal.aborted) return abortReason(signal);
    try {
      const fail = await attempt();
      if (fail === undefined) return undefined;
      last = fail;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() >= deadline) return last;
    if (!(await wait(Math.min(delay, Math.max(0, deadline - Date.now())), signal))) return abortReason(signal);
    delay = Math.min(delay * 2, 2000);
  }
}

async function rebootAndWait(a: RebootArgs, ctx: ModuleContext, shutdown: string, previous: string, base: Outcome): Promise<Outcome> {
  const start = Date.now();
  const elapsed = () => Math.floor((Date.now() - start) / 1000);
  const { args } = rebootCommandParts(a);
  try {
    const r = await ctx.probe(`${quote(shutdown)}${args ? ' ' + args : ''}`);
    if (r.rc !== 0) {
      return { ...base, changed: false, failed: true, rebooted: false, elapsed: elapsed(), msg: `Reboot command failed. Error was: '${r.stdout.trim()}, ${r.stderr.trim()}'` };
    }
  } catch {
    // The connection closed under the command: the host is going down, as Ansible assumes too.
  }
  if (a.post_reboot_delay > 0 && !(await wait(a.post_reboot_delay * 1000, ctx.signal))) {
    return { ...base, failed: true, rebooted: true, elapsed: elapsed(), msg: abortReason(ctx.signal) };
  }
  const deadline = start + a.reboot_timeout * 1000;
  const timeoutMs = (a.connect_timeout ?? 5) * 1000;
  const bootCheck = await until(deadline, ctx.signal, async () => {
    const r = await ctx.probe(a.boot_time_command, { timeoutMs, signal: ctx.signal });
    if (r.rc !== 0) return `boot time command failed: ${r.stderr.trim() || r.stdout.trim()}`;
    return r.stdout.trim() === previous ? 'boot time has not changed' : undefined;
  });
  if (bootCheck !== undefined) {
    return { ...base, failed: true, rebooted: true, elapsed: elapsed(), msg: `Timed out waiting for last boot time check (timeout=${a.reboot_timeout}): ${bootCheck}` };
  }
  const test = await until(deadline, ctx.signal, async () => {
    const r = await ctx.probe(a.test_command, { timeoutMs, signal: ctx.signal });
    return r.rc === 0 ? undefined : `Test command failed: ${r.stderr.trim()} ${r.stdout.trim()}`.trim();
  });
  if (test !== undefined) {
    return { ...base, failed: true, rebooted: true, elapsed: elapsed(), msg: `Timed out waiting for post-reboot test command (timeout=${a.reboot_timeout}): ${test}` };
  }
  return { ...base, changed: true, rebooted: true, elapsed: elapsed() };
}

export const rebootModule: ModuleDef<RebootArgs> = {
  name: 'reboot',
  parse(raw, where, loadTime) {
    const a = parseArgs<RebootArgs>('reboot', specs, raw, where, loadTime);
    if (!loadTime) {
      for (const k of ['pre_reboot_delay', 'post_reboot_delay', 'reboot_timeout'] as const) {
        if (a[k] < 0) throw new ParseError(`reboot: argument '${k}' must not be negative`, where);
      }
    }
    return a;
  },
  async plan(a, ctx): Promise<Plan> {
    if (targetFromVars(ctx.host, ctx.vars).kind === 'local') {
      return { steps: [], failed: true, result: { rebooted: false, elapsed: 0 }, msg: 'Running reboot with local connection would reboot the control node.' };
    }
    if (ctx.check) return { steps: [], changed: true, result: { rebooted: true, elapsed: 0 } };
    const boot = await ctx.probe(a.boot_time_command);
    if (boot.rc !== 0) {
      return { steps: [], failed: true, result: { rebooted: false }, msg: `Command returned rc=${boot.rc} while reading the boot time: ${boot.stderr.trim() || boot.stdout.trim()}` };
    }
    const { bin } = rebootCommandParts(a);
    let shutdown = bin;
    if (!bin.startsWith('/')) {
      const found = await ctx.probe(findBinCommand(bin, a.search_paths));
      if (found.rc !== 0) return { steps: [], failed: true, msg: `Unable to find command "${bin}" in search paths: ${JSON.stringify(a.search_paths)}` };
      shutdown = found.stdout.trim();
    }
    // No planned step: the reboot runs in `finishAsync`, which must survive the connection dropping under it.
    return { steps: [], changed: true, result: { rebooted: true }, finishAsync: (_results, base) => rebootAndWait(a, ctx, shutdown, boot.stdout.trim(), base) };
  },
};
