import { TsplayError } from '../errors.js';

/**
 * Python's naive `datetime.datetime` and `datetime.timedelta`, as far as Ansible content uses them:
 * `now()` (Ansible's Jinja global), `| to_datetime`, `| strftime`, `.strftime(fmt)`, `.year`…,
 * `now() - then` giving a timedelta with `.total_seconds()`, `.days`, `.seconds`. They print as
 * Python prints them (`2026-11-30 18:01:02.123456`, `1 day, 2:03:04`). Only the attributes and
 * methods listed here are reachable from a template (values.ts ownGet, expr.ts methods).
 */

const US_PER_DAY = 86_400_000_000;
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number, w: number, c = '0'): string => String(n).padStart(w, c);

export class PyDateTime {
  /** Microseconds since 1970-01-01 00:00 on the naive clock (fields read as if UTC): for arithmetic and ordering. */
  readonly us: number;
  constructor(
    readonly year: number, readonly month: number, readonly day: number,
    readonly hour = 0, readonly minute = 0, readonly second = 0, readonly microsecond = 0,
  ) {
    this.us = Date.UTC(year, month - 1, day, hour, minute, second) * 1000 + microsecond;
    if (Number.isNaN(this.us)) throw new TsplayError('datetime: invalid date');
  }

  /** Python's datetime.now() (local time) or utcnow(), to the microsecond. */
  static now(utc = false): PyDateTime {
    const ms = Date.now();
    const subMs = Math.floor((performance.now() % 1) * 1000);
    const d = new Date(ms);
    const micro = (ms % 1000) * 1000 + subMs;
    return utc
      ? new PyDateTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), micro)
      : new PyDateTime(d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), micro);
  }

  /** The naive datetime of an epoch time, local (time.localtime) or UTC (time.gmtime). */
  static fromEpoch(seconds: number, utc = false): PyDateTime {
    const totalUs = Math.round(seconds * 1e6);
    const d = new Date(Math.floor(totalUs / 1000));
    const micro = ((totalUs % 1e6) + 1e6) % 1e6;
    return utc
      ? new PyDateTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), micro)
      : new PyDateTime(d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), micro);
  }

  static fromUs(us: number): PyDateTime {
    const d = new Date(Math.floor(us / 1000));
    const micro = ((us % 1e6) + 1e6) % 1e6;
    return new PyDateTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), micro);
  }

  /** Monday is 0, as Python's weekday(). */
  weekday(): number {
    return (new Date(Date.UTC(this.year, this.month - 1, this.day)).getUTCDay() + 6) % 7;
  }

  /** Epoch seconds of the fields read as local time (glibc's %s, Python's timestamp() of a naive datetime). */
  timestamp(): number {
    return new Date(this.year, this.month - 1, this.day, this.hour, this.minute, this.second).getTime() / 1000 + this.microsecond / 1e6;
  }

  isoformat(sep = 'T'): string {
    const date = `${pad(this.year, 4)}-${pad(this.month, 2)}-${pad(this.day, 2)}`;
    const time = `${pad(this.hour, 2)}:${pad(this.minute, 2)}:${pad(this.second, 2)}`;
    return `${date}${sep}${time}${this.microsecond ? `.${pad(this.microsecond, 6)}` : ''}`;
  }

  /** str(): `2026-11-30 18:01:02.123456` (no fraction when it is zero). */
  toString(): string {
    return this.isoformat(' ');
  }

  repr(): string {
    const parts = [this.year, this.month, this.day, this.hour, this.minute];
    if (this.second || this.microsecond) parts.push(this.second);
    if (this.microsecond) parts.push(this.microsecond);
    return `datetime.datetime(${parts.join(', ')})`;
  }

  /** JSON as Ansible's encoder writes a datetime: its isoformat(). */
  toJSON(): string {
    return this.isoformat();
  }
}

export class PyTimeDelta {
  readonly days: number;
  readonly seconds: number;
  readonly microseconds: number;
  constructor(readonly us: number) {
    this.days = Math.floor(us / US_PER_DAY);
    const rest = us - this.days * US_PER_DAY;
    this.seconds = Math.floor(rest / 1e6);
    this.microseconds = rest - this.seconds * 1e6;
  }

  total_seconds(): number {
    return this.us / 1e6;
  }

  /** str(): `0:00:01.500000`, `1 day, 2:03:04`, `-1 day, 23:59:59`. */
  toString(): string {
    const h = Math.floor(this.seconds / 3600);
    const m = Math.floor((this.seconds % 3600) / 60);
    const s = this.seconds % 60;
    const days = this.days ? `${this.days} day${Math.abs(this.days) === 1 ? '' : 's'}, ` : '';
    return `${days}${h}:${pad(m, 2)}:${pad(s, 2)}${this.microseconds ? `.${pad(this.microseconds, 6)}` : ''}`;
  }

