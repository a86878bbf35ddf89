import test from 'ava';
import { ParseError } from '../../src/errors.js';
import { findModule } from '../../src/modules/registry.js';
import { applyMode, octal, parseMode } from '../../src/modules/file-attrs.js';

const where = { file: 'site.yml', line: 12, column: 7 };

function parseError(module: string, raw: unknown, loadTime = true): ParseError {
  const mod = findModule(module)!;
  const e = (() => {
    try {
      mod.parse(raw, where, loadTime);
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  if (!(e instanceof ParseError)) throw new Error(`${module} ${JSON.stringify(raw)}: expected a ParseError, got ${String(e)}`);
  return e;
}

test('the files modules are registered, with their ansible.builtin names', (t) => {
  for (const name of ['copy', 'template', 'file', 'lineinfile', 'stat', 'fetch', 'script']) {
    t.is(findModule(name)?.name, name);
    t.is(findModule(`ansible.builtin.${name}`)?.name, name);
  }
});

test('bad arguments fail at load time naming file:line and the argument', (t) => {
  const cases: [string, unknown, RegExp][] = [
    ['copy', { content: 'x', dest: '/a', colour: 'red' }, /unsupported argument 'colour'/],
    // the copy action plugin's own messages (Ansible's copy target asserts them)
    ['copy', { content: 'x' }, /^copy: dest is required$/],
    ['copy', { dest: '/a' }, /^copy: src \(or content\) is required$/],
    ['copy', { src: '', dest: '/a' }, /^copy: src \(or content\) is required$/],
    ['copy', { src: 'a', content: 'x', dest: '/a' }, /^copy: src and content are mutually exclusive$/],
    ['copy', { content: 'x', dest: '/a/' }, /^copy: can not use content with a dir as dest$/],
    ['copy', { content: 'x', dest: '/a', backup: 'maybe' }, /argument 'backup' must be a boolean/],
    ['copy', { content: 'x', dest: '/a', mode: 'rwxr' }, /argument 'mode' must be an octal mode/],
    ['copy', { content: 'x', dest: '/a', validate: 'visudo -c' }, /argument 'validate' must contain %s/],
    ['template', { src: 'a.j2' }, /missing required argument 'dest'/],
    ['template', { src: 'a.j2', dest: '/a', force: [1] }, /argument 'force' must be a boolean/],
    ['file', { state: 'directory' }, /missing required argument 'path'/],
    ['file', { path: '/a', state: 'gone' }, /argument 'state' must be one of/],
    ['file', { path: '/a', state: 'file', recurse: true }, /^file: recurse option requires state to be 'directory'$/],
    ['file', { path: '/a', state: 'hard' }, /^file: src is required for creating new hardlinks$/],
    ['file', { path: '/a', state: 'file', src: '/b' }, /^file: src option requires state to be 'link' or 'hard'$/],
    ['file', { path: '/a', state: 'directory', recurse: true, attributes: 'A' }, /'attributes' with 'recurse' is not supported/],
    ['file', { path: '/a', owner: { name: 'x' } }, /argument 'owner' must be a string/],
    ['lineinfile', { path: '/a' }, /argument 'line' is required with state=present/],
    ['lineinfile', { path: '/a', state: 'absent' }, /one of 'line', 'search_string' or 'regexp' is required/],
    ['lineinfile', { path: '/a', line: 'x', insertafter: 'a', insertbefore: 'b' }, /'insertbefore' and 'insertafter' are mutually exclusive/],
    ['lineinfile', { path: '/a', line: 'x', backrefs: true }, /'regexp' is required with backrefs/],
    ['lineinfile', { path: '/a', line: 'x', regexp: '(unclosed' }, /argument 'regexp' is not a valid regular expression/],
    ['stat', { get_checksum: true }, /missing required argument 'path'/],
    ['stat', { path: '/a', get_checksum: 'often' }, /argument 'get_checksum' must be a boolean/],
    ['fetch', { src: '/a' }, /missing required argument 'dest'/],
    ['fetch', { src: '/a', dest: '/b', flat: 'flat' }, /argument 'flat' must be a boolean/],
    ['script', '', /no script given/],
    ['script', { cmd: 'x.sh', shebang: true }, /unsupported argument 'shebang'/],
  ];
  for (const [module, raw, message] of cases) {
    const e = parseError(module, raw);
    t.regex(e.message, message, `${module} ${JSON.stringify(raw)}`);
    t.regex(e.describe(), /^site\.yml:12:7: /);
  }
});

test('templated values pass type checks at load time and are checked after rendering', (t) => {
  const copy = findModule('copy')!;
  t.notThrows(() => copy.parse({ content: 'x', dest: '/a', mode: '{{ m }}', backup: '{{ b }}' }, where, true));
  t.throws(() => copy.parse({ content: 'x', dest: '/a', mode: 'banana' }, where, false), { instanceOf: ParseError });
});

test('aliases resolve as in Ansible', (t) => {
  t.is(findModule('file')!.parse({ dest: '/x', state: 'directory' }, where, false).path, '/x');
  t.is(findModule('file')!.parse({ name: '/y', state: 'absent' }, where, false).path, '/y');
  t.is(findModule('lineinfile')!.parse({ destfile: '/z', regex: 'a', value: 'b' }, where, false).regexp, 'a');
  t.is(findModule('copy')!.parse({ content: 'x', dest: '/a', thirsty: 'no' }, where, false).force, false);
});

test('mode: YAML 0644 (the integer 420), "644", "0644" and symbolic modes', (t) => {
  const m = (v: unknown) => parseMode('copy', 'mode', v, where, false);
  t.is(m(0o644), '0644');
  t.is(m(420), '0644');
  t.is(m('644'), '0644');
  t.is(m('0644'), '0644');
  t.is(m('04755'), '4755');
  t.is(m(644), '1204', 'a bare 644 is decimal, as Ansible reads it');
  t.is(m('u=rwx,g=rx,o='), 'u=rwx,g=rx,o=');
  t.is(m(undefined), undefined);
  t.throws(() => m('0999'), { instanceOf: ParseError });
  t.throws(() => m('u=rwz'), { instanceOf: ParseError });
});

test('symbolic modes are computed as chmod does', (t) => {
  t.is(octal(applyMode('u=rwx,g=rx,o=', 0o644, false)), '0750');
  t.is(octal(applyMode('u+x', 0o644, false)), '0744');
  t.is(octal(applyMode('go-w', 0o666, false)), '0644');
  t.is(octal(applyMode('a+X', 0o644, false)), '0644', 'X adds nothing to a non-executable file');
  t.is(octal(applyMode('a+X', 0o644, true)), '0755', 'X makes directories searchable');
  t.is(octal(applyMode('a+X', 0o744, false)), '0755');
  t.is(octal(applyMode('+w', 0o444, false, 0o022)), '0644', 'no who: the umask protects g/o');
  t.is(octal(applyMode('g=u', 0o640, false)), '0660');
  t.is(octal(applyMode('u+s,g+s,o+t', 0o755, true)), '7755');
  t.is(octal(applyMode('0600', 0o777, false)), '0600');
});

test("load time: an argument that may render to omit is neither given nor missing (geerlingguy.pip's executable/virtualenv)", (t) => {
  const pip = findModule('pip')!;
  const maybe = { name: 'x', executable: "{{ item.executable | default(omit) }}", virtualenv: "{{ item.virtualenv | default(omit) }}" };
  t.notThrows(() => pip.parse(maybe, where, true));
  t.notThrows(() => findModule('file')!.parse({ path: "{{ p | default(omit) }}" }, where, true), 'a required argument that may be omitted');
  // rendered, both given: the rule holds
  t.regex(parseError('pip', { name: 'x', executable: 'pip3', virtualenv: '/venv' }, false).message, /'executable' and 'virtualenv' are mutually exclusive/);
  t.regex(parseError('pip', { name: 'x', executable: 'pip3', virtualenv: '{{ v }}' }).message, /mutually exclusive/, 'a template without omit still counts');
});
