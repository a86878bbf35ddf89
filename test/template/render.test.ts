import test from 'ava';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParseError, TsplayError } from '../../src/errors.js';
import { checkTemplate, isTemplate, registerPartialsDir, renderDeep, renderText, renderValue } from '../../src/template/render.js';
import { loadYamlText } from '../../src/util/yaml.js';

const where = { file: 'site.yml', line: 12, column: 7 };
const vars = {
  name: 'kamailio',
  port: 5060,
  ratio: 0.5,
  enabled: true,
  nothing: null,
  servers: [{ name: 'a', ip: '10.0.0.1' }, { name: 'b', ip: '10.0.0.2' }],
  conf: { listen: 'udp:0.0.0.0', workers: 4 },
  hostvars: { h1: { role: 'primary' }, h2: { role: 'standby' } },
  groups: { web: ['w1', 'w2'], all: ['w1', 'w2', 'db1'] },
  item: { name: 'pkg', version: '1.2' },
  ansible_loop: { index: 3, first: false },
  inventory_hostname: 'h1',
  version: '5.8.1',
};

/** The one-line error a user sees. */
function failure(fn: () => unknown): string {
  const e = (() => {
    try {
      fn();
    } catch (err) {
      return err;
    }
    throw new Error('expected an error');
  })();
  if (!(e instanceof TsplayError)) throw e;
  return e.describe();
}

test('isTemplate spots {{', (t) => {
  t.true(isTemplate('a {{ b }}'));
  t.false(isTemplate('plain text { not } a template'));
});

test('plain strings come back untouched', (t) => {
  t.is(renderValue('systemctl restart kamailio', vars), 'systemctl restart kamailio');
});

test('a whole-value reference keeps its type', (t) => {
  t.deepEqual(renderValue('{{ servers }}', vars), vars.servers);
  t.deepEqual(renderValue('{{servers}}', vars), vars.servers);
  t.is(renderValue('  {{ port }}  ', vars), '  5060  ', 'text around it, even whitespace, makes a string (as in Ansible)');
  t.is(renderValue('{{ ratio }}', vars), 0.5);
  t.is(renderValue('{{ enabled }}', vars), true);
  t.is(renderValue('{{ nothing }}', vars), null);
  t.deepEqual(renderValue('{{ conf }}', vars), vars.conf);
  t.deepEqual(renderValue('{{ split "a b c" }}', vars), ['a', 'b', 'c'], 'a single helper call keeps its type too');
});

test('text around a reference makes a string; values written as Ansible writes them (Python str), null as empty', (t) => {
  t.is(renderValue('port={{ port }}', vars), 'port=5060');
  t.is(renderValue('{{port}}{{port}}', vars), '50605060');
  t.is(renderValue('ips: {{ groups.web }}', vars), "ips: ['w1', 'w2']");
  t.is(renderValue('c={{conf}}', vars), "c={'listen': 'udp:0.0.0.0', 'workers': 4}");
  t.is(renderValue('on={{ enabled }}', vars), 'on=True');
  t.is(renderValue('[{{ nothing }}]', vars), '[]');
  t.is(renderValue('{{#if enabled}}ips: {{ groups.web }} on={{ enabled }}{{/if}}', vars), 'ips: ["w1","w2"] on=true',
    'Handlebars keeps its own rendering: JSON, true');
  t.is(renderText('{{ port }}', vars), '5060', 'renderText always gives a string');
});

test('no HTML escaping', (t) => {
  t.is(renderValue('{{ s }}', { s: `<a href="x">'&'</a>` }), `<a href="x">'&'</a>`);
  t.is(renderText('echo {{ s }}', { s: 'a && b > c' }), 'echo a && b > c');
});

test('Jinja-style paths Ansible users write', (t) => {
  t.is(renderValue('{{ conf.listen }}', vars), 'udp:0.0.0.0');
  t.is(renderValue('{{ hostvars.h1.role }}', vars), 'primary');
  t.is(renderValue('{{ groups.web.[0] }}', vars), 'w1');
  t.is(renderValue('{{ groups.web.[1] }}', vars), 'w2');
  t.is(renderValue('{{ item }}', { item: 'x' }), 'x');
  t.is(renderValue('{{ item.name }}-{{ item.version }}', vars), 'pkg-1.2');
  t.is(renderValue('{{ ansible_loop.index }}', vars), 3);
  t.is(renderValue('{{ lookup hostvars inventory_hostname }}', vars), vars.hostvars.h1);
  t.is(renderValue('{{ lookup (lookup hostvars inventory_hostname) "role" }}', vars), 'primary');
});

