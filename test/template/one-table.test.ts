import test from 'ava';
import { FILTERS, TESTS } from '../../src/template/expr-funcs.js';
import { HELPERS } from '../../src/template/helpers.js';
import { renderText } from '../../src/template/render.js';

/**
 * One function table: a Handlebars helper named like a Jinja filter or test does that filter's
 * job, so both spellings give the same text for the same input.
 */
const vars = { xs: ['a', 'b', 'c'], s: ' Hello, World ', p: '/etc/kamailio/kamailio.cfg', n: null, v: '4.0.10', q: "it's" };

const pairs: [string, string][] = [
  ['{{join xs ","}}', '{{ xs | join(",") }}'],
  ['{{join xs}}', '{{ xs | join }}'],
  ['{{join (split "a,b" ",") "-"}}', '{{ "a,b" | split(",") | join("-") }}'],
  ['{{upper s}}', '{{ s | upper }}'],
  ['{{lower s}}', '{{ s | lower }}'],
  ['{{trim s}}', '{{ s | trim }}'],
  ['{{replace s "o" "0"}}', '{{ s | replace("o", "0") }}'],
  ['{{regex_replace s "l+" "L"}}', '{{ s | regex_replace("l+", "L") }}'],
  ['{{basename p}}', '{{ p | basename }}'],
  ['{{dirname p}}', '{{ p | dirname }}'],
  ['{{quote q}}', '{{ q | quote }}'],
  ['{{default n "x"}}', '{{ n | default("x") }}'],
  ['{{default n "x" true}}', '{{ n | default("x", true) }}'],
  ['{{default missing "x"}}', '{{ missing | default("x") }}'],
  ['{{#if (version v "4.0.9" "gt")}}newer{{/if}}', '{% if v is version("4.0.9", "gt") %}newer{% endif %}'],
  ...['eq', 'ne', 'lt', 'gt', 'le', 'ge'].map((op): [string, string] => [`{{#if (${op} v "4.0.10")}}T{{else}}F{{/if}}`, `{% if v is ${op}("4.0.10") %}T{% else %}F{% endif %}`]),
  ['{{#if (defined missing)}}yes{{else}}no{{/if}}', '{% if missing is defined %}yes{% else %}no{% endif %}'],
];

for (const [hbs, jinja] of pairs) {
  test(`${hbs} renders as ${jinja}`, (t) => {
    t.is(renderText(`[${hbs}]`, vars), renderText(`[${jinja}]`, vars));
  });
}

test('every helper named like a filter or test is one of the pairs above', (t) => {
  const shared = Object.keys(HELPERS).filter((h) => Object.hasOwn(FILTERS, h) || Object.hasOwn(TESTS, h));
  const covered = new Set(pairs.flatMap(([h]) => [...h.matchAll(/[{(](\w+)/g)].map((m) => m[1])));
  for (const h of shared) t.true(covered.has(h), `helper ${h} is compared with its filter/test`);
});
