import test from 'ava';
import { pythonRegExp } from '../../src/util/py-regex.js';

test('named groups and their back-references are spelled as JavaScript spells them', (t) => {
  const m = pythonRegExp('(?P<word>a+)-(?P=word)').exec('x aa-aa');
  t.is(m?.groups?.word, 'aa');
  t.is(pythonRegExp('(?P<w>a)-(?P=w)').exec('a-b'), null);
});

test('leading inline flags become flags, and stay flags when the pattern is anchored as re.match', (t) => {
  t.true(pythonRegExp('(?i)abc').test('xABC'));
  t.true(pythonRegExp('(?i)abc', '', true).test('ABCx'));
  t.false(pythonRegExp('(?i)abc', '', true).test('xABC'));
  t.true(pythonRegExp('(?s)a.b').test('a\nb'));
});

test('\\A and \\Z are the whole string, also under the m flag', (t) => {
  t.true(pythonRegExp('\\Aone', 'm').test('one\ntwo'));
  t.false(pythonRegExp('\\Atwo', 'm').test('one\ntwo'));
  t.false(pythonRegExp('one\\Z', 'm').test('one\ntwo'));
  t.true(pythonRegExp('two\\Z', 'm').test('one\ntwo'));
});

test('a pattern that does not compile throws', (t) => {
  t.throws(() => pythonRegExp('(unclosed'), { instanceOf: SyntaxError });
});