test('a bare name reads the variable even when a helper has that name', (t) => {
  t.is(renderValue('{{ version }}', vars), '5.8.1');
  t.is(renderValue('{{ join }}', { join: 'j' }), 'j');
});

test('blocks: #if/else, #unless, #each with @index/@key/this, #with, sections', (t) => {
  t.is(renderText('{{#if enabled}}on{{else}}off{{/if}}', vars), 'on');
  t.is(renderText('{{#if (eq port 5061)}}a{{else if (eq port 5060)}}b{{else}}c{{/if}}', vars), 'b');
  t.is(renderText('{{#unless enabled}}off{{/unless}}', vars), '');
  t.is(renderText('{{#each servers}}{{@index}}:{{name}}={{ip}} {{/each}}', vars), '0:a=10.0.0.1 1:b=10.0.0.2 ');
  t.is(renderText('{{#each conf}}{{@key}}={{this}};{{/each}}', vars), 'listen=udp:0.0.0.0;workers=4;');
  t.is(renderText('{{#each servers as |s|}}{{s.name}}@{{../port}} {{/each}}', vars), 'a@5060 b@5060 ');
  t.is(renderText('{{#with conf}}{{workers}}{{/with}}', vars), '4');
  t.is(renderText('{{#servers}}[{{name}}]{{/servers}}', vars), '[a][b]');
  t.is(renderText('{{#each groups.web}}{{this}}{{#unless @last}},{{/unless}}{{/each}}', vars), 'w1,w2');
});

test('strict: an undefined variable names itself, file:line and the task — everywhere', (t) => {
  const cases: [string, string][] = [
    ['{{ missing }}', 'missing'],
    ['x {{ missing }} y', 'missing'],
    ['{{#if missing}}a{{/if}}', 'missing'],
    ['{{#unless missing}}a{{/unless}}', 'missing'],
    ['{{#each missing}}a{{/each}}', 'missing'],
    ['{{#with missing}}a{{/with}}', 'missing'],
    ['{{#missing}}a{{/missing}}', 'missing'],
    ['{{ upper missing }}', 'missing'],
    ['{{ join servers missing }}', 'missing'],
    ['{{#if (eq missing 1)}}a{{/if}}', 'missing'],
    ['{{ json conf indent=missing }}', 'missing'],
    ['{{#each servers}}{{ nope }}{{/each}}', 'nope'],
    ['{{#with conf}}{{ nope }}{{/with}}', 'nope'],
    ['{{ hostvars.h3.role }}', 'hostvars.h3'],
    ['{{ conf.nope }}', 'conf.nope'],
    ['{{ groups.web.[5] }}', 'groups.web.5'],
    ['{{ nothing.x }}', 'nothing'],
    ['{{ @index }}', '@index'],
    ['{{ default missing other_missing }}', 'other_missing'],
  ];
  for (const [tpl, name] of cases) {
    t.is(failure(() => renderValue(tpl, vars, where, "task 'Install'")),
      `site.yml:12:7: task 'Install': undefined variable '${name}'`, tpl);
  }
  const e = t.throws<TsplayError>(() => renderValue('{{ missing }}', vars, where));
  t.is(e?.constructor, TsplayError);
});

test('optional values: default and defined accept absence', (t) => {
  t.is(renderValue('{{ default missing 5061 }}', vars), 5061);
  t.is(renderValue('{{ default port 5061 }}', vars), 5060);
  t.is(renderValue('{{ default hostvars.h3.role "none" }}', vars), 'none', 'a missing middle of the path is absence too');
  t.is(renderValue('{{ default (lookup hostvars "h3") "none" }}', vars), 'none');
  t.is(renderValue('{{ default nothing "x" }}', vars), null, 'null is a value (as in Jinja)');
  t.is(renderValue('{{ default nothing "x" true }}', vars), 'x', 'unless the third argument asks for falsy values too');
  t.is(renderText('{{#if (defined missing)}}yes{{else}}no{{/if}}', vars), 'no');
  t.is(renderText('{{#if (defined conf.workers)}}yes{{else}}no{{/if}}', vars), 'yes');
  t.is(renderText('{{#if (default missing false)}}yes{{else}}no{{/if}}', vars), 'no');
});

