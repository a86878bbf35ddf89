/**
 * Reduce a JSON document shaped like ansible.posix.json's (Ansible's, through callback/compat_json.py,
 * and tsplay's `--json`) to what both tools must agree on: for each host the ordered (task, status)
 * pairs, the recap, and which hosts each play entry (Ansible: one per serial batch) had results for.
 * Task ids, durations and module-specific result keys are left out: they legitimately differ.
 */

export type Status = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface Reduced {
  /** per host, in order: [task name, status] */
  hosts: Record<string, [string, Status][]>;
  /** the recap, per host: ok, changed, failures, unreachable, skipped, rescued, ignored */
  stats: Record<string, Record<string, number>>;
  /** per play entry of the document: [play name, hosts with a result in it, sorted] */
  plays: [string, string[]][];
}

export interface Fixture extends Reduced {
  scenario: string;
  playbook: string;
  args: string[];
  exitCode: number;
  recordedWith: string;
}

interface Doc {
  plays: { play: { name: string }; tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[];
  stats: Record<string, Record<string, number>>;
}

/**
 * A result's status as the JSON document tells it. The document carries no ignore_errors or
 * "rescued" marker (neither does ansible.posix.json), so ignored and rescued failures are `failed`
 * here; the recap's `ignored` and `rescued` counters tell them apart.
 */
export function statusOf(r: Record<string, unknown>): Status {
  if (r.unreachable === true) return 'unreachable';
  if (r.failed === true) return 'failed';
  if (r.skipped === true) return 'skipped';
  return r.changed === true ? 'changed' : 'ok';
}

const STAT_KEYS = ['ok', 'changed', 'failures', 'unreachable', 'skipped', 'rescued', 'ignored'];

export function reduce(doc: Doc): Reduced {
  const hosts: Reduced['hosts'] = {};
  const plays: Reduced['plays'] = [];
  for (const p of doc.plays) {
    const seen = new Set<string>();
    for (const t of p.tasks) {
      for (const [host, result] of Object.entries(t.hosts)) {
        (hosts[host] ??= []).push([t.task.name, statusOf(result)]);
        seen.add(host);
      }
    }
    plays.push([p.play.name, [...seen].sort()]);
  }
  const stats: Reduced['stats'] = {};
  for (const host of Object.keys(doc.stats).sort()) {
    stats[host] = Object.fromEntries(STAT_KEYS.map((k) => [k, doc.stats[host]![k] ?? 0]));
  }
  return { hosts: sortKeys(hosts), stats, plays };
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/** The JSON document in a tool's stdout: from the first line that starts with "{" (anything before it is not part of it). */
export function parseDoc(stdout: string): Doc {
  const start = stdout.search(/^\{/m);
  if (start < 0) throw new Error(`no JSON document in the output:\n${stdout.slice(0, 2000)}`);
  return JSON.parse(stdout.slice(start)) as Doc;
}
