import test from 'ava';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TsplayError } from '../../src/errors.js';
import { loadInventory } from '../../src/inventory/inventory.js';

/** Bad inventories: one clear message naming the file (and line), exit code 1. */
const errors = join(fileURLToPath(new URL('.', import.meta.url)), 'corpus', 'errors');

async function failure(t: import('ava').ExecutionContext, file: string): Promise<TsplayError> {
  const e = await t.throwsAsync(loadInventory([join(errors, file)]));
  t.true(e instanceof TsplayError, String(e));
  const err = e as TsplayError;
  t.is(err.code, 1);
  t.false(err.describe().includes('\n'), 'one line');
  return err;
}

test('a cycle in :children names the file and the line that closes it', async (t) => {
  const e = await failure(t, 'cycle.ini');
  t.is(e.describe(), `${join(errors, 'cycle.ini')}:6: [c:children]: adding group 'a' as child to 'c' creates a recursive dependency loop`);
});

test('a :vars line without = is an error at its line', async (t) => {
  const e = await failure(t, 'bad-vars.ini');
  t.deepEqual(e.where, { file: join(errors, 'bad-vars.ini'), line: 4 });
  t.regex(e.message, /expected key=value in \[web:vars\], got: this line has no equals sign/);
});

test('an unterminated section header is an error at its line', async (t) => {
  const e = await failure(t, 'bad-section.ini');
  t.deepEqual(e.where, { file: join(errors, 'bad-section.ini'), line: 1 });
});

test('an unclosed quote on a host line is an error at its line', async (t) => {
  const e = await failure(t, 'bad-quote.ini');
  t.deepEqual(e.where, { file: join(errors, 'bad-quote.ini'), line: 2 });
  t.regex(e.message, /No closing quotation/);
});

test('a failing inventory script reports its status and stderr', async (t) => {
  const e = await failure(t, 'failing.sh');
  t.is(e.message, 'inventory script exited with status 3: boom: no backend');
});

test('a script printing bad JSON is an error naming the script', async (t) => {
  const e = await failure(t, 'bad-json.sh');
  t.is(e.where?.file, join(errors, 'bad-json.sh'));
  t.regex(e.message, /invalid JSON for --list/);
});

test('a YAML syntax error names file and line', async (t) => {
  const e = await failure(t, 'bad-yaml.yml');
  t.is(e.where?.file, join(errors, 'bad-yaml.yml'));
  t.is(typeof e.where?.line, 'number');
});

test('a missing inventory file is an error, not an empty inventory', async (t) => {
  const e = await failure(t, 'no-such-file');
  t.is(e.message, 'inventory source not found');
});
