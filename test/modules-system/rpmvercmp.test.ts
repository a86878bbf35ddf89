import test from 'ava';
import { execFileSync } from 'node:child_process';
import { compareEvr, formatEvr, parseEvr, rpmvercmp } from '../../src/facts/rpm.js';

/** Pairs that exercise every rule of rpmvercmp: numeric vs alpha, leading zeros, ~, ^, separators. */
const PAIRS: [string, string][] = [
  ['1.0', '1.0'], ['1.0', '2.0'], ['2.0.1', '2.0'], ['2.0', '2.0.1'], ['4.0.2', '4.0.10'], ['3.3.0', '4.0.1'],
  ['1.0a', '1.0'], ['1.0', '1.0a'], ['1.0a', '1.0b'], ['1a', '1.0'], ['010', '10'], ['1.010', '1.9'],
  ['1.0~rc1', '1.0'], ['1.0~rc1', '1.0~rc2'], ['1.0~rc1~git', '1.0~rc1'], ['1.0^git1', '1.0'], ['1.0^git1', '1.0.1'],
  ['1.0^', '1.0'], ['1.0', '1.0^'], ['1_0', '1.0'], ['1..0', '1.0'], ['1.0.', '1.0'], ['abc', 'abd'], ['20101121', '20101122'],
  ['5.5p1', '5.5p10'], ['5.6p1', '5.5p10'], ['xyz10', 'xyz10.1'], ['1.fc17', '1.el6'], ['2a', '2.0'], ['+1', '1'],
];

/** The real rpm's answer (rpm.vercmp in rpm's embedded Lua), so the table is checked against rpm itself. */
function realRpm(pairs: [string, string][]): number[] {
  const lua = pairs.map(([a, b]) => `print(rpm.vercmp(${JSON.stringify(a)}, ${JSON.stringify(b)}) .. ",")`).join(' ');
  return execFileSync('rpm', ['--eval', `%{lua: ${lua}}`], { encoding: 'utf8' }).trim().split(',').filter(Boolean).map(Number);
}

test('rpmvercmp agrees with the real rpm on every pair, both ways round', (t) => {
  const both = PAIRS.flatMap(([a, b]): [string, string][] => [[a, b], [b, a]]);
  const expected = realRpm(both);
  t.is(expected.length, both.length);
  both.forEach(([a, b], i) => t.is(rpmvercmp(a, b) as number, expected[i], `${a} vs ${b}`));
});

test('known orderings from the seed: 3.3.0 < 4.0.1 < 4.0.2 < 4.0.10', (t) => {
  t.is(rpmvercmp('3.3.0', '4.0.1'), -1);
  t.is(rpmvercmp('4.0.1', '4.0.2'), -1);
  t.is(rpmvercmp('4.0.2', '4.0.10'), -1);
});

test('compareEvr: epoch beats version, release breaks ties, a missing release matches any', (t) => {
  t.is(compareEvr(parseEvr('1:1.0-1'), parseEvr('9.9-1')), 1);
  t.is(compareEvr(parseEvr('4.0.2-2'), parseEvr('4.0.2-10')), -1);
  t.is(compareEvr(parseEvr('4.0.2'), parseEvr('4.0.2-7')), 0);
  t.deepEqual(parseEvr('2:4.0.2-1.el8'), { epoch: 2, version: '4.0.2', release: '1.el8' });
  t.is(formatEvr(parseEvr('0:4.0.2-1')), '4.0.2-1');
  t.is(formatEvr(parseEvr('3:4.0.2-1')), '3:4.0.2-1');
});
