/**
 * `!unsafe` (Ansible's AnsibleUnsafe): a tagged YAML value is never templated, wherever it goes.
 * The CLI test's expected lines are what ansible-playbook 2.14.18 printed for
 * fixtures/unsafe/site.yml (run on the implicit localhost).
 */
import test from 'ava';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { lazyVars } from '../../src/template/lazy.js';
import { checkTemplate, renderDeep, renderValue } from '../../src/template/render.js';
import { isUnsafeMember, unsafeText } from '../../src/template/unsafe.js';
import { ANSIBLE_SCHEMA } from '../../src/util/yaml-schema.js';
import { repo, runCli } from '../helpers/cli.js';

const load = (text: string): Record<string, unknown> => jsyaml.load(text, { schema: ANSIBLE_SCHEMA }) as Record<string, unknown>;
const vars = () => lazyVars(load([
  'x: expanded',
  "u: !unsafe 'literal {{ x }}'",
  "b: 'via b: {{ u }}'",
  "ul: !unsafe ['{{ x }}', 'two {% if %}']",
  "um: !unsafe {k: '{{ x }}', n: 5}",
  'plain: !unsafe undef()|mandatory',
  'hb: !unsafe "{{#if x}}{{/if}}"',
].join('\n')));

test('an !unsafe text renders as itself: in a whole value, in text, through another var, through filters', (t) => {
  const v = vars();
  t.is(renderValue('{{ u }}', v), 'literal {{ x }}');
  t.is(renderValue('text {{ u }} and {{ x }}', v), 'text literal {{ x }} and expanded');
  t.is(renderValue('{{ b }}', v), 'via b: literal {{ x }}');
  t.is(renderValue('{{ u | upper }}', v), 'LITERAL {{ X }}');
  t.is(renderValue("{{ u == 'literal {' ~ '{ x }}' }}", v), true);
  t.is(v.u, 'literal {{ x }}');
  t.is(v.hb, '{{#if x}}{{/if}}', 'Handlebars forms inside stay literal too');
});

test('!unsafe on a list or a mapping makes each text in it unsafe; other scalars keep their type', (t) => {
  const v = vars();
  t.deepEqual(v.ul, ['{{ x }}', 'two {% if %}']);
  t.deepEqual(v.um, { k: '{{ x }}', n: 5 });
  t.is(renderValue('{{ ul }} {{ um.k }}', v), "['{{ x }}', 'two {% if %}'] {{ x }}");
});

test('an !unsafe task argument is kept as written and passes the load-time template check', (t) => {
  const args = load("msg: !unsafe '{{ x }} as an argument {{#each y}}'");
  t.notThrows(() => checkTemplate(args.msg as string));
  t.deepEqual(renderDeep(args, vars()), { msg: '{{ x }} as an argument {{#each y}}' });
});

test('an !unsafe text kept unrendered in data (hostvars of an inventory var) reads as its literal', (t) => {
  const data = { x: 'expanded', hostvars: { h1: { iu: unsafeText('{{ x }}'), n: 1 } }, iu: unsafeText('{{ x }}') };
  t.is(renderValue("{{ hostvars['h1'].iu }} {{ hostvars.h1['iu'] }} {{ iu }} {{ x }}", data), '{{ x }} {{ x }} {{ x }} expanded');
  const out = renderDeep({ v: '{{ hostvars.h1.iu }}', w: '{{ hostvars.h1.n }}' }, data);
  t.deepEqual(out, { v: '{{ x }}', w: 1 });
  t.true(isUnsafeMember(out, 'v'));
});

test('renderDeep marks the members rendered from an unsafe value, and only those', (t) => {
  const v = vars();
  // read u once before, so the second read comes from the lazy cache
  renderValue('{{ u }}', v);
  const out = renderDeep({ a: '{{ u }}', b: 'x {{ b }}', c: '{{ x }}', d: 'plain', e: ['{{ plain }}', '{{ x }}'] }, v) as Record<string, unknown>;
  t.deepEqual(out, { a: 'literal {{ x }}', b: 'x via b: literal {{ x }}', c: 'expanded', d: 'plain', e: ['undef()|mandatory', 'expanded'] });
  t.deepEqual(['a', 'b', 'c', 'd'].map((k) => isUnsafeMember(out, k)), [true, true, false, false]);
  t.deepEqual([0, 1].map((i) => isUnsafeMember(out.e, i)), [true, false]);
});

test('tsplay prints what ansible-playbook prints for unsafe values (vars, loop items, set_fact, register, debug var)', async (t) => {
  const dir = join(repo, 'test', 'template', 'fixtures', 'unsafe');
  const r = await runCli(['site.yml'], { cwd: dir });
  t.is(r.code, 0, r.stderr);
  const printed = r.stdout.split('\n').filter((l) => /^ {4}"/.test(l)).map((l) => l.trim());
  t.deepEqual(printed, [
    '"msg": "literal {{ x }}"',
    '"msg": "text literal {{ x }} and expanded"',
    '"msg": "via b: literal {{ x }}"',
    '"msg": "LITERAL {{ X }}"',
    `"msg": "['{{ x }}', 'two {% if %}'] {{ x }}"`,
    '"msg": "{{ x }}"',
    '"msg": "two {% if %}"',
    '"msg": "{{ x }} as an argument"',
    '"msg": "literal {{ x }} | g literal {{ x }} | {{ x }} as an argument"',
    '"f": "literal {{ x }}"',
    // the assert's result, shown in full as Ansible's callback shows it (_ansible_verbose_always)
    '"changed": false,',
    '"msg": "All assertions passed"',
    '"undef()|mandatory": "{{undef()|mandatory}}"',
    '"msg": "{{ x }} in a tagged loop"',
  ]);
  t.regex(r.stdout, /TASK \[named \{\{ x \}\}\] \*+/, 'an !unsafe task name is shown as written');
  t.regex(r.stdout, /ok: \[localhost\] => \(item=\{\{ x \}\}\)/);
  t.regex(r.stdout, /localhost +: ok=13 +changed=0 +unreachable=0 +failed=0/);
});
