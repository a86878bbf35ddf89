import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Connection, ExecOptions } from '../connection/types.js';
import { LocalConnection } from '../connection/local.js';
import type { Source } from '../errors.js';
import { ParseError } from '../errors.js';
import { ArgumentError } from '../modules/args.js';
import type { ModuleContext, ModuleDef, Outcome } from '../modules/types.js';
import { applyPlan } from './apply.js';
import { anySignal } from '../util/abortable.js';
import type { Predicted } from '../facts/predicted.js';
import { runAsyncJob, type AsyncSpec } from './async-job.js';
import { SELINUX_PROBE, selinuxPlan, selinuxRequested } from '../modules/selinux-args.js';
import { expandTargetPaths } from '../modules/target-paths.js';

/** One module on one host: what its ModuleContext is made of, and how to reach the host. */
export interface ModuleRun extends Pick<ModuleContext, 'host' | 'vars' | 'check' | 'diff' | 'verbosity' | 'where'> {
  module: ModuleDef;
  /** Arguments after templating. */
  args: unknown;
  conn: Connection;
  /** become, environment, timeout: applied to every probe and step of the task. */
  exec?: ExecOptions;
  /**
   * When to stop waiting (guard deadline, task `timeout:`, Ctrl-C): the module's `ctx.signal`.
   * Default: the commands' signal (`exec.signal`).
   */
  signal?: AbortSignal;
  /** Under --check: the host's predicted overlay, read by the plan and extended with its `creates`. */
  predicted?: Predicted;
  /** Directories searched for `src:` files: role dir first, then the playbook dir. */
  searchDirs?: string[];
  /** Template rendering with this task's variables (`file`: a template file's text). */
  render?: ModuleContext['render'];
  /** `async:`/`poll:`: the steps run as a detached job on the host (not in check mode). */
  async?: AsyncSpec;
  /** Told every command before it is sent (-vv). */
  trace?: (command: string, kind: 'probe' | 'step') => void;
}


const local = new LocalConnection();

/** Parse, plan and apply one module on one host. The executor and module tests both go through here. */
export async function runModule(run: ModuleRun): Promise<Outcome> {
  let args: unknown;
  try {
    args = run.module.parse(run.args, run.where, false);
  } catch (e) {
    // as Ansible's module says it (missing required arguments: path)
    if (e instanceof ArgumentError) return { changed: false, failed: true, msg: e.moduleMsg };
    throw e;
  }
  const execOpts = run.exec ?? {};
  const ctx: ModuleContext = {
    host: run.host,
    vars: run.vars,
    check: run.check,
    diff: run.diff,
    ...(run.verbosity ? { verbosity: run.verbosity } : {}),
    where: run.where,
    signal: run.signal ?? execOpts.signal ?? new AbortController().signal,
    ...(run.check && run.predicted ? { predicted: run.predicted } : {}),
    probe: (command, opts) => {
      run.trace?.(command, 'probe');
      // a probe's own signal (a wait that Ctrl-C ends) adds to the task's, never replaces it
      const signal = opts?.signal && execOpts.signal ? anySignal(execOpts.signal, opts.signal) : (opts?.signal ?? execOpts.signal);
      return run.conn.exec(command, { ...execOpts, ...opts, ...(signal ? { signal } : {}) });
    },
    findLocalFile: (kind, name) => findLocalFile(run.searchDirs ?? [process.cwd()], kind, name, run.where),
    render: run.render ?? ((text) => text),
  };
  // `~` and `$VAR` in the module's target paths, as the module would expand them on the host
  args = await expandTargetPaths(args, run.module.targetPaths, (cmd) => ctx.probe(cmd));
  const requested = run.module.selinuxArgs ? selinuxRequested(args) : [];
  const plan = (requested.length > 0 ? selinuxPlan(requested, await ctx.probe(SELINUX_PROBE)) : undefined) ?? (await run.module.plan(args, ctx));
  if (run.async && !run.check && !plan.failed) {
    if (run.module.controllerOnly) return { changed: false, failed: true, msg: 'async is not supported for this task.' };
    return runAsyncJob(plan, run.async, (cmd, opts) => {
      run.trace?.(cmd, 'step');
      return run.conn.exec(cmd, { ...execOpts, ...opts });
    }, ctx.signal);
  }
  const outcome = await applyPlan(plan, run.check, (step) => {
    // A controller-side step (fetch writing its local copy) must not take the target's become/environment.
    const opts: ExecOptions = step.local ? { signal: execOpts.signal, stdin: step.stdin } : { ...execOpts, stdin: step.stdin };
    if (step.timeoutMs !== undefined) opts.timeoutMs = step.timeoutMs;
    run.trace?.(step.local ? `(controller) ${step.cmd}` : step.cmd, 'step');
    return (step.local ? local : run.conn).exec(step.cmd, opts);
  });
  // what this task would have made is there for the next tasks of the host to see (--check only)
  if (run.check && run.predicted && plan.creates && outcome.changed && !outcome.failed && !outcome.skipped) run.predicted.record(plan.creates);
  return outcome;
}

/** Ansible's search for a relative `src`: DIR/files/NAME (or templates/), then DIR/NAME, for each dir. */
export function findLocalFile(dirs: string[], kind: 'files' | 'templates' | 'vars', name: string, where: Source): string {
  if (isAbsolute(name)) {
    if (existsSync(name)) return name;
    throw new ParseError(`could not find file '${name}'`, where);
  }
  const tried: string[] = [];
  for (const dir of dirs) {
    for (const candidate of [join(dir, kind, name), join(dir, name)]) {
      tried.push(candidate);
      if (existsSync(candidate)) return resolve(candidate);
    }
  }
  throw new ParseError(`could not find '${name}' (searched ${tried.join(', ')})`, where);
}
