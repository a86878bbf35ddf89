/**
 * Ansible's `now()` global and the datetime values it returns (src/template/datetime.ts). The
 * expected texts of fixed datetimes are what Python 3 prints for the same datetime
 * (`datetime.datetime(2026, 1, 4, 15, 4, 5, 120)`: str, repr, strftime on glibc, timedelta).
 */
import test from 'ava';
import { TsplayError } from '../../src/errors.js';
import { renderValue } from '../../src/template/render.js';

const where = { file: 'site.yml', line: 3 };
const vars = { d: '2026-01-04 15:04:05.000120', then: '2025-12-01 00:00:00' };
const r = (src: string): unknown => renderValue(src, vars, where);
const D = "(d | to_datetime('%Y-%m-%d %H:%M:%S.%f'))";

test('str() and repr() of a datetime and a timedelta are Python\'s', (t) => {
  t.is(r(`{{ ${D} }}`), '2026-01-04 15:04:05.000120');
  t.is(r("{{ '2026-01-04 00:00:00' | to_datetime }}"), '2026-01-04 00:00:00');
  t.is(r(`{{ [${D}, '2026-01-04 00:00:00' | to_datetime] }}`), '[datetime.datetime(2026, 1, 4, 15, 4, 5, 120), datetime.datetime(2026, 1, 4, 0, 0)]');
  t.is(r(`{{ ${D} - (then | to_datetime) }}`), '34 days, 15:04:05.000120');
  t.is(r(`{{ [${D} - (then | to_datetime)] }}`), '[datetime.timedelta(days=34, seconds=54245, microseconds=120)]');
  t.is(r("{{ ('2026-01-01 00:00:00' | to_datetime) - ('2026-01-02 00:00:01.5' | to_datetime('%Y-%m-%d %H:%M:%S.%f')) }}"), '-2 days, 23:59:58.500000');
  t.is(r("{{ [('2026-01-01 00:00:00' | to_datetime) - ('2026-01-01 00:00:00' | to_datetime)] }}"), '[datetime.timedelta(0)]');
  t.is(r(`{{ ${D} | type_debug }}`), 'datetime');
  t.is(r(`{{ ${D} | to_json }}`), '"2026-01-04T15:04:05.000120"', "Ansible's JSON encoder: isoformat()");
});

test('strftime: glibc conversions, flags, %f and %s as Python on Linux', (t) => {
  // %s reads the fields as local time: give the expected value for the local zone of this process
  const epoch = new Date(2026, 0, 4, 15, 4, 5).getTime() / 1000;
  t.is(
    r(`{{ ${D}.strftime('%a %A %b %B %C %d %D %e %F %G %g %H %I %j %k %l %m %M %p %P %r %R %S %T %u %U %V %w %W %x %X %y %Y %z%Z %f %-d %-m %_H %% %c %h|%s') }}`),
    `Sun Sunday Jan January 20 04 01/04/26  4 2026-01-04 2026 26 15 03 004 15  3 01 04 PM pm 03:04:05 PM 15:04 05 15:04:05 7 01 01 0 00 01/04/26 15:04:05 26 2026  000120 4 1 15 % Sun Jan  4 15:04:05 2026 Jan|${epoch}`,
  );
  t.is(r("{{ ('2027-01-01 00:00:00' | to_datetime).strftime('%G-W%V-%u %U %W %j') }}"), '2026-W53-5 00 00 001');
});

