import test from 'ava';
import { toBool, toBoolOrFalse } from '../../src/util/bool.js';
import { renderValue } from '../../src/template/render.js';

test('toBool reads boolean words strictly (any case, trimmed); anything else is undefined', (t) => {
  for (const v of [true, 1, 'yes', 'On', ' TRUE ', 't', 'y', '1']) t.is(toBool(v), true, JSON.stringify(v));
  for (const v of [false, 0, 'no', 'OFF', 'false', 'f', 'n', '0', '']) t.is(toBool(v), false, JSON.stringify(v));
  for (const v of [2, 'maybe', 'yess', null, undefined, [], {}]) t.is(toBool(v), undefined, JSON.stringify(v));
});

test("toBool with emptyIsFalse: false rejects an empty string, as Ansible's boolean() does", (t) => {
  for (const v of ['', '  ']) t.is(toBool(v, { emptyIsFalse: false }), undefined, JSON.stringify(v));
  t.is(toBool(' F ', { emptyIsFalse: false }), false);
  t.is(toBool('T', { emptyIsFalse: false }), true);
});

test('toBoolOrFalse (the bool filter) is true only for what toBool reads as true', (t) => {
  for (const v of [true, 1, 'Yes', 'on']) t.true(toBoolOrFalse(v));
  for (const v of [false, 0, 'no', 2, 'maybe', null, [1], { a: 1 }]) t.false(toBoolOrFalse(v));
});

test('in templates: the bool filter and truthy(convert_bool=true) read words; plain truthiness does not', (t) => {
  t.is(renderValue("{{ 'no' | bool }}", {}), false);
  t.is(renderValue("{{ 'no' is truthy }}", {}), true, "Jinja: a non-empty string is true");
  t.is(renderValue("{{ 'no' is truthy(convert_bool=true) }}", {}), false);
  t.is(renderValue("{{ 'maybe' is truthy(convert_bool=true) }}", {}), true, 'not a boolean word: its truthiness');
});