  repr(): string {
    const parts = [['days', this.days], ['seconds', this.seconds], ['microseconds', this.microseconds]].filter(([, v]) => v !== 0);
    return parts.length ? `datetime.timedelta(${parts.map(([k, v]) => `${k}=${v}`).join(', ')})` : 'datetime.timedelta(0)';
  }

  toJSON(): string {
    return this.toString();
  }
}

export const isDateTime = (v: unknown): v is PyDateTime => v instanceof PyDateTime;
export const isTimeDelta = (v: unknown): v is PyTimeDelta => v instanceof PyTimeDelta;

/** The attributes a template may read (`now().year`, `delta.seconds`). */
export function dateAttr(v: PyDateTime | PyTimeDelta, key: unknown): unknown {
  const names = v instanceof PyDateTime
    ? ['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond']
    : ['days', 'seconds', 'microseconds'];
  return typeof key === 'string' && names.includes(key) ? (v as unknown as Record<string, number>)[key] : undefined;
}

/** `+` and `-` between datetimes and timedeltas, as Python; undefined when the types do not combine. */
export function dateArith(op: string, a: unknown, b: unknown): PyDateTime | PyTimeDelta | undefined {
  if (op === '-' && a instanceof PyDateTime && b instanceof PyDateTime) return new PyTimeDelta(a.us - b.us);
  if (a instanceof PyDateTime && b instanceof PyTimeDelta) return op === '+' ? PyDateTime.fromUs(a.us + b.us) : op === '-' ? PyDateTime.fromUs(a.us - b.us) : undefined;
  if (op === '+' && a instanceof PyTimeDelta && b instanceof PyDateTime) return PyDateTime.fromUs(a.us + b.us);
  if (a instanceof PyTimeDelta && b instanceof PyTimeDelta) return op === '+' ? new PyTimeDelta(a.us + b.us) : op === '-' ? new PyTimeDelta(a.us - b.us) : undefined;
  return undefined;
}

/** Day of the year, 1-based. */
function yday(d: PyDateTime): number {
  return Math.round((Date.UTC(d.year, d.month - 1, d.day) - Date.UTC(d.year, 0, 1)) / 86_400_000) + 1;
}

