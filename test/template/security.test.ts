import test from 'ava';
import { TsplayError } from '../../src/errors.js';
import { compileExpr } from '../../src/template/expr.js';
import { lazyVars } from '../../src/template/lazy.js';
import { renderValue } from '../../src/template/render.js';

const vars = { d: { k: 'v' }, list: [1, 2], s: 'str', fn_holder: { x: 1 } };

/** Whatever happens, no template may produce function source or a constructor. */
function neverLeaks(t: import('ava').ExecutionContext, run: () => unknown, label: string): void {
  let out: unknown;
  try {
    out = run();
  } catch (e) {
    t.true(e instanceof TsplayError, `${label}: a TsplayError, not ${String(e)}`);
    t.regex((e as Error).message, /not allowed|undefined variable|no key|is not supported|unknown helper|template error|cannot parse expression|not supported|unsupported operand/, label);
    return;
  }
  t.false(typeof out === 'function', label);
  t.notRegex(String(out), /function|native code|\[object/, label);
  t.fail(`${label}: expected an error, got ${String(out)}`);
}

test('templates cannot reach prototypes or constructors', (t) => {
  const templates = [
    '{{constructor}}', '{{__proto__}}', '{{d.constructor}}', '{{d.__proto__}}', '{{list.constructor}}',
    '{{s.constructor}}', '{{d.toString}}', '{{d.hasOwnProperty}}', '{{prototype}}', '{{d.constructor.constructor}}',
    '{{lookup this "constructor"}}', '{{lookup d "__proto__"}}', '{{lookup d "toString"}}', '{{lookup list "map"}}',
    '{{list.map}}', '{{s.toUpperCase}}', '{{#with d.constructor}}{{name}}{{/with}}', '{{#each d.__proto__}}x{{/each}}',
    '{{default d.constructor 1}}', '{{lookup (lookup d "constructor") "constructor"}}', '{{this.constructor}}',
    '{{d.[constructor]}}', '{{ d.__defineGetter__ }}',
  ];
  for (const tpl of templates) neverLeaks(t, () => renderValue(tpl, vars), tpl);
});

test('templates name the refused property', (t) => {
  t.throws(() => renderValue('{{constructor}}', vars), { message: "template error: access to 'constructor' is not allowed" });
  t.throws(() => renderValue('{{lookup this "constructor"}}', vars), { message: "access to 'constructor' is not allowed" });
  t.throws(() => renderValue('{{list.map}}', vars), { message: "undefined variable 'list.map'" });
});

test('expressions cannot reach prototypes, call functions, use this/new or assign', (t) => {
  const exprs = [
    '__proto__', 'constructor', 'd.constructor', 'd.__proto__', "d['constructor']", "d['__proto__']",
    "d['const' ~ 'ructor']", 'list.constructor', "s['constructor']", 'd.toString', 'prototype', 'd.prototype',
    'list.map', 'list.length', "d['hasOwnProperty']", 'this', 'this.d', 'new Object()', 'd.k = 1', 'x = 1',
    'd.toString()', 'alert(1)', '(1).constructor', "''.constructor", '[].constructor', 'd?.k', 'a ? b : c',
    'eval("1")', 'Function("return 1")()', 'd["k"].constructor',
  ];
  for (const src of exprs) {
    neverLeaks(t, () => compileExpr(src).evaluate(vars), src);
  }
});

test('lazy variables expose only their own keys', (t) => {
  const v = lazyVars({ a: '{{ b }}', b: 1 });
  t.is((v as Record<string, unknown>)['constructor'], undefined);
  t.is((v as Record<string, unknown>)['toString'], undefined);
  t.false('constructor' in v);
  t.throws(() => renderValue('{{ constructor }}', v));
  t.throws(() => compileExpr('a.constructor').evaluate(v), { message: /not allowed/ });
  t.throws(() => {
    'use strict';
    (v as Record<string, unknown>)['a'] = 2;
  }, { instanceOf: TypeError });
  t.is(v['a'], 1);
});
