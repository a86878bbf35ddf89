import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderFile, renderText } from '../../src/template/render.js';
import { loadYamlText } from '../../src/util/yaml.js';
import type { Vars } from '../../src/types.js';

/**
 * Byte-for-byte against ansible-playbook (ansible-core 2.14): the expected outputs were recorded
 * by scripts/record-template-fixtures.ts from the same vars, expressions and templates.
 */
const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'jinja');
const vars = loadYamlText(readFileSync(join(dir, 'vars.yml'), 'utf8'), join(dir, 'vars.yml')) as Vars;
// What the recorder put in the environment and where its playbook was (lookups search beside it).
process.env.TSPLAY_FIXTURE_ENV = 'from the environment';
const where = { file: join(dir, 'record.yml'), line: 1 };
const expressions = JSON.parse(readFileSync(join(dir, 'expected', 'expressions.json'), 'utf8')) as Record<string, string>;

test('at least 60 expressions and 10 template files were recorded', (t) => {
  t.true(Object.keys(expressions).length >= 60);
  t.true(readdirSync(join(dir, 'templates')).filter((f) => f.endsWith('.j2')).length >= 10);
});

for (const [expr, expected] of Object.entries(expressions)) {
  test(`expression ${expr}`, (t) => {
    t.is(renderText(`>${expr}<`, vars, where).slice(1, -1), expected);
  });
}

for (const name of readdirSync(join(dir, 'templates')).filter((f) => f.endsWith('.j2')).sort()) {
  test(`template ${name}`, (t) => {
    const file = join(dir, 'templates', name);
    const out = renderFile(readFileSync(file, 'utf8'), vars, file);
    t.is(out, readFileSync(join(dir, 'expected', name), 'utf8'));
  });
}
