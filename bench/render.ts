/**
 * Template rendering: what every task pays for its strings, and what Jinja costs.
 * - plain `{{ x }}` strings (the common case: "systemctl restart {{ unit }}", a whole-value
 *   "{{ port }}"), already compiled, and 2,000 distinct ones compiled for the first time;
 * - a typical Jinja expression (a filter chain, an inline if);
 * - the 200-line .j2 of the fixtures (loops, conditionals, filters), parsed once and rendered.
 * Run: npx tsx bench/render.ts [--module path/to/render.ts] — `--module` times another checkout's
 * render.ts on the plain strings (e.g. the commit before Jinja) for comparison.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadYamlText } from '../src/util/yaml.js';
import type { Vars } from '../src/types.js';

type RenderModule = {
  renderValue(text: string, vars: Vars): unknown;
  renderFile?(text: string, vars: Vars, file: string): string;
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, 'test', 'template', 'fixtures', 'jinja');
const vars = loadYamlText(readFileSync(join(fixtures, 'vars.yml'), 'utf8'), 'vars.yml') as Vars;
const scope: Vars = { ...vars, unit: 'kamailio.service', inventory_hostname: 'cp1' };

/** Best of five rounds of `n` calls, in microseconds per call. */
function perCall(n: number, fn: (i: number) => unknown): number {
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    best = Math.min(best, (performance.now() - t0) / n);
  }
  return best * 1000;
}

const us = (x: number): string => `${x.toFixed(2)} µs`;

async function main(): Promise<void> {
  const at = process.argv.indexOf('--module');
  const modPath = at > 0 ? resolve(process.argv[at + 1]!) : join(root, 'src', 'template', 'render.ts');
  const m = (await import(pathToFileURL(modPath).href)) as RenderModule;
  const label = at > 0 ? ` (${modPath})` : '';

  const plain = perCall(200_000, () => m.renderValue('systemctl restart {{ unit }} on {{ inventory_hostname }}', scope));
  const whole = perCall(200_000, () => m.renderValue('{{ port }}', scope));
  let k = 0;
  const t0 = performance.now();
  for (let i = 0; i < 2000; i++) m.renderValue(`/usr/bin/step${k++} {{ unit }} --port {{ port }}`, scope);
  const cold = ((performance.now() - t0) / 2000) * 1000;
  console.log(`plain {{ x }} text${label}: ${us(plain)} per render; whole-value "{{ port }}": ${us(whole)}; first render of a new text: ${us(cold)}`);
  if (at > 0 || !m.renderFile) return;

  const filters = perCall(50_000, () => m.renderValue("{{ servers | selectattr('enabled') | map(attribute='name') | join(',') }}", scope));
  const inline = perCall(50_000, () => m.renderValue("port={{ port | int + 1 if enabled else 0 }}", scope));
  console.log(`Jinja expression: filter chain ${us(filters)}, arithmetic + inline if ${us(inline)} per render`);

  const file = join(fixtures, 'templates', 'big.j2');
  const text = readFileSync(file, 'utf8');
  const first = performance.now();
  m.renderFile(text, scope, file);
  const firstMs = performance.now() - first;
  const big = perCall(200, () => m.renderFile!(text, scope, file)) / 1000;
  console.log(`200-line .j2 (${text.split('\n').length - 1} lines): ${firstMs.toFixed(2)} ms first (parse + render), ${big.toFixed(3)} ms per render after`);
}

await main();
