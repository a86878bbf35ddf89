import { dirname } from 'node:path';
import { abortReason, anySignal, wait } from '../util/abortable.js';
import { UnreachableError, type Connection, type ExecOptions } from '../connection/types.js';
import { targetFor, targetFromVars } from '../connection/target.js';
import { keywordValue } from '../playbook/keywords.js';
import { ParseError, TsplayError } from '../errors.js';
import { findModule } from '../modules/registry.js';
import type { FileDiff, Outcome } from '../modules/types.js';
import type { Task } from '../playbook/types.js';
import { renderDeep, renderFile, renderValue } from '../template/render.js';
import { evalCondition } from '../template/expr.js';
import { lazyVars, withData } from '../template/lazy.js';
import { renderedKeyword } from './keyword.js';
import { Predicted } from '../facts/predicted.js';
import type { Vars } from '../types.js';
import type { PlayContext } from './context.js';
import { taskKeywords, type Inherited } from './inherit.js';
import { runModule } from './run-module.js';
import { storeFacts, storeRegistered, storeSetFacts } from './state.js';
import { applyResultKeys } from './result-keys.js';
import { buildVars } from './vars.js';
import { loopItemsMarked, loopVars, renderedLoopControl } from './loop.js';
import { conditionFalseResult, shownName, taskInfo, statusOf, type TaskRunResult } from './result.js';
import { aggregateLoop, registeredValue } from './result-shape.js';
import { renderNotify } from './handlers.js';
import { chosenModule } from './chosen-module.js';