test('checkTemplate reports parse errors at load time with file:line, as ParseError', (t) => {
  t.notThrows(() => checkTemplate('{{#if x}}{{y}}{{/if}}', where));
  const cases: [string, RegExp][] = [
    ['{{#if x}}', /unexpected end of template/],
    ['{{ x }', /template error/],
    ['{{#if x}}{{/each}}', /if doesn't match each/],
    ['{{ nosuch x }}', /unknown helper 'nosuch'/],
    ['{{#nosuch x}}{{/nosuch}}', /unknown block helper '#nosuch'/],
    ['{{ eq 1 }}', /helper 'eq' takes 2 arguments, got 1/],
    ['{{#if}}x{{/if}}', /#if takes 1 argument, got 0/],
    ['{{ x | nosuch("y") }}', /unknown filter 'nosuch'/],
    ['{% if x %}y', /missing \{% endif %\}/],
    ['{{#if x}}{{ x | int }}{{/if}}', /mixes Handlebars \(offset 0: "\{\{#if x\}\}"\) and Jinja \(offset 9: "\{\{ x \| int \}\}"\)/],
    ['{{* deco}}', /decorators are not supported/],
  ];
  for (const [tpl, re] of cases) {
    const e = t.throws<TsplayError>(() => checkTemplate(tpl, where, "task 'T'"), { instanceOf: ParseError }, tpl);
    t.regex(e!.describe(), /^site\.yml:12:7: task 'T': /, tpl);
    t.regex(e!.message, re, tpl);
    t.is(e!.code, 4);
  }
  const multi = t.throws<TsplayError>(() => checkTemplate('line one\nline two\n{{#each x}}\n{{/if}}', where));
  t.regex(multi!.message, /template line 3/);
});

test('renderDeep renders strings inside dicts and lists, keys untouched, types kept', (t) => {
  const task = { 'name {{ port }}': 'restart {{ name }}', args: { port: '{{ port }}', list: ['{{ name }}', 7, '{{ groups.web }}'] } };
  t.deepEqual(renderDeep(task, vars), {
    'name {{ port }}': 'restart kamailio',
    args: { port: 5060, list: ['kamailio', 7, ['w1', 'w2']] },
  });
  t.is(renderDeep(5, vars), 5);
});

test('renderDeep reports the position of the YAML node that failed', (t) => {
  const doc = loadYamlText('- name: t\n  args:\n    cmd: "{{ nope }}"\n', 'tasks.yml') as Record<string, unknown>[];
  const e = t.throws<TsplayError>(() => renderDeep(doc[0], vars, { file: 'tasks.yml', line: 1 }));
  t.regex(e!.describe(), /^tasks\.yml:3:\d+: undefined variable 'nope'$/);
});

test('template errors from helpers are one line with the location', (t) => {
  t.is(failure(() => renderValue('{{ lt port "x" }}', vars, where)),
    `site.yml:12:7: cannot compare int with str using '<' (convert first, e.g. "| int")`);
  t.is(failure(() => renderValue('{{ join port "," }}', vars, where)), 'site.yml:12:7: join: expected a list, got int');
});

test('the same text is compiled once and works with different variables', (t) => {
  t.is(renderValue('v={{ x }}', { x: 1 }), 'v=1');
  t.is(renderValue('v={{ x }}', { x: 2 }), 'v=2');
  t.throws<TsplayError>(() => renderValue('v={{ x }}', {}), { message: "undefined variable 'x'" });
});

test('partials from a directory, strict inside too', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-partials-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'listen.hbs'), 'listen={{ proto }}:{{ ip }}:{{ port }}');
  mkdirSync(join(dir, 'sip'));
  writeFileSync(join(dir, 'sip', 'trunk.j2'), 'trunk {{ name }}');
  writeFileSync(join(dir, 'strict.txt'), '{{ missing_in_partial }}');
  writeFileSync(join(dir, '.hidden.swp'), '{{#if');
  registerPartialsDir(dir);
  registerPartialsDir(join(dir, 'does-not-exist'));
  t.is(renderText('{{> listen proto="udp" ip="1.2.3.4"}}', vars), 'listen=udp:1.2.3.4:5060');
  t.is(renderText('{{#each servers}}{{> sip/trunk}};{{/each}}', vars), 'trunk a;trunk b;');
  const e = t.throws<TsplayError>(() => renderText('{{> strict}}', vars, where));
  t.regex(e!.message, /undefined variable 'missing_in_partial'/);
  t.regex(e!.describe(), /strict\.txt:1/);
  t.throws<TsplayError>(() => renderText('{{> nosuch}}', vars, where), { message: /template error: The partial nosuch could not be found/ });
  const bad = mkdtempSync(join(tmpdir(), 'tsplay-partials-'));
  t.teardown(() => rmSync(bad, { recursive: true, force: true }));
  writeFileSync(join(bad, 'broken.hbs'), 'a\n{{#if x}}');
  const pe = t.throws<TsplayError>(() => registerPartialsDir(bad), { instanceOf: ParseError });
  t.regex(pe!.describe(), /broken\.hbs:1: template error: unexpected end of template/);
});