/** ISO 8601 week-numbering year and week (glibc's %G and %V). */
function isoWeek(d: PyDateTime): [number, number] {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day));
  const dow = (t.getUTCDay() + 6) % 7;
  t.setUTCDate(t.getUTCDate() - dow + 3); // the Thursday of this week decides the year
  const year = t.getUTCFullYear();
  const week = Math.floor((t.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
  return [year, week];
}

/**
 * Python's strftime on Linux (glibc, C locale): every glibc conversion, the flags `-` (no padding),
 * `_` (spaces) and `0`, `%f` (microseconds, Python's own) and `%s` (epoch seconds, the fields read as
 * local time). A naive datetime has no zone: `%z` and `%Z` are empty. `noMicro`: time.strftime,
 * which leaves `%f` as it is.
 */
export function strftime(d: PyDateTime, fmt: string, noMicro = false): string {
  return fmt.replace(/%([-_0^#]?)([a-zA-Z%+])/g, (whole, flag: string, c: string) => {
    const num = (n: number, w: number, space = false): string => {
      if (flag === '-') return String(n);
      if (flag === '_') return pad(n, w, ' ');
      if (flag === '0') return pad(n, w);
      return pad(n, w, space ? ' ' : '0');
    };
    const upper = (s: string): string => (flag === '^' ? s.toUpperCase() : s);
    const h12 = d.hour % 12 === 0 ? 12 : d.hour % 12;
    const wd = d.weekday();
    switch (c) {
      case '%': return '%';
      case 'a': return upper(DAYS[wd]!.slice(0, 3));
      case 'A': return upper(DAYS[wd]!);
      case 'b': case 'h': return upper(MONTHS[d.month - 1]!.slice(0, 3));
      case 'B': return upper(MONTHS[d.month - 1]!);
      case 'c': return strftime(d, '%a %b %e %H:%M:%S %Y');
      case 'C': return num(Math.floor(d.year / 100), 2);
      case 'd': return num(d.day, 2);
      case 'D': return strftime(d, '%m/%d/%y');
      case 'e': return num(d.day, 2, true);
      case 'f': return noMicro ? whole : pad(d.microsecond, 6);
      case 'F': return strftime(d, '%Y-%m-%d');
      case 'G': return String(isoWeek(d)[0]);
      case 'g': return num(isoWeek(d)[0] % 100, 2);
      case 'H': return num(d.hour, 2);
      case 'I': return num(h12, 2);
      case 'j': return num(yday(d), 3);
      case 'k': return num(d.hour, 2, true);
      case 'l': return num(h12, 2, true);
      case 'm': return num(d.month, 2);
      case 'M': return num(d.minute, 2);
      case 'n': return '\n';
      case 'p': return d.hour < 12 ? 'AM' : 'PM';
      case 'P': return d.hour < 12 ? 'am' : 'pm';
      case 'r': return strftime(d, '%I:%M:%S %p');
      case 'R': return strftime(d, '%H:%M');
      case 's': return String(Math.floor(new Date(d.year, d.month - 1, d.day, d.hour, d.minute, d.second).getTime() / 1000));
      case 'S': return num(d.second, 2);
      case 't': return '\t';
      case 'T': return strftime(d, '%H:%M:%S');
      case 'u': return String(wd + 1);
      case 'U': return num(Math.floor((yday(d) - 1 + 7 - ((wd + 1) % 7)) / 7), 2);
      case 'V': return num(isoWeek(d)[1], 2);
      case 'w': return String((wd + 1) % 7);
      case 'W': return num(Math.floor((yday(d) - 1 + 7 - wd) / 7), 2);
      case 'x': return strftime(d, '%m/%d/%y');
      case 'X': return strftime(d, '%H:%M:%S');
      case 'y': return num(d.year % 100, 2);
      case 'Y': return flag ? num(d.year, 4) : String(d.year);
      case 'z': case 'Z': return '';
      default: return whole;
    }
  });
}

/**
 * Python's datetime.strptime for the conversions content uses with `to_datetime`:
 * %Y %y %m %d %H %I %M %S %f %p %b %B %a %A %j %%, literal text and whitespace.
 */
export function strptime(text: string, fmt: string): PyDateTime {
  const fields: Record<string, string> = {};
  const NAMES = (xs: string[]): string => xs.flatMap((x) => [x, x.slice(0, 3)]).join('|');
  let re = '';
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i]!;
    if (ch === '%' && i + 1 < fmt.length) {
      const c = fmt[++i]!;
      const group = (name: string, pat: string): string => `(?<${name}>${pat})`;
      const conv: Record<string, string> = {
        Y: group('Y', '\\d{4}'), y: group('y', '\\d{2}'), m: group('m', '1[0-2]|0[1-9]|[1-9]'), d: group('d', '3[01]|[12]\\d|0[1-9]|[1-9]| [1-9]'),
        H: group('H', '2[0-3]|[0-1]\\d|\\d'), I: group('I', '1[0-2]|0[1-9]|[1-9]'), M: group('M', '[0-5]\\d|\\d'), S: group('S', '6[0-1]|[0-5]\\d|\\d'),
        f: group('f', '\\d{1,6}'), p: group('p', 'AM|PM|am|pm'), b: group('b', NAMES(MONTHS)), B: group('b', NAMES(MONTHS)),
        a: `(?:${NAMES(DAYS)})`, A: `(?:${NAMES(DAYS)})`, j: group('j', '36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9]'), '%': '%',
      };
      const p = conv[c];
      if (p === undefined) throw new TsplayError(`to_datetime: '%${c}' is not supported in the format`);
      if (re.includes(`(?<${c === 'B' ? 'b' : c}>`) && p.startsWith('(?<')) throw new TsplayError(`to_datetime: '%${c}' given twice`);
      re += p;
    } else if (/\s/.test(ch)) re += '\\s+';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const m = new RegExp(`^${re}$`, 'i').exec(text);
  if (!m) throw new TsplayError(`to_datetime: time data '${text}' does not match format '${fmt}'`);
  Object.assign(fields, m.groups ?? {});
  const n = (k: string, d: number): number => (fields[k] === undefined ? d : Number(fields[k]));
  let year = fields.Y !== undefined ? n('Y', 1900) : fields.y !== undefined ? (n('y', 0) < 69 ? 2000 : 1900) + n('y', 0) : 1900;
  let month = n('m', 1);
  if (fields.b !== undefined) month = MONTHS.findIndex((x) => x.toLowerCase().startsWith(fields.b!.toLowerCase().slice(0, 3))) + 1;
  let day = n('d', 1);
  if (fields.j !== undefined) {
    const t = new Date(Date.UTC(year, 0, n('j', 1)));
    [year, month, day] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
  }
  let hour = n('H', 0);
  if (fields.I !== undefined) hour = (n('I', 12) % 12) + (fields.p?.toLowerCase() === 'pm' ? 12 : 0);
  const micro = fields.f === undefined ? 0 : Number(fields.f.padEnd(6, '0'));
  const dt = new PyDateTime(year, month, day, hour, n('M', 0), n('S', 0), micro);
  if (dt.day !== day || new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) throw new TsplayError(`to_datetime: day is out of range for month in '${text}'`);
  return dt;
}
