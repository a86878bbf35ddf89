import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TsplayError } from '../../src/errors.js';
import { checkTemplateFile, renderFile } from '../../src/template/render.js';

/** {% macro %} and {% include %} (byte-for-byte output against Ansible is in jinja-fixtures.test.ts). */
const dir = mkdtempSync(join(tmpdir(), 'tsplay-macro-'));
const file = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof TsplayError) return e.describe();
    throw e;
  }
  return 'no error';
};

test('a macro sees the template vars, may call itself, and binds arguments as Python does', (t) => {
  const f = file('m.j2', "{% macro down(n) %}{{ n }}{% if n > 0 %},{{ down(n - 1) }}{% endif %}{% endmacro %}{{ down(start) }}\n");
  t.is(renderFile(`{% macro down(n) %}{{ n }}{% if n > 0 %},{{ down(n - 1) }}{% endif %}{% endmacro %}{{ down(start) }}\n`, { start: 3 }, f), '3,2,1,0\n');
  const g = file('g.j2', '{% macro m(a, b=2) %}{{ a }}{{ b }}{% endmacro %}{{ m(1, 2, 3) }}');
  t.regex(message(() => renderFile('{% macro m(a, b=2) %}{{ a }}{{ b }}{% endmacro %}{{ m(1, 2, 3) }}', {}, g)), /macro 'm' takes not more than 2 argument\(s\), got 3/);
  t.regex(message(() => renderFile('{% macro m(a) %}{{ a }}{% endmacro %}{{ m() }}', {}, g)), /undefined variable 'a'/);
  t.regex(message(() => checkTemplateFile('{{ m(1) }}{% macro m(a) %}{% endmacro %}', g)), /unknown function 'm\(\)'/, 'called before it is defined');
});

test('include: beside the template, with its context; a missing one is an error unless ignore missing', (t) => {
  file('part.inc', 'x={{ x }} y={{ y }}\n');
  const main = file('main.j2', "{% set y = 2 %}{% include 'part.inc' %}|{% include 'nope.inc' ignore missing %}end\n");
  t.is(renderFile("{% set y = 2 %}{% include 'part.inc' %}|{% include 'nope.inc' ignore missing %}end\n", { x: 1 }, main), 'x=1 y=2|end\n');
  t.regex(message(() => renderFile("{% include 'nope.inc' %}", {}, main)), /include: template 'nope\.inc' not found/);
});
