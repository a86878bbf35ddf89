import type { ExecResult } from '../connection/types.js';
import type { ArgSpecs } from './args.js';
import type { Plan } from './types.js';

/**
 * Ansible's SELinux file arguments (add_file_common_args: seuser, serole, setype, selevel) and
 * `unsafe_writes`. On a host where SELinux is off Ansible ignores the contexts; tsplay does too. tsplay
 * does not set SELinux contexts, so on a host where SELinux is on, a task that gives one fails, saying
 * so, rather than leaving the file with a context the task did not ask for. `unsafe_writes` changes
 * nothing: tsplay's writes are always atomic (Ansible falls back to an unsafe write only when the
 * atomic rename fails).
 */
export const SELINUX_SPECS: ArgSpecs = {
  seuser: { type: 'str' },
  serole: { type: 'str' },
  setype: { type: 'str' },
  selevel: { type: 'str' },
  unsafe_writes: { type: 'bool', default: false },
};

const CONTEXT_KEYS = ['seuser', 'serole', 'setype', 'selevel'] as const;

/** The SELinux context arguments a task gave. */
export function selinuxRequested(args: unknown): string[] {
  if (!args || typeof args !== 'object') return [];
  return CONTEXT_KEYS.filter((k) => (args as Record<string, unknown>)[k] !== undefined && (args as Record<string, unknown>)[k] !== null);
}

/** Read-only: does the host enforce SELinux (or run it permissive)? `selinuxenabled` exits 0 then. */
export const SELINUX_PROBE = 'command -v selinuxenabled >/dev/null 2>&1 && selinuxenabled';

/** The failed plan for a host with SELinux on, or undefined (the contexts are ignored, as Ansible does). */
export function selinuxPlan(requested: string[], probe: ExecResult): Plan | undefined {
  if (probe.rc !== 0) return undefined;
  return { steps: [], failed: true, msg: `${requested.join(', ')}: tsplay does not set SELinux contexts, and SELinux is enabled on this host` };
}
