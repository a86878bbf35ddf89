import type { ExecResult } from '../connection/types.js';
import type { Outcome, Plan, Step } from '../modules/types.js';

/**
 * Apply a module's plan: in check mode report what would change and run nothing; otherwise run the steps
 * in order, stopping at the first that fails, and let the module turn their results into the outcome.
 */
export async function applyPlan(plan: Plan, check: boolean, exec: (step: Step) => Promise<ExecResult>): Promise<Outcome> {
  const out = await outcomeOf(plan, check, exec);
  if (check || out.failed) {
    for (const [k, instead] of Object.entries(plan.madeBySteps ?? {})) {
      if (instead === undefined) delete out[k];
      else out[k] = instead;
    }
  }
  return out;
}

async function outcomeOf(plan: Plan, check: boolean, exec: (step: Step) => Promise<ExecResult>): Promise<Outcome> {
  const changed = plan.changed ?? plan.steps.length > 0;
  const base: Outcome = { changed, failed: false, ...(plan.result ?? {}) };
  if (plan.diff && plan.diff.length > 0) base.diff = plan.diff;
  if (plan.failed) return { ...base, changed: false, failed: true, msg: plan.msg ?? base.msg ?? 'module failed' };
  if (plan.msg !== undefined) base.msg = plan.msg;
  if (check) {
    if (plan.unpredictable && plan.steps.length > 0) {
      return { changed: false, failed: false, skipped: true, msg: plan.msg ?? 'skipped, running in check mode' };
    }
    return base;
  }
  const results: ExecResult[] = [];
  for (const step of plan.steps) {
    const r = await exec(step);
    results.push(r);
    if (r.rc !== 0 || r.timedOut || r.aborted) break;
  }
  if (plan.finishAsync) return plan.finishAsync(results, base);
  if (plan.finish) return plan.finish(results, base);
  return defaultFinish(results, base, plan.steps);
}

/** Failed when a step failed: its rc, stdout and stderr go into the outcome. */
export function defaultFinish(results: ExecResult[], base: Outcome, steps: Step[] = []): Outcome {
  const last = results[results.length - 1];
  if (!last || (last.rc === 0 && !last.timedOut && !last.aborted)) return base;
  const step = steps[results.length - 1];
  const msg = last.timedOut
    ? `command timed out${step?.timeoutMs ? ` after ${step.timeoutMs / 1000} s` : ''} and was killed`
    : last.aborted
      ? 'command interrupted'
      : (last.stderr.trim().split('\n').pop() || last.stdout.trim().split('\n').pop() || `non-zero return code ${last.rc}`);
  // the failed step changed nothing (a write that did not land); steps before it that succeeded did
  return { ...base, changed: results.length > 1, failed: true, rc: last.rc, stdout: last.stdout, stderr: last.stderr, msg };
}
