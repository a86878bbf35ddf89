import { ParseError, TsplayError, type Source } from '../errors.js';
import { strptime } from '../template/datetime.js';
import { quote } from '../util/quote.js';
import { unrendered } from './args.js';
import type { ModuleContext, Step } from './types.js';

/**
 * The file module's `modification_time` / `access_time` (with `*_format`), as Ansible's: `preserve`,
 * `now`, or a time in the format (Python's strptime, read as the target's local time as time.mktime
 * does). Planned as `touch -c -m|-a` on the target; changed only when a time differs.
 */
export type TimeSpec = { kind: 'preserve' } | { kind: 'now' } | { kind: 'at'; local: string } | { kind: 'error'; msg: string };

export const DEFAULT_TIME_FORMAT = '%Y%m%d%H%M.%S';

/**
 * Read one time argument. Unset: Ansible's default for the state (touch: now; others: preserve). A time
 * that does not match its format is a load-time error; found at run time, the task fails with Ansible's
 * message when it runs.
 */
export function parseTime(key: string, value: string | undefined, format: string, where: Source, loadTime: boolean): TimeSpec | undefined {
  if (value === undefined) return undefined;
  if (value === 'preserve') return { kind: 'preserve' };
  if (value === 'now') return { kind: 'now' };
  if (unrendered(value, loadTime) || unrendered(format, loadTime)) return { kind: 'preserve' };
  try {
    const t = strptime(value, format);
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    return { kind: 'at', local: `${p(t.year, 4)}-${p(t.month)}-${p(t.day)} ${p(t.hour)}:${p(t.minute)}:${p(t.second)}` };
  } catch (e) {
    if (!(e instanceof TsplayError)) throw e;
    const why = e.message.replace(/^to_datetime: /, '');
    if (loadTime) throw new ParseError(`file: argument '${key}': ${why}`, where);
    return { kind: 'error', msg: `Error while obtaining timestamp for time ${value} using format ${format}: ${why}` };
  }
}

/** keep_backward_compatibility_on_timestamps: touch sets both times to now unless told; other states keep them. */
export function timeFor(spec: TimeSpec | undefined, state: string): TimeSpec {
  return spec ?? (state === 'touch' ? { kind: 'now' } : { kind: 'preserve' });
}

export interface TimePlan {
  steps: Step[];
  /** What changes, for the diff: `mtime`/`atime` before and after (epoch seconds). */
  before: Record<string, number>;
  after: Record<string, number>;
  failed?: string;
}

/**
 * The steps that give `path` its times (Ansible's update_timestamp_for_file; os.utime and touch both
 * follow a symbolic link). `fresh`: the path is made by this task, so its times are now whatever they
 * were: only explicit times are set, without comparing.
 */
export async function planTimes(path: string, mtime: TimeSpec, atime: TimeSpec, fresh: boolean, ctx: ModuleContext): Promise<TimePlan> {
  const plan: TimePlan = { steps: [], before: {}, after: {} };
  for (const t of [mtime, atime]) if (t.kind === 'error') return { ...plan, failed: t.msg };
  // a path made now has now's times already
  if (fresh) [mtime, atime] = [mtime, atime].map((t) => (t.kind === 'now' ? { kind: 'preserve' } : t)) as [TimeSpec, TimeSpec];
  if (mtime.kind === 'preserve' && atime.kind === 'preserve') return plan;
  const p = quote(path);
  const touch = (flag: string, t: TimeSpec) => (t.kind === 'at' ? `touch -c ${flag} -d ${quote(t.local)} -- ${p}` : `touch -c ${flag} -- ${p}`);
  if (mtime.kind === 'now' && atime.kind === 'now') {
    plan.steps.push({ cmd: `touch -c -- ${p}` });
    return plan;
  }
  // explicit times: what they are on the target's clock, and what the path has now
  const explicit = [mtime, atime].filter((t): t is { kind: 'at'; local: string } => t.kind === 'at');
  const r = await ctx.probe([`stat -L -c '%.9Y %.9X' -- ${p} 2>/dev/null || echo missing`, ...explicit.map((t) => `date -d ${quote(t.local)} +%s`)].join('; '));
  const [current = '', ...epochs] = r.stdout.trim().split('\n');
  if (r.rc !== 0 || epochs.length !== explicit.length) return { ...plan, failed: `Error while obtaining timestamp: ${r.stderr.trim() || 'date -d failed'}` };
  const epochOf = (t: TimeSpec) => Number(epochs[explicit.indexOf(t as { kind: 'at'; local: string })]);
  const [prevM, prevA] = current === 'missing' ? [Number.NaN, Number.NaN] : current.split(' ').map(Number);
  const now = Date.now() / 1000;
  for (const [key, flag, t, prev] of [['mtime', '-m', mtime, prevM], ['atime', '-a', atime, prevA]] as const) {
    if (t.kind === 'preserve') continue;
    const want = t.kind === 'now' ? now : epochOf(t);
    if (!fresh && t.kind === 'at' && want === prev) continue;
    plan.steps.push({ cmd: touch(flag, t) });
    if (prev !== undefined && !Number.isNaN(prev)) plan.before[key] = prev;
    plan.after[key] = want;
  }
  return plan;
}
