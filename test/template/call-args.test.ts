/**
 * Jinja's `*args` in calls (`lookup('list', wantlist=True, *phrases)`, as Ansible's loops target
 * writes it) and the file lookup's lstrip/rstrip options.
 */
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParseError, TsplayError } from '../../src/errors.js';
import { renderValue } from '../../src/template/render.js';

const vars = { phrases: ['Hello World', 'Olá Mundo'], bounds: [1, 4], d: { a: 1, b: 2 } };
const r = (src: string, where?: { file: string; line: number }): unknown => renderValue(src, vars, where);

test('*args: the items of a list (or the keys of a dict) are more positional arguments', (t) => {
  t.deepEqual(r('{{ lookup("list", wantlist=True, *phrases) }}'), ['Hello World', 'Olá Mundo']);
  t.deepEqual(r('{{ q("list", *phrases) }}'), ['Hello World', 'Olá Mundo']);
  t.deepEqual(r('{{ query("list", "first", *phrases) }}'), ['first', 'Hello World', 'Olá Mundo']);
  t.deepEqual(r('{{ range(*bounds) }}'), [1, 2, 3]);
  t.deepEqual(r('{{ q("list", *d) }}'), ['a', 'b']);
  t.is(r("{{ '{}-{}'.format(*phrases) }}"), 'Hello World-Olá Mundo');
});

test('*args: the count is checked when the call runs; misuse is named', (t) => {
  t.throws(() => r('{{ range(*[1, 2, 3, 4]) }}'), { instanceOf: TsplayError, message: /'range' takes 1 to 3 arguments, got 4/ });
  t.throws(() => r('{{ q("list", *phrases, "x") }}'), { instanceOf: ParseError, message: /a positional argument after a \*argument/ });
  t.throws(() => r('{{ q("list", *phrases, *phrases) }}'), { instanceOf: ParseError, message: /only one \*argument/ });
  t.throws(() => r('{{ q("list", *5) }}'), { instanceOf: TsplayError, message: /the argument after \* must be an iterable, not int/ });
});

test("the file lookup strips trailing whitespace by default; lstrip=True also leading, rstrip=False keeps it", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-call-args-'));
  writeFileSync(join(dir, 'data1.txt'), '  Hello World\n\n');
  writeFileSync(join(dir, 'data2.txt'), '\tOlá Mundo \n');
  const where = { file: join(dir, 'site.yml'), line: 1 };
  t.deepEqual(r('{{ q("file", "data1.txt", "data2.txt") }}', where), ['  Hello World', '\tOlá Mundo']);
  t.deepEqual(r('{{ q("file", "data1.txt", "data2.txt", lstrip=True) }}', where), ['Hello World', 'Olá Mundo']);
  t.deepEqual(r('{{ q("file", lstrip=True, *["data1.txt"]) }}', where), ['Hello World']);
  t.deepEqual(r('{{ q("file", "data2.txt", rstrip=False) }}', where), ['\tOlá Mundo \n']);
});