test('plain interpolation (fast path) and full Handlebars agree on values and errors', (t) => {
  // A trailing empty block forces the Handlebars path for the same references.
  const viaHandlebars = (tpl: string): string => `${tpl}{{#if true}}{{/if}}`;
  const probe = (tpl: string): string => {
    try {
      return `ok:${JSON.stringify(renderText(tpl, vars))}`;
    } catch (e) {
      return `err:${(e as Error).message}`;
    }
  };
  const refs = [
    '{{ name }}', '{{conf.listen}}', '{{ groups.web.[1] }}', '{{ groups.web.[9] }}',
    '{{ nothing }}', '{{ nothing.x }}', '{{ missing }}', '{{ hostvars.h3.role }}', '{{ name.length }}',
    '{{ groups.web.length }}', '{{ port.x }}', '{{ servers.[0].ip }}', '{{ conf.constructor }}', '{{ name.toUpperCase }}',
    'a {{ port }} b {{ ratio }}',
  ];
  for (const ref of refs) t.is(probe(ref), probe(viaHandlebars(ref)), ref);
  // Lists, dicts and booleans in text: the plain path writes them as Jinja does.
  for (const ref of ['{{ servers }}', '{{ conf }}', 'c {{ enabled }}', '{{ missing }}', '{{ nothing }}']) {
    t.is(probe(ref), probe(`${ref}{% if true %}{% endif %}`), ref);
  }
  t.deepEqual(renderValue('{{ servers }}', vars), vars.servers);
  t.is(renderValue(' {{ port }}\n', vars), ' 5060\n', 'a trailing newline is kept (issue #12, item 10)');
});

test('a literal {{ is written \\{{ (e.g. docker --format), as Ansible users write {% raw %}', (t) => {
  t.is(renderValue("docker ps --format '\\{{.Names}}' {{ name }}", vars), "docker ps --format '{{.Names}}' kamailio");
  t.is(renderValue('{{~ name ~}}  !', vars), 'kamailio!', 'whitespace control works');
  t.is(renderValue('{{! a comment }}{{ port }}', vars), '5060');
});

test("update/append/extend change a dict or list written in the template, as Python's (bertvv.bind's zone templates); a variable's value is never changed", (t) => {
  // the expected text is what ansible-playbook 2.14 printed for the same template (None renders as '')
  const src = "{% set d = {} %}{% set _ = d.update({'a': 1}, b=2) %}{% set l = [1] %}{{ l.append(2) }}{% set _ = l.extend([3, 4]) %}{{ d }} {{ l }} {% if d.update(c=3) %}{% endif %}{{ d | length }}";
  t.is(renderValue(src, { shared: { a: 1 } }, where), "{'a': 1, 'b': 2} [1, 2, 3, 4] 3");
  const shared = { a: 1 };
  const e = t.throws(() => renderValue('{% set _ = shared.update(b=2) %}{{ shared }}', { shared }, where), { instanceOf: TsplayError });
  t.regex(e!.message, /\.update\(\): only a list or dict written in this template/);
  t.deepEqual(shared, { a: 1 });
});
