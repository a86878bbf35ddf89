import { TsplayError } from '../errors.js';
import type { Become, ExecResult } from './types.js';
import { BECOME_MARK } from './wrap.js';

/**
 * After a command ran with a become password: drop the password prompt (everything before the
 * marker) from stderr, and turn a refused password into one clear error for the host — never
 * echoing what was typed.
 */
export function checkBecome(result: ExecResult, become: Become | undefined): ExecResult {
  if (!become || (become.password === undefined && become.method !== 'su')) return result;
  const at = result.stderr.indexOf(BECOME_MARK);
  if (at >= 0) {
    const nl = result.stderr.indexOf('\n', at);
    return { ...result, stderr: result.stderr.slice(nl < 0 ? result.stderr.length : nl + 1) };
  }
  if (result.timedOut || result.aborted) return result;
  const method = become.method ?? 'sudo';
  const said = result.stderr
    .split('\n')
    .map((l) => l.replace(/^.*password: ?/i, '').trim())
    .filter((l) => l && !/^Sorry, try again\.?$/.test(l))
    .pop();
  const wrong = /incorrect password|authentication failure|Sorry, try again/i.test(result.stderr);
  throw new TsplayError(
    wrong
      ? `Incorrect ${method} password: become ${become.user} was refused`
      : `become ${become.user} with ${method} failed${said ? `: ${said}` : ` (rc ${result.rc})`}`,
  );
}
