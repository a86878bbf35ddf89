import test from 'ava';
import { renderValue } from '../../src/template/render.js';
import { compareVersions } from '../../src/template/values.js';

const vars = {
  n: 5, s: 'Hello', list: ['a', 'b', 'c'], nums: [3, 1], d: { k: 'v' }, empty: [], zero: 0, t: true, f: false,
  path: '/etc/kamailio/kamailio.cfg', ver: '4.0.10',
};
const r = (tpl: string): unknown => renderValue(tpl, vars);

test('eq / ne compare deeply, without type coercion', (t) => {
  t.is(r('{{eq n 5}}'), true);
  t.is(r('{{eq n "5"}}'), false);
  t.is(r('{{eq list (split "a b c")}}'), true);
  t.is(r('{{ne n 6}}'), true);
  t.is(r('{{ne s "Hello"}}'), false);
});

test('lt gt le ge order numbers and strings; mixing them is an error', (t) => {
  t.deepEqual([r('{{lt 1 2}}'), r('{{lt 2 1}}'), r('{{gt 2 1}}'), r('{{gt 1 1}}')], [true, false, true, false]);
  t.deepEqual([r('{{le 1 1}}'), r('{{le 2 1}}'), r('{{ge 1 1}}'), r('{{ge 0 1}}')], [true, false, true, false]);
  t.is(r('{{lt "abc" "abd"}}'), true);
  t.throws(() => r('{{lt n "10"}}'), { message: /cannot compare int with str using '<'/ });
});

test('and / or return the deciding operand (Python), not / default / defined', (t) => {
  t.is(r('{{and t n}}'), 5);
  t.is(r('{{and t zero n}}'), 0);
  t.is(r('{{or zero "" "x"}}'), 'x');
  t.is(r('{{or zero f}}'), false);
  t.is(r('{{not empty}}'), true, 'an empty list is false, as in Python');
  t.is(r('{{not d}}'), false);
  t.is(r('{{default nope 1}}'), 1);
  t.is(r('{{default zero 1}}'), 0);
  t.is(r('{{default zero 1 true}}'), 1);
  t.is(r('{{defined nope}}'), false);
  t.is(r('{{defined d.k}}'), true);
});

test('join / split', (t) => {
  t.is(r('{{join list ","}}'), 'a,b,c');
  t.is(r('{{join list}}'), 'abc', 'Jinja joins with nothing by default');
  t.is(r('{{join nums "-"}}'), '3-1');
  t.deepEqual(r('{{split "a,b,,c" ","}}'), ['a', 'b', '', 'c']);
  t.deepEqual(r('{{split "  a  b "}}'), ['a', 'b'], 'no separator: split on whitespace like Python');
  t.is(r('{{join s ","}}'), [...String(r('{{s}}'))].join(','), "a string joins its characters, as Jinja's join (the helper is the filter)");
  t.throws(() => r('{{join n ","}}'), { message: 'join: expected a list, got int' });
});

test('lookup reads own keys and list indexes; a missing key is an error', (t) => {
  t.is(r('{{lookup d "k"}}'), 'v');
  t.is(r('{{lookup list 1}}'), 'b');
  t.throws(() => r('{{lookup d "x"}}'), { message: "lookup: no key 'x' in dict" });
});

test('json', (t) => {
  t.is(r('{{json d}}'), '{"k":"v"}');
  t.is(r('{{json list 2}}'), '[\n  "a",\n  "b",\n  "c"\n]');
  t.is(r('{{json s}}'), '"Hello"');
});

test('upper / lower / trim / replace', (t) => {
  t.is(r('{{upper s}}'), 'HELLO');
  t.is(r('{{lower s}}'), 'hello');
  t.is(r('{{trim "  x  "}}'), 'x');
  t.is(r('{{replace "a.b.c" "." "/"}}'), 'a/b/c', 'literal, every occurrence');
  t.is(r('{{lower n}}'), '5');
  t.throws(() => r('{{upper list}}'), { message: 'upper: expected a string, got list' });
});

test('regex_replace with Python-style back-references and flags', (t) => {
  t.is(r(String.raw`{{regex_replace "v4.0.10-el8" "^v(\d+)\.(\d+).*" "\1.\2"}}`), '4.0');
  t.is(r(String.raw`{{regex_replace "key=val" "(?<k>\w+)=(?<v>\w+)" "\g<v>=\g<k>"}}`), 'val=key');
  t.is(r('{{regex_replace "AbA" "a" "x" ignorecase=true}}'), 'xbx');
  t.is(r('{{regex_replace "a\nb" "^b" "c" multiline=true}}'), 'a\nc');
  t.is(r('{{regex_replace "cost" "o" "$1"}}'), 'c$1st', 'a $ in the replacement is literal');
  t.throws(() => r('{{regex_replace "x" "(" "y"}}'), { message: /invalid regular expression '\('/ });
});

test('basename / dirname', (t) => {
  t.is(r('{{basename path}}'), 'kamailio.cfg');
  t.is(r('{{dirname path}}'), '/etc/kamailio');
});

test('version compares loosely like Ansible, with every operator spelling', (t) => {
  t.is(r('{{version ver "4.0.9" ">"}}'), true);
  t.is(r('{{version ver "4.0.10"}}'), true, 'default operator is ==');
  const ops: [string, boolean][] = [
    ['<', false], ['<=', false], ['>', true], ['>=', true], ['==', false], ['!=', true],
    ['lt', false], ['le', false], ['gt', true], ['ge', true], ['eq', false], ['ne', true],
  ];
  for (const [op, want] of ops) t.is(r(`{{version "5.8.1" "5.8.0" "${op}"}}`), want, op);
  t.throws(() => r('{{version "1" "2" "~"}}'), { message: /version: unknown operator '~'/ });
});

test('loose version ordering', (t) => {
  t.is(compareVersions('4.0.10', '4.0.9'), 1);
  t.is(compareVersions('1.2', '1.2.0'), -1);
  t.is(compareVersions('1.2-3', '1.2.3'), 0);
  t.is(compareVersions('4.0.1', '4.0.rc1'), 1);
  t.is(compareVersions('2.0a', '2.0b'), -1);
  t.is(compareVersions('10', '9'), 1);
});

test('the options hash Handlebars appends never reaches a helper', (t) => {
  t.is(r('{{join list}}'), 'abc', 'an options object would have been used as the separator');
  t.is(r('{{or zero}}'), 0, 'an options object would have been returned as the truthy operand');
});