/** A loop item in one short line (for an error message). */
function short(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** What a no_log result shows: that it changed or failed, nothing it printed. */
function censored(result: Outcome): Record<string, unknown> {
  return { censored: NO_LOG, changed: result.changed, ...(result.failed ? { failed: true } : {}), ...(result.skipped ? { skipped: true } : {}) };
}

/** What a shell accepts as a variable name (checked at load time, and again after templating). */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const NO_LOG = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/**
 * runTaskOnHost, with whatever it throws kept in its host: an unexpected error (a bug, a module that
 * threw, a bad value only known at run time) becomes that host's failed result, so rescue/always and
 * the guard teardown run, failure rules apply and the other hosts go on. Only the controller's own
 * faults (outside one host's task) end the run with exit 250.
 */
export async function runTaskOnHostContained(ctx: PlayContext, task: Task, host: string, inh: Inherited, shareWith: readonly string[] = []): Promise<TaskRunResult> {
  try {
    return await runTaskOnHost(ctx, task, host, inh, shareWith);
  } catch (e) {
    const msg = e instanceof TsplayError ? e.describe() : `internal error while running this task: ${(e as Error)?.message ?? String(e)}`;
    const result: Outcome = { changed: false, failed: true, msg };
    if (!(e instanceof TsplayError) && ctx.opts.verbosity >= 3) result.exception = (e as Error)?.stack ?? String(e);
    ctx.emit({ kind: 'host-result', task: taskInfo(task), host, status: 'failed', result, rescued: inh.rescuable });
    return { status: 'failed', result, ignoredUnreachable: false };
  }
}

/**
 * Run one task on one host: conditions, loop, retries, the module, result rules, register, notify.
 * `shareWith`: the other hosts that get its registered result and facts (a run_once task's batch).
 */
export async function runTaskOnHost(ctx: PlayContext, task: Task, host: string, inh: Inherited, shareWith: readonly string[] = []): Promise<TaskRunResult> {
  const state = ctx.state(host);
  const kw = taskKeywords(inh, task);
  const info = taskInfo(task);
  const baseVars = buildVars(ctx, host, inh, task.vars, { ansible_search_path: searchPath(task, inh, ctx.play.dir) });
  const scope = lazyVars(baseVars, task.where);
  const context = `task '${info.name}'`;
  const conditions = [...inh.when, ...(task.when ?? [])];
  const flag = (key: string, v: unknown, dflt: boolean): boolean => (v === undefined ? dflt : (renderedKeyword(key, v, scope, task.where, context) as boolean));

  let result: Outcome;
  let delegatedTo: string | undefined;
  /** The facts each item of a looped set_fact set, in order. */
  let loopFacts: Vars[] | undefined;
  /** The module that ran: task.module, or what a templated one rendered to. */
  let ran = task.module;
  try {
    const looped = task.loop !== undefined ? loopOrSkip(task, scope, conditions, context) : undefined;
    if (looped?.skipped) result = looped.skipped;
    else if (looped) {
      const { items, unsafe: itemsUnsafe } = looped;
      const loopControl = renderedLoopControl(task.loopControl, scope, task.where, context);
      if (loopControl !== task.loopControl) task = { ...task, loopControl };
      const results: Outcome[] = [];
      // As Ansible: the facts an item sets (set_fact in a loop) are seen by the next items, and all of them are kept
      const carried: Vars = {};
      for (let i = 0; i < items.length; i++) {
        if (ctx.hostSignal(host).aborted || ctx.signal.aborted) break;
        const itemScope = lazyVars(withData(withData(baseVars, carried), loopVars(task, items, i), itemsUnsafe), task.where);
        let one: OnceResult;
        try {
          one = await runOnceWithConditions(ctx, task, host, itemScope, conditions, kw, context);
        } catch (e) {
          // As Ansible: an item that cannot run (a value that does not render) fails the whole task and
          // the items after it do not run — said plainly, naming the item.
          if (!(e instanceof TsplayError)) throw e;
          const which = flag('no_log', kw.noLog, false) ? '' : ` (${short(items[i])})`;
          const rest = items.length - i - 1;
          throw new TsplayError(`${e.message} — in loop item ${i + 1} of ${items.length}${which}; the task failed${rest === 1 ? ' and the item after it did not run' : rest > 1 ? ` and the ${rest} items after it did not run` : ''}`, { code: e.code, where: e.where, context: e.context });
        }
        delegatedTo = one.delegatedTo;
        ran = one.module ?? ran;
        const itemFacts = one.outcome.ansible_facts as Vars | undefined;
        if (ran === 'set_fact' && itemFacts && !one.outcome.failed && !one.outcome.skipped) {
          Object.assign(carried, itemFacts);
          (loopFacts ??= []).push(itemFacts);
        }
        const loopVar = task.loopControl?.loopVar ?? 'item';
        const itemResult: Outcome = { ...one.outcome, [loopVar]: items[i], ansible_loop_var: loopVar };
        results.push(itemResult);
        const hidden = flag('no_log', kw.noLog, false);
        const shownItem: Outcome = { ...itemResult };
        if (!flag('diff', kw.diff, ctx.opts.diff)) delete shownItem.diff;
        const label = task.loopControl?.label !== undefined ? renderValue(String(task.loopControl.label), itemScope) : items[i];
        ctx.emit({
          kind: 'host-result',
          task: info,
          host,
          status: statusOf(itemResult, flag('ignore_errors', kw.ignoreErrors, false)),
          result: hidden ? censored(itemResult) : shownItem,
          isItem: true,
          item: hidden ? '(censored due to no_log)' : label,
          delegatedTo,
        });
        if (task.loopControl?.pause) await wait(task.loopControl.pause * 1000, anySignal(ctx.hostSignal(host), ctx.signal));
      }
      result = aggregateLoop(results);
    } else {
      const one = await runOnceWithConditions(ctx, task, host, scope, conditions, kw, context);
      result = one.outcome;
      delegatedTo = one.delegatedTo;
      ran = one.module ?? ran;
    }
  } catch (e) {
    if (e instanceof UnreachableError) result = { changed: false, failed: false, unreachable: true, msg: e.message };
    else if (e instanceof TsplayError) result = { changed: false, failed: true, msg: e.describe() };
    // anything else that threw in this host's task is this host's failure (register, notify rules apply)
    else result = { changed: false, failed: true, msg: `internal error while running this task: ${(e as Error)?.message ?? String(e)}` };
  }

  const hostSignal = ctx.hostSignal(host);
  if (hostSignal.aborted && !ctx.signal.aborted && typeof hostSignal.reason === 'string') {
    // A guard's deadline killed this host's command: say so, naming the guard.
    result = { ...result, failed: true, msg: hostSignal.reason };
  }
  const noLog = flag('no_log', kw.noLog, false);
  if (task.register) {
    // As Ansible: no_log hides the output, the registered value stays real (and becomes a secret
    // that no output shows).
    // In diff mode Ansible's result (and so the registered value) has `diff`: before/after with their headers.
    // A module whose result always has its own diff (file: before/after dicts) keeps it whatever the mode.
    const { diff, ...rest } = result;
    const registered: Outcome = registeredValue(!Array.isArray(diff) ? result : flag('diff', kw.diff, ctx.opts.diff) ? { ...rest, diff: (diff as FileDiff[]).map(ansibleDiff) } : rest);
    if (noLog) ctx.opts.hooks?.secret?.(registered);
    for (const h of [host, ...shareWith]) {
      const st = ctx.state(h);
      storeRegistered(st, task.register, registered);
      if (noLog) st.hidden.add(task.register);
      else st.hidden.delete(task.register);
    }
  }
  if (!result.failed && !result.skipped && !result.unreachable) {
    const factsSet = loopFacts ?? (result.ansible_facts ? [result.ansible_facts as Vars] : undefined);
    const facts = factsSet && (factsSet.length === 1 ? factsSet[0] : Object.assign({}, ...factsSet) as Vars);
    // delegate_facts: the facts belong to the host the task was delegated to (Ansible's delegate_facts);
    // else to this host and those it shares with (Ansible's get_task_hosts)
    const toDelegate = delegatedTo !== undefined && delegatedTo !== host && flag('delegate_facts', kw.delegateFacts, false) && ctx.hostExists(delegatedTo);
    const mod = findModule(ran);
    for (const factState of toDelegate ? [ctx.state(delegatedTo!)] : [state, ...shareWith.map((h) => ctx.state(h))]) {
      if (factsSet && ran === 'set_fact') factsSet.forEach((f) => storeSetFacts(factState, f));
      else if (facts && mod?.returnsFacts) storeFacts(factState, facts, ctx.opts.injectFactVars !== false);
      // include_vars: applied to this host as it ran (result-keys.ts), to the others here
      else if (facts && mod?.returnsVars && factState !== state) Object.assign(factState.includeVars, facts);
    }
  }
  if (result.changed && !result.failed && !result.unreachable) for (const n of renderNotify(task.notify, scope, task.where)) state.notified.add(n);
  const ignored = flag('ignore_errors', kw.ignoreErrors, false);
  const status = statusOf(result, ignored);
  const shown: Record<string, unknown> = noLog ? censored(result) : { ...result };
  const showDiff = flag('diff', kw.diff, ctx.opts.diff);
  if (!showDiff) delete shown.diff;
  const loopSummary = task.loop !== undefined && Array.isArray(result.results) && result.results.length > 0;
  ctx.emit({ kind: 'host-result', task: info, host, status, result: shown, delegatedTo, loopSummary, rescued: status === 'failed' && inh.rescuable });
  // A module's `warnings` are shown after its result, as Ansible's callback does (not under no_log).
  if (!noLog) for (const message of resultWarnings(result)) ctx.emit({ kind: 'warning', message });
  return { status, result, ignoredUnreachable: !!result.unreachable && flag('ignore_unreachable', kw.ignoreUnreachable, false) };
}

/**
 * Ansible's ansible_search_path for a task (Task.get_search_path, then the playbook's dir): its role's
 * path, the directory of its tasks file, the playbook's directory — each once.
 */
function searchPath(task: Task, inh: Inherited, playDir: string): string[] {
  const dirs = [...(inh.role ? [inh.role.path] : []), ...(task.where.file ? [dirname(task.where.file)] : []), playDir];
  return [...new Set(dirs)];
}

interface OnceResult {
  outcome: Outcome;
  delegatedTo?: string;
  /** The module that ran (a templated module name, rendered: chosen-module.ts). */
  module?: string;
}

/** The result of a task skipped by its first false condition, or undefined when all hold. */
function skippedByCondition(conditions: unknown[], scope: Vars, where: Task['where']): Outcome | undefined {
  const c = conditions.find((x) => !evalCondition(x, scope, where));
  return c === undefined ? undefined : { ...conditionFalseResult(), failed: false, false_condition: c };
}

/**
 * A task's loop items; or, as Ansible (#45189), the task skipped when its loop does not render for an
 * undefined variable and its `when` (evaluated without an item) is false — the error stands otherwise.
 */
function loopOrSkip(task: Task, scope: Vars, conditions: unknown[], context: string): { items: unknown[]; unsafe: boolean; skipped?: undefined } | { skipped: Outcome } {
  try {
    return loopItemsMarked(task.loop, scope, task.where, context, task.module);
  } catch (e) {
    if (!(e instanceof TsplayError && e.message.startsWith('undefined variable ') && conditions.length > 0)) throw e;
    let skipped: Outcome | undefined;
    try {
      skipped = skippedByCondition(conditions, scope, task.where);
    } catch {
      throw e;
    }
    if (!skipped) throw e;
    return { skipped };
  }
}

async function runOnceWithConditions(ctx: PlayContext, task: Task, host: string, scope: Vars, conditions: unknown[], kw: Inherited['keywords'], context: string): Promise<OnceResult> {
  const skipped = skippedByCondition(conditions, scope, task.where);
  if (skipped) return { outcome: skipped };
  const attempts = task.until ? (renderedKeyword('retries', task.retries ?? 3, scope, task.where, context) as number) + 1 : 1;
  const delay = task.until ? (renderedKeyword('delay', task.delay ?? 5, scope, task.where, context) as number) : 0;
  let last: OnceResult | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    last = await runOnce(ctx, task, host, scope, kw, context);
    if (last.outcome.unreachable) return last;
    if (!task.until) return last;
    last.outcome.attempts = attempt;
    const untilScope = lazyVars(withData(scope, task.register ? { [task.register]: last.outcome } : {}, true), task.where);
    if (!last.outcome.failed && task.until.every((c) => evalCondition(c, untilScope, task.where))) return last;
    if (attempt < attempts) {
      // named as Ansible's TaskResult.task_name: the task's own name (no role prefix), rendered
      ctx.emit({ kind: 'retry', host, taskName: shownName(task, () => scope) ?? taskInfo(task).name, retriesLeft: attempts - attempt });
      const waits = anySignal(ctx.hostSignal(host), ctx.signal);
      if (!(await wait(delay * 1000, waits))) return { ...last, outcome: { ...last.outcome, failed: true, msg: abortReason(waits) } };
    }
  }
  last!.outcome.failed = true;
  // As Ansible's TaskExecutor: out of attempts, `attempts` says the retries asked for (one less than the runs)
  if (attempts > 1) last!.outcome.attempts = attempts - 1;
  return last!;
}

