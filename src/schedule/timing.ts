import { Cron } from 'croner';

/**
 * When a job is due. A "slot" is one due time; slots are stable (the same instants whichever
 * process computes them), so a restarted scheduler can tell whether a slot already ran.
 */
export interface Timing {
  /** For logs and --list: `cron "30 2 * * *" (Europe/Brussels)` or `every 15m`. */
  readonly describe: string;
  /** The time zone times are shown in (cron's own, or undefined for the system's). */
  readonly timezone?: string;
  /** The first slot strictly after `after`. */
  next(after: Date): Date;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const EVERY = /^\s*(\d+)\s*([smhd])\s*$/;

/** `30s`, `15m`, `1h`, `1d` → milliseconds; undefined when it does not read as one. */
export function parseEvery(text: string): number | undefined {
  const m = EVERY.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * `every:` slots sit on the clock (multiples of the interval since the Unix epoch): `15m` runs at
 * :00, :15, :30, :45 whenever the scheduler was started, which is what makes slots comparable
 * across restarts.
 */
export function everyTiming(text: string, ms: number): Timing {
  return {
    describe: `every ${text.trim()}`,
    next: (after) => new Date((Math.floor(after.getTime() / ms) + 1) * ms),
  };
}

/** A croner pattern (5 fields, or 6 with seconds first, or @daily…). Throws croner's message when invalid. */
export function cronTiming(expr: string, timezone?: string): Timing {
  const cron = new Cron(expr, { timezone, paused: true, legacyMode: true });
  // Croner reports a bad time zone only when it computes a time: do it now, not at 2 a.m.
  if (cron.nextRun(new Date()) === null) throw new Error(`'${expr}' never runs`);
  return {
    describe: `cron "${expr}"${timezone ? ` (${timezone})` : ''}`,
    timezone,
    next: (after) => {
      const d = cron.nextRun(after);
      // A pattern with a last date (none in 5/6-field cron) would end: treat as far away.
      return d ?? new Date(8.64e15);
    },
  };
}

/** The next `n` slots after `from`. */
export function nextSlots(t: Timing, from: Date, n: number): Date[] {
  const out: Date[] = [];
  let at = from;
  for (let i = 0; i < n; i++) out.push((at = t.next(at)));
  return out;
}

/**
 * The latest slot in (after, upTo], or undefined when none: the slot missed while the scheduler
 * was down. Walks forward from `after`; past `limit` steps it answers `upTo` itself (any instant
 * at or after the latest slot serves as its record).
 */
export function latestSlotBetween(t: Timing, after: Date, upTo: Date, limit = 10_000): Date | undefined {
  let found: Date | undefined;
  let at = after;
  for (let i = 0; i < limit; i++) {
    const n = t.next(at);
    if (n.getTime() > upTo.getTime()) return found;
    found = at = n;
  }
  return upTo;
}

/** `2025-06-02 02:30:00 +02:00` in the given zone (or the system's). */
export function formatInZone(d: Date, timezone?: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'longOffset',
  }).formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const offset = get('timeZoneName').replace(/^GMT/, '') || '+00:00';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')} ${offset}`;
}
