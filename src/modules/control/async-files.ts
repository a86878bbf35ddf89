import { quote } from '../../util/quote.js';

/** The files of async jobs on the target, shared by the executor's `async:` and async_status. */

/** Where Ansible's async_wrapper keeps jobs (ANSIBLE_ASYNC_DIR's default), expanded by the target's shell. */
export const ASYNC_DIR = '"$HOME"/.ansible_async';

/** The shell path of a job's status file. */
export function jobFile(jid: string): string {
  return `${ASYNC_DIR}/${quote(jid)}`;
}

/** Parse a status file as async_status does: no `started` means finished; started without finished means running. */
export function readStatus(jid: string, text: string): Record<string, unknown> | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const out = { ...(data as Record<string, unknown>) };
  if (!('started' in out)) {
    out.finished = 1;
    out.ansible_job_id = jid;
  } else if (!('finished' in out)) out.finished = 0;
  return out;
}