async function runOnce(ctx: PlayContext, task: Task, host: string, scope: Vars, kw: Inherited['keywords'], context: string): Promise<OnceResult> {
  task = chosenModule(task, scope, context);
  const mod = findModule(task.module);
  // a task kept at load time although tsplay has no such module (it was under a condition or ignore_errors)
  if (!mod) throw new ParseError(`'${task.module}' is not a known module`, task.where, context);
  const render = (v: unknown) => renderValue(String(v), scope, task.where, context);
  const keyword = (key: string, raw: unknown) => renderedKeyword(key, raw, scope, task.where, context);
  const check = kw.checkMode === undefined ? ctx.opts.check : (keyword('check_mode', kw.checkMode) as boolean);
  const diff = kw.diff === undefined ? ctx.opts.diff : (keyword('diff', kw.diff) as boolean);
  const delegate = kw.delegateTo !== undefined ? String(render(kw.delegateTo)) : undefined;
  // Ansible's ansible_delegated_vars: the delegated host's variables, under its name
  if (delegate !== undefined) scope = lazyVars(withData(scope, { ansible_delegated_vars: { [delegate]: { ...(ctx.hostExists(delegate) ? ctx.inventoryVars(delegate) : {}), inventory_hostname: delegate } } }), task.where);
  const args = renderDeep(task.args, scope, task.where, context);
  const connHost = delegate ?? host;
  let conn: Connection | undefined;
  let loginUser = String((scope as Vars).ansible_user ?? process.env.USER ?? 'root');
  if (!mod.controllerOnly || task.module === 'setup') {
    const connVars = delegate !== undefined && delegate !== host ? (ctx.hostExists(delegate) ? ctx.inventoryVars(delegate) : {}) : (scope as Vars);
    const connKw = { remoteUser: kw.remoteUser, port: kw.port, connection: kw.connection };
    for (const k of ['remoteUser', 'port', 'connection'] as const) if (connKw[k] !== undefined) connKw[k] = render(connKw[k]);
    const target = targetFor(connHost, connVars, connKw, ctx.opts.env ?? process.env);
    loginUser = target.user;
    if (ctx.opts.verbosity >= 3 && ctx.pool.openedCount(connHost) === 0) {
      const how = target.kind === 'local' ? 'local connection' : `SSH ${target.user}@${target.address}:${target.port} (key ${target.privateKeyPath ?? 'agent/default'}, known_hosts ${target.knownHostsPath}${target.hostKeyChecking ? '' : ', host key checking off'})`;
      ctx.emit({ kind: 'verbose', level: 3, host: connHost, message: `ESTABLISH ${how}` });
    }
    conn = await ctx.pool.get(target);
  }
  const exec: ExecOptions = { signal: ctx.hostSignal(host) };
  const timeout = kw.timeout === undefined ? 0 : (keyword('timeout', kw.timeout) as number);
  if (timeout > 0) exec.timeoutMs = timeout * 1000;
  if (kw.environment !== undefined) {
    const env = renderDeep(kw.environment, scope, task.where, context) as Vars;
    if (env !== null && env !== undefined && (typeof env !== 'object' || Array.isArray(env))) throw new ParseError(`'environment' must be a dictionary of variable names, got ${JSON.stringify(env)}`, task.where, context);
    const bad = Object.keys(env ?? {}).find((k) => !ENV_NAME.test(k));
    if (bad !== undefined) throw new ParseError(`'environment': '${bad}' is not a valid environment variable name`, task.where, context);
    exec.env = Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, String(v)]));
  }
  if (kw.become !== undefined && keyword('become', kw.become)) {
    const user = kw.becomeUser !== undefined ? String(render(kw.becomeUser)) : 'root';
    const password = kw.becomePassword !== undefined ? String(render(kw.becomePassword)) : (scope as Vars).ansible_become_password;
    const method = keywordValue('become_method', kw.becomeMethod !== undefined ? render(kw.becomeMethod) : ((scope as Vars).ansible_become_method ?? 'sudo'), task.where, context) as 'sudo' | 'su';
    if (user !== loginUser) exec.become = { user, method, ...(password !== undefined ? { password: String(password) } : {}) };
  }
  // The task's `timeout:` bounds the whole task (controller-side waits too), as Ansible's does.
  const timer = timeout > 0 ? new AbortController() : undefined;
  const timeoutMsg = `The ${task.module} action failed to execute in the expected time frame (${timeout}) and was terminated`;
  const clock = timer ? setTimeout(() => timer.abort(timeoutMsg), timeout * 1000) : undefined;
  let outcome: Outcome;
  try {
    outcome = await runModule({
    module: mod,
    args,
    conn: conn ?? (await ctx.pool.get(targetFromVars('localhost', { ansible_connection: 'local' }))),
    host,
    vars: scope,
    check,
    diff,
    verbosity: ctx.opts.verbosity,
    where: task.where,
    exec,
    // waits stop for the host's deadline, the task's timeout and the first Ctrl-C alike
    signal: anySignal(exec.signal, ctx.signal, timer?.signal),
    searchDirs: [...(task.role ? [task.role.path] : []), ctx.play.dir],
    // --check: the earlier tasks' predicted changes of the host the commands go to (a task's own
    // check_mode predicts nothing for later tasks: real ones may run between, as in Ansible)
    predicted: check && ctx.opts.check && (delegate === undefined || ctx.hostExists(delegate)) ? (ctx.state(connHost).predicted ??= new Predicted()) : undefined,
    async: asyncSpec(task, render),
    render: (text, file, extra) => (file ? renderFile(text, extra ? lazyVars(withData(scope, extra), task.where) : scope, file) : String(renderValue(text, scope, task.where, context))),
    // no_log hides the commands too: they may carry the secret.
    trace: ctx.opts.verbosity >= 2 && !(kw.noLog !== undefined && keyword('no_log', kw.noLog)) ? (command, kind) => ctx.emit({ kind: 'verbose', level: 2, host: connHost, message: `${kind === 'probe' ? 'PROBE' : 'EXEC'} ${command}` }) : undefined,
    });
  } finally {
    clearTimeout(clock);
  }
  if (timer?.signal.aborted) Object.assign(outcome, { failed: true, msg: timeoutMsg, timedout: { period: timeout } });
  applyResultKeys(ctx.changes, ctx.state(host), mod, outcome);
  applyResultRules(task, outcome, scope);
  return { outcome, delegatedTo: delegate, module: task.module };
}

