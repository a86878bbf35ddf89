import test from 'ava';
import { globToRegExp, wildcardRegExp } from '../../src/util/glob.js';

test("globToRegExp is Python's fnmatch: * ? [seq] [!seq], whole string, case-sensitive", (t) => {
  t.true(globToRegExp('web*').test('web01'));
  t.true(globToRegExp('1.2?').test('1.22'));
  t.true(globToRegExp('db[12]').test('db2'));
  t.false(globToRegExp('db[!12]').test('db2'));
  t.true(globToRegExp('db[!12]').test('db3'));
  t.false(globToRegExp('web').test('web01'), 'whole string');
  t.false(globToRegExp('Web*').test('web01'));
  t.true(globToRegExp('a.b+c').test('a.b+c'), 'other characters are literal');
  t.true(globToRegExp('x[').test('x['), 'an unclosed [ is literal');
});

test("wildcardRegExp is OpenSSH's: * and ? only, [ is literal; known_hosts compares any case", (t) => {
  t.true(wildcardRegExp('*.example.com').test('a.example.com'));
  t.true(wildcardRegExp('[h?]:2222').test('[h1]:2222'));
  t.false(wildcardRegExp('*.EXAMPLE.com').test('a.example.com'));
  t.true(wildcardRegExp('*.EXAMPLE.com', { ignoreCase: true }).test('a.example.com'));
});
