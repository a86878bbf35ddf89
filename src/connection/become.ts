import { TsplayError } from '../errors.js';
import type { Become, ExecResult } from './types.js';
import { BECOME_MARK } from './wrap.js';

type Render = (value: unknown) => unknown;

/** The become keywords of a task (inherited from its block and play), unrendered. */
export interface BecomeKeywords {
  become?: unknown;
  becomeUser?: unknown;
  becomePassword?: unknown;
  becomeMethod?: unknown;
}

const METHODS = new Set(['sudo', 'su']);

/**
 * How a task becomes another user, as Ansible decides it: become_user (else ansible_become_user,
 * else root), become_method (else ansible_become_method, else sudo), become_password (else
 * ansible_become_password / ansible_become_pass, which -K sets for every host). Nothing when the
 * task does not become, or becomes the user it logs in as.
 */
export function becomeFor(kw: BecomeKeywords, vars: Record<string, unknown>, render: Render, loginUser: string, isTrue: (v: unknown) => boolean | undefined): Become | undefined {
  const on = kw.become !== undefined ? isTrue(render(kw.become)) : vars.ansible_become !== undefined ? isTrue(vars.ansible_become) : false;
  if (!on) return undefined;
  const user = String(kw.becomeUser !== undefined ? render(kw.becomeUser) : (vars.ansible_become_user ?? 'root'));
  const method = String(kw.becomeMethod !== undefined ? render(kw.becomeMethod) : (vars.ansible_become_method ?? 'sudo'));
  if (!METHODS.has(method)) throw new TsplayError(`become_method '${method}' is not supported (use sudo or su)`);
  const pw = kw.becomePassword !== undefined ? render(kw.becomePassword) : (vars.ansible_become_password ?? vars.ansible_become_pass);
  if (user === loginUser && method === 'sudo') return undefined;
  return { user, method: method as 'sudo' | 'su', ...(pw !== undefined && pw !== null ? { password: String(pw) } : {}) };
}

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