test('attributes, methods, arithmetic and comparisons', (t) => {
  t.deepEqual([r(`{{ ${D}.year }}`), r(`{{ ${D}.month }}`), r(`{{ ${D}.day }}`), r(`{{ ${D}.hour }}`), r(`{{ ${D}.minute }}`), r(`{{ ${D}.second }}`), r(`{{ ${D}.microsecond }}`)], [2026, 1, 4, 15, 4, 5, 120]);
  t.is(r(`{{ ${D}.isoformat() }}`), '2026-01-04T15:04:05.000120');
  t.is(r(`{{ ${D}.weekday() }} {{ ${D}.isoweekday() }}`), '6 7');
  t.is(r(`{{ (${D} - (then | to_datetime)).total_seconds() }}`), 2991845.00012);
  t.is(r(`{{ (${D} - (then | to_datetime)).days }}`), 34);
  t.is(r(`{{ (${D} - (then | to_datetime)).seconds }}`), 54245);
  t.is(r(`{{ ${D} > (then | to_datetime) }}`), true);
  t.is(r(`{{ ${D} == ${D} }}`), true);
  t.is(r(`{{ (then | to_datetime) + (${D} - (then | to_datetime)) == ${D} }}`), true);
  t.is(r(`{{ ${D}.nope | default('absent') }}`), 'absent', 'an unknown attribute is undefined');
  t.throws(() => r(`{{ ${D}.nope }}`), { instanceOf: TsplayError, message: /undefined variable/ });
});

test('now(): a datetime of this moment; utc and fmt as Ansible', (t) => {
  const before = Date.now();
  const s = r("{{ now(fmt='%s.%f') }}") as string;
  t.regex(s, /^\d{10}\.\d{6}$/);
  t.true(Math.abs(Number(s) * 1000 - before) < 5000);
  t.regex(r('{{ now() }}') as string, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/, 'printed as Python prints a datetime');
  const hour = (): string => new Date().toISOString().slice(0, 13);
  const h0 = hour();
  const got = [r("{{ now(utc=true, fmt='%Y-%m-%dT%H') }}"), r("{{ now(true, '%Y-%m-%dT%H') }}")];
  for (const g of got) t.true(g === h0 || g === hour(), `UTC to the hour: ${String(g)}`);
  t.is(r('{{ now().year }}'), new Date().getFullYear());
  t.is(r('{{ (now() - (then | to_datetime)).total_seconds() > 0 }}'), true);
  t.is(r('{{ now() | type_debug }}'), 'datetime');
});

test('a whole-value now() leaves the template as text, as Ansible returns it', (t) => {
  t.is(typeof r('{{ now() }}'), 'string');
  t.is(typeof r("{{ '2026-01-04 00:00:00' | to_datetime }}"), 'string');
});

test('the strftime filter formats an epoch (time.strftime: no %f)', (t) => {
  t.is(r("{{ '%Y-%m-%d %H:%M:%S %f' | strftime(0, utc=true) }}"), '1970-01-01 00:00:00 %f');
  t.is(r("{{ '%Y-%m-%d' | strftime(1767539045, true) }}"), '2026-01-04');
  t.throws(() => r("{{ '%Y' | strftime('x') }}"), { instanceOf: TsplayError, message: /strftime: Invalid value for epoch value \(x\)/ });
});

test('to_datetime: a text that does not match the format is an error naming both', (t) => {
  t.throws(() => r("{{ '2026-13-01 00:00:00' | to_datetime }}"), { instanceOf: TsplayError, message: /time data '2026-13-01 00:00:00' does not match format '%Y-%m-%d %H:%M:%S'/ });
  t.throws(() => r("{{ '2026-02-30' | to_datetime('%Y-%m-%d') }}"), { instanceOf: TsplayError, message: /day is out of range/ });
  t.is(r("{{ '30/Nov/2026:06:01:02 PM' | to_datetime('%d/%b/%Y:%I:%M:%S %p') }}"), '2026-11-30 18:01:02');
});

test('methods of a datetime are not methods of other values', (t) => {
  t.throws(() => r("{{ 'x'.strftime('%Y') }}"), { instanceOf: TsplayError, message: /'str' object has no method 'strftime'/ });
  t.throws(() => r(`{{ ${D}.split() }}`), { instanceOf: TsplayError, message: /'datetime' object has no method 'split'/ });
});
