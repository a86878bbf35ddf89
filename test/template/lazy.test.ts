import test from 'ava';
import { TsplayError } from '../../src/errors.js';
import { evalCondition } from '../../src/template/expr.js';
import { lazyVars } from '../../src/template/lazy.js';
import { renderDeep, renderValue } from '../../src/template/render.js';

const play = { file: 'site.yml', line: 20 };

test('a chain a → b → c resolves whatever the definition order', (t) => {
  const v = lazyVars({ a: '{{ b }}/a', b: '{{ c }}/b', c: 'c' });
  t.is(renderValue('{{ a }}', v), 'c/b/a');
  t.is(v['a'], 'c/b/a', 'reading the var directly renders it too');
});

test('a referenced var keeps its type; dicts and lists with templates inside are rendered', (t) => {
  const v = lazyVars({
    port: 5060,
    sip_port: '{{ port }}',
    listen: { proto: 'udp', port: '{{ sip_port }}' },
    ports: ['{{ port }}', '{{ sip_port }}'],
  });
  t.is(v['sip_port'], 5060);
  t.deepEqual(v['listen'], { proto: 'udp', port: 5060 });
  t.deepEqual(renderValue('{{ ports }}', v), [5060, 5060]);
  t.is(renderValue('{{ listen.port }}', v), 5060);
});

test('conditions see rendered values', (t) => {
  const v = lazyVars({ major: '{{ split version "." }}', version: '8.4', want: '{{ default wanted 8 }}' });
  t.true(evalCondition(['major[0] | int == want', "major | length == 2"], v, play));
});

test('each var is rendered once per wrapper; a new wrapper sees new loop variables', (t) => {
  const base = { pkg: '{{ item.name }}-{{ item.version }}' };
  t.is(renderValue('{{ pkg }}', lazyVars({ ...base, item: { name: 'kamailio', version: '5.8' } })), 'kamailio-5.8');
  t.is(renderValue('{{ pkg }}', lazyVars({ ...base, item: { name: 'rtpengine', version: '12' } })), 'rtpengine-12');
});

test('a cycle is an error naming the chain', (t) => {
  const v = lazyVars({ a: '{{ b }}', b: 'x{{ c }}', c: '{{ a }}', self: '{{ self }}' }, play);
  const e = t.throws<TsplayError>(() => renderValue('{{ a }}', v, play, "task 'T'"), { instanceOf: TsplayError });
  t.is(e!.describe(), "site.yml:20: variable 'a' refers to itself: a → b → c → a");
  t.throws<TsplayError>(() => v['self'], { message: "variable 'self' refers to itself: self → self" });
});

test('an undefined variable inside a var names both, and the task location is kept', (t) => {
  const v = lazyVars({ url: 'http://{{ host }}:{{ port }}', port: 80, wrap: '<{{ url }}>' });
  const e = t.throws<TsplayError>(() => renderValue('curl {{ wrap }}', v, play, "task 'Fetch'"), { instanceOf: TsplayError });
  t.is(e!.describe(), "site.yml:20: task 'Fetch': undefined variable 'host' (in variable 'url')");
  const c = t.throws<TsplayError>(() => evalCondition('wrap == "x"', v, play));
  t.is(c!.describe(), `site.yml:20: undefined variable 'host' (in variable 'url') (in expression: wrap == "x")`);
});

test('vars that are never read are never rendered', (t) => {
  const v = lazyVars({ broken: '{{ nope }}', fine: 'ok' });
  t.is(renderValue('{{ fine }}', v), 'ok');
  t.true(evalCondition('fine is defined', v));
});

test('in conditions, a var built on an undefined var is undefined itself (as in Ansible)', (t) => {
  const v = lazyVars({ broken: '{{ nope }}', deep: { x: '{{ nope }}' } });
  t.false(evalCondition('broken is defined', v));
  t.true(evalCondition('broken is undefined', v));
  t.is(evalCondition('(broken | default("d")) == "d"', v), true);
  t.throws<TsplayError>(() => evalCondition('broken == 1', v), { message: /^undefined variable 'nope' \(in variable 'broken'\)/ });
  t.throws<TsplayError>(() => evalCondition('deep.x == 1', v), { message: /^undefined variable 'nope' \(in variable 'deep'\)/ });
});

test('the wrapper reads like a plain object', (t) => {
  const v = lazyVars({ a: '{{ b }}', b: 2 });
  t.deepEqual(Object.keys(v), ['a', 'b']);
  t.true('a' in v);
  t.false('z' in v);
  t.deepEqual({ ...v }, { a: 2, b: 2 });
  t.is(JSON.stringify(v), '{"a":2,"b":2}');
  t.is(renderValue('{{#each this}}{{@key}}={{this}};{{/each}}', v), 'a=2;b=2;');
  t.deepEqual(renderDeep({ x: '{{ a }}' }, v), { x: 2 });
});
