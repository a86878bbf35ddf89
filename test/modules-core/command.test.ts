import test from 'ava';
import { commandModule, shellModule } from '../../src/modules/command.js';
import { LocalConnection } from '../../src/connection/local.js';
import { runModule } from '../../src/executor/run-module.js';
import { mkdtempSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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
    raw: 'echo "test"\n',
    options: { executable: '{{ bash.stdout }}', creates: '{{ remote_tmp_dir_test }}/afile.txt' },
  });
});

test("a task with no command, or a command and argv, fails when it runs as Ansible's module does (rc 256); at load time it is an error", async (t) => {
  const none = await run(commandModule, { chdir: '/' });
  t.like(none, { failed: true, changed: false, msg: 'no command given', rc: 256, stdout: '', cmd: null });
  const both = await run(commandModule, { _raw_params: 'echo testing', argv: ['echo', 'testing'] });
  t.like(both, { failed: true, msg: 'only command or argv can be given, not both', rc: 256 });
  t.throws(() => commandModule.parse({ chdir: '/' }, where, true), { message: /command: no command given/ });
});

test('chdir: the physical directory (as os.chdir), and a chdir that cannot be entered fails with Python\'s error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-cmd-'));
  mkdirSync(join(dir, 'real', 'site'), { recursive: true });
  symlinkSync(join(dir, 'real'), join(dir, 'link'));
  const r = await run(shellModule, { _raw_params: 'dirname "$PWD"', chdir: join(dir, 'link', 'site') });
  t.is(r.stdout, join(dir, 'real'));
  const missing = await run(commandModule, { _raw_params: 'echo', chdir: join(dir, 'nope'), creates: '/' });
  t.like(missing, { failed: true, rc: null, msg: `Unable to change directory before execution: [Errno 2] No such file or directory: b'${join(dir, 'nope')}'` });
  writeFileSync(join(dir, 'file'), '');
  const notDir = await run(commandModule, { _raw_params: 'echo', chdir: join(dir, 'file') }, true);
  t.like(notDir, { failed: true, msg: `Unable to change directory before execution: [Errno 20] Not a directory: b'${join(dir, 'file')}'` });
});

test('creates/removes are glob patterns; in check mode a guarded command that would run is changed, an unguarded one skipped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-cmd-'));
  writeFileSync(join(dir, 'a file.txt'), '');
  const created = await run(shellModule, { _raw_params: `touch ${join(dir, 'ran')}`, creates: join(dir, 'a file.*') });
  t.like(created, { changed: false, msg: `Did not run command since '${join(dir, 'a file.*')}' exists` });
  const removed = await run(shellModule, { _raw_params: `touch ${join(dir, 'ran')}`, removes: join(dir, '*.log') }, true);
  t.like(removed, { changed: false, msg: `Would not run command since '${join(dir, '*.log')}' does not exist` });
  t.false(existsSync(join(dir, 'ran')));
  const guarded = await run(shellModule, { _raw_params: `touch ${join(dir, 'ran')}`, creates: join(dir, 'ran') }, true);
  t.like(guarded, { changed: true, failed: false, rc: 0, msg: 'Command would have run if not in check mode' });
  t.false('skipped' in guarded);
  const unguarded = await run(commandModule, { cmd: 'true' }, true);
  t.like(unguarded, { skipped: true, changed: false, msg: 'Command would have run if not in check mode' });
  t.false(existsSync(join(dir, 'ran')));
});

test('strip_empty_ends strips only trailing CR/LF (rstrip); *_lines are splitlines()', async (t) => {
  const r = await run(shellModule, { _raw_params: `printf '\\n hello \\n \\r\\n\\n'` });
  t.is(r.stdout, '\n hello \n ');
  t.deepEqual(r.stdout_lines, ['', ' hello ', ' ']);
  const raw = await run(shellModule, { _raw_params: `printf 'a\\r\\n'`, strip_empty_ends: false });
  t.is(raw.stdout, 'a\r\n');
  t.deepEqual(raw.stdout_lines, ['a']);
});

test("free-form text is split and joined back as Ansible's splitter does: the shell's cmd keeps newlines, continuations join lines", async (t) => {
  const { splitFreeForm } = await import('../../src/util/shlex.js');
  const keys = ['creates', 'chdir'];
  t.deepEqual(splitFreeForm('echo this is a \\\n"multiline echo" \\\n"with a new line\nin quotes" \\\n| cat\necho "two  spaces"\n', keys), {
    raw: 'echo this is a "multiline echo" "with a new line\nin quotes" | cat\necho "two  spaces"\n',
    options: {},
  });
  t.deepEqual(splitFreeForm('cat <<EOF\nOne\n  Two\nEOF\n', keys).raw, 'cat <<EOF\nOne\n  Two\nEOF\n');
  // a k=v inside quotes stays in the command; chdir="a b" is unquoted
  t.deepEqual(splitFreeForm('echo "x creates=y" chdir="/a b"', keys), { raw: 'echo "x creates=y"', options: { chdir: '/a b' } });
  t.throws(() => splitFreeForm('echo "open', keys), { message: /unbalanced jinja2 block or quotes/ });
});
