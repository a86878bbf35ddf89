import test from 'ava';
import { commandModule, shellModule } from '../../src/modules/command.js';
import { LocalConnection } from '../../src/connection/local.js';
import { runModule } from '../../src/executor/run-module.js';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const where = { file: 'site.yml', line: 3 };
const local = new LocalConnection();
const run = (mod: typeof commandModule, args: Record<string, unknown>, check = false) =>
  runModule({ module: mod, args, conn: local, host: 'localhost', vars: {}, check, diff: false, where });

test('command runs its words without a shell: $HOME, ;, quotes stay literal', async (t) => {
  const r = await run(commandModule, { _raw_params: `printf '%s|' $HOME ';' "a b" it\\'s` });
  t.false(r.failed);
  t.is(r.stdout, `$HOME|;|a b|it's|`);
  t.true(r.changed);
});

test('creates / removes skip the run (ok, unchanged) with Ansible\'s message', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-cmd-'));
  const marker = join(dir, 'marker');
  const first = await run(shellModule, { _raw_params: `touch ${marker}`, creates: marker });
  t.true(first.changed);
  t.true(existsSync(marker));
  const second = await run(shellModule, { _raw_params: `echo again >> ${marker}`, creates: marker });
  t.false(second.changed);
  t.is(second.msg, `Did not run command since '${marker}' exists`);
  t.is(readFileSync(marker, 'utf8'), '');
  const gone = await run(shellModule, { _raw_params: 'false', removes: join(dir, 'nothing') });
  t.false(gone.changed);
  t.false(gone.failed);
  t.regex(String(gone.msg), /does not exist/);
});

test('chdir, stdin and a failing command: rc, stderr and msg', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-cmd-'));
  const r = await run(shellModule, { _raw_params: 'pwd; cat; echo oops >&2; exit 3', chdir: dir, stdin: 'in put' });
  t.true(r.failed);
  t.is(r.rc, 3);
  t.is(r.stdout, `${dir}\nin put`);
  t.is(r.stderr, 'oops');
  t.is(r.msg, 'non-zero return code');
});

test('check mode skips command and shell (they cannot say what they would change)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-cmd-'));
  const r = await run(shellModule, { _raw_params: `touch ${join(dir, 'x')}` }, true);
  t.true(r.skipped);
  t.false(existsSync(join(dir, 'x')));
});

test('bad arguments fail at parse time naming the module and argument', (t) => {
  t.throws(() => commandModule.parse({ _raw_params: 'ls', chdir: ['a'] }, where, true), { message: /command: argument 'chdir' must be a string/ });
  t.throws(() => commandModule.parse({ _raw_params: 'ls', nope: 1 }, where, true), { message: /command: unsupported argument 'nope'/ });
  t.throws(() => shellModule.parse({}, where, true), { message: /shell: no command given/ });
});

test("command ignores `executable` with Ansible's warning; shell uses it", async (t) => {
  const r = await run(commandModule, { _raw_params: 'echo $0', executable: '/bin/bash' });
  t.false(r.failed);
  t.is(r.stdout, '$0', 'no shell: the word stays literal');
  t.deepEqual(r.warnings, ["As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '/bin/bash'."]);
  const s = await run(shellModule, { _raw_params: 'echo $0', executable: '/bin/bash' });
  t.is(s.stdout, '/bin/bash');
  t.is(s.warnings, undefined);
});

test('free-form options keep a {{ }} with spaces whole: creates={{ dir }}/f in a multi-line shell block', async (t) => {
  const { splitFreeForm } = await import('../../src/util/shlex.js');
  t.deepEqual(splitFreeForm('executable="{{ bash.stdout }}"\ncreates={{ remote_tmp_dir_test }}/afile.txt\necho "test"\n', ['creates', 'executable']), {
    raw: 'echo "test"',
    options: { executable: '{{ bash.stdout }}', creates: '{{ remote_tmp_dir_test }}/afile.txt' },
  });
});
