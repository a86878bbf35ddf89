import test from 'ava';
import { pyJson } from '../../src/report/py-json.js';

test("one line as Python's json.dumps(sort_keys=True) writes it: sorted keys at every level, ', ' and ': '", (t) => {
  t.is(pyJson({ b: [1, 'x', null], a: { d: true, c: {} }, e: [] }), '{"a": {"c": {}, "d": true}, "b": [1, "x", null], "e": []}');
  t.is(pyJson('é'), '"é"', 'ensure_ascii=False');
});

test('with indent: one key or item per line, empty containers inline', (t) => {
  t.is(pyJson({ b: [1], a: {} }, 4), '{\n    "a": {},\n    "b": [\n        1\n    ]\n}');
  t.is(pyJson({ a: { b: 1 } }, 1).replace(/\n/g, ''), '{ "a": {  "b": 1 }}', "the recap's custom stats form");
});

test('a key whose value is undefined is left out, as JSON.stringify does; in a list it is null', (t) => {
  t.is(pyJson({ a: undefined, b: 1, c: [undefined] }), '{"b": 1, "c": [null]}');
});