/** `async:` > 0: the task runs as a job polled every `poll` seconds (Ansible's default 15). */
function asyncSpec(task: Task, render: (v: unknown) => unknown): { seconds: number; poll: number } | undefined {
  const seconds = task.async === undefined ? 0 : Number(keywordValue('async', render(task.async), task.where));
  if (!(seconds > 0)) return undefined;
  return { seconds, poll: task.poll === undefined ? 15 : Number(keywordValue('poll', render(task.poll), task.where)) };
}

/** changed_when / failed_when, evaluated with the registered name bound to this result. */
function applyResultRules(task: Task, outcome: Outcome, scope: Vars): void {
  if (outcome.skipped) return;
  const local = lazyVars(withData(scope, task.register ? { [task.register]: outcome } : {}, true), task.where);
  // As Ansible: a condition that cannot be evaluated (an undefined name, a bad filter) fails the task
  // and says why in <changed|failed>_when_result; the module's result (stdout, rc…) stays.
  const evaluate = (key: 'changed' | 'failed', conds: unknown[]): boolean | undefined => {
    for (const c of conds) {
      try {
        if (!evalCondition(c, local, task.where)) return false;
      } catch (e) {
        if (!(e instanceof TsplayError)) throw e;
        outcome.failed = true;
        outcome[`${key}_when_result`] = `The conditional check '${String(c)}' failed. The error was: ${e.describe()}`;
        return undefined;
      }
    }
    return true;
  };
  if (task.changedWhen) {
    const changed = evaluate('changed', task.changedWhen);
    if (changed === undefined) return;
    outcome.changed = changed;
  }
  if (task.failedWhen) {
    const failed = evaluate('failed', task.failedWhen);
    if (failed === undefined) return;
    outcome.failed = failed;
    outcome.failed_when_result = failed;
  }
}

/** The `warnings` of a result (and of its loop items). */
function resultWarnings(result: Outcome): string[] {
  const parts = [result, ...(Array.isArray(result.results) ? (result.results as Outcome[]) : [])];
  return parts.flatMap((p) => (p && Array.isArray(p.warnings) ? p.warnings.filter((w): w is string => typeof w === 'string') : []));
}

/** A diff as Ansible's modules return it. */
function ansibleDiff(d: FileDiff): Record<string, string> {
  return { before: d.before, after: d.after, before_header: d.beforeHeader ?? d.path, after_header: d.afterHeader ?? d.path };
}
