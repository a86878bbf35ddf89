import { ParseError } from '../../errors.js';
import { quote } from '../../util/quote.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import type { ModuleDef, Plan, Step } from '../types.js';

/**
 * community.general.timezone on Linux: `timedatectl set-timezone` where systemd runs; otherwise the
 * Debian way (/etc/timezone and the /etc/localtime link). `hwclock` (UTC/local) through timedatectl.
 */
export interface TimezoneArgs {
  name?: string;
  hwclock?: 'local' | 'UTC';
}

const specs: ArgSpecs = {
  name: { type: 'str' },
  hwclock: { type: 'str', choices: ['local', 'UTC'], aliases: ['rtc'] },
};

export interface TimezoneFacts {
  systemd: boolean;
  /** The current zone ('' unknown). */
  current: string;
  /** /usr/share/zoneinfo/NAME exists. */
  available: boolean;
  /** timedatectl's RTC mode: 'local' or 'UTC'. */
  hwclock?: string;
}

export function planTimezone(a: TimezoneArgs, f: TimezoneFacts): Plan {
  const steps: Step[] = [];
  const before: Record<string, string> = {};
  const after: Record<string, string> = {};
  if (a.name !== undefined) {
    if (!f.available) return { steps, failed: true, msg: `given timezone "${a.name}" is not available` };
    before.name = f.current;
    after.name = a.name;
    if (f.current !== a.name) {
      if (f.systemd) steps.push({ cmd: `timedatectl set-timezone ${quote(a.name)}` });
      else steps.push({ cmd: `ln -sfn ${quote(`/usr/share/zoneinfo/${a.name}`)} /etc/localtime && printf '%s\\n' ${quote(a.name)} > /etc/timezone` });
    }
  }
  if (a.hwclock !== undefined) {
    if (!f.systemd) return { steps: [], failed: true, msg: 'hwclock is supported by tsplay through timedatectl only (systemd is not running)' };
    before.hwclock = f.hwclock ?? '';
    after.hwclock = a.hwclock;
    if (f.hwclock !== a.hwclock) steps.push({ cmd: `timedatectl set-local-rtc ${a.hwclock === 'local' ? 'yes' : 'no'}` });
  }
  return { steps, result: { diff: { before, after } } };
}

const PROBE = (name: string | undefined) =>
  [
    'if [ -d /run/systemd/system ] && command -v timedatectl >/dev/null 2>&1; then echo @systemd; echo "@tz=$(timedatectl show -p Timezone --value)"; echo "@rtc=$(timedatectl show -p LocalRTC --value)";',
    'else echo "@tz=$(cat /etc/timezone 2>/dev/null || readlink /etc/localtime | sed "s|.*/zoneinfo/||")"; fi',
    name !== undefined ? `if [ -f ${quote(`/usr/share/zoneinfo/${name}`)} ]; then echo @available; fi` : 'echo @available',
  ].join('\n');

export const timezoneModule: ModuleDef<TimezoneArgs> = {
  name: 'timezone',
  aliases: ['community.general.timezone'],
  parse(raw, where, loadTime) {
    const a = parseArgs<TimezoneArgs>('timezone', specs, raw, where, loadTime);
    if (!loadTime && a.name === undefined && a.hwclock === undefined) throw new ParseError("timezone: one of 'name', 'hwclock' is required", where);
    if (!loadTime && a.name !== undefined && (a.name.includes('..') || a.name.startsWith('/'))) throw new ParseError(`timezone: invalid timezone name '${a.name}'`, where);
    return a;
  },
  async plan(a, ctx) {
    const lines = (await ctx.probe(PROBE(a.name))).stdout.split('\n');
    const v = (k: string) => lines.find((l) => l.startsWith(`@${k}=`))?.slice(k.length + 2).trim();
    return planTimezone(a, {
      systemd: lines.includes('@systemd'),
      current: v('tz') ?? '',
      available: lines.includes('@available'),
      hwclock: v('rtc') === undefined ? undefined : v('rtc') === 'yes' ? 'local' : 'UTC',
    });
  },
};
