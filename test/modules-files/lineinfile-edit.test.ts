import test from 'ava';
import { absentEdit, expandTemplate, presentEdit, splitLines, type LineEdit } from '../../src/modules/lineinfile-edit.js';

const base: LineEdit = { backrefs: false, firstmatch: false };

function present(text: string, e: Partial<LineEdit>): { text: string; changed: boolean; msg: string } {
  const r = presentEdit(splitLines(text), { ...base, ...e });
  return { text: r.lines.join(''), changed: r.changed, msg: r.msg };
}

const CFG = 'listen=udp:1.2.3.4:5060\n#debug=2\ndebug=3\nfork=yes\ndebug=4\n';

test('regexp: the LAST matching line is replaced', (t) => {
  const r = present(CFG, { regexp: '^debug=', line: 'debug=1' });
  t.is(r.text, 'listen=udp:1.2.3.4:5060\n#debug=2\ndebug=3\nfork=yes\ndebug=1\n');
  t.deepEqual([r.changed, r.msg], [true, 'line replaced']);
});

test('regexp with firstmatch: the first matching line is replaced', (t) => {
  t.is(present(CFG, { regexp: '^debug=', line: 'debug=1', firstmatch: true }).text, 'listen=udp:1.2.3.4:5060\n#debug=2\ndebug=1\nfork=yes\ndebug=4\n');
});

test('the line already there: unchanged, whether or not the regexp matches', (t) => {
  t.false(present(CFG, { regexp: '^fork=', line: 'fork=yes' }).changed);
  t.false(present(CFG, { regexp: '^nomatch', line: 'fork=yes' }).changed);
  t.false(present(CFG, { line: 'fork=yes' }).changed);
});

test('no match: the line is appended at EOF (a missing final newline is added first)', (t) => {
  t.is(present(CFG, { regexp: '^children=', line: 'children=8' }).text, CFG + 'children=8\n');
  t.is(present('a\nb', { line: 'c' }).text, 'a\nb\nc\n');
  t.is(present('', { line: 'c' }).text, 'c\n');
});

test('insertafter: after the LAST line matching, or the first with firstmatch; EOF when none matches', (t) => {
  t.is(present(CFG, { line: 'x=1', insertafter: '^debug=' }).text, 'listen=udp:1.2.3.4:5060\n#debug=2\ndebug=3\nfork=yes\ndebug=4\nx=1\n');
  t.is(present(CFG, { line: 'x=1', insertafter: '^debug=', firstmatch: true }).text, 'listen=udp:1.2.3.4:5060\n#debug=2\ndebug=3\nx=1\nfork=yes\ndebug=4\n');
  t.is(present(CFG, { line: 'x=1', insertafter: '^nothing' }).text, CFG + 'x=1\n');
});

test('insertafter is ignored when regexp matches (the match is replaced)', (t) => {
  t.is(present(CFG, { regexp: '^fork=', line: 'fork=no', insertafter: '^listen' }).text, CFG.replace('fork=yes', 'fork=no'));
});

test('insertbefore: before the last matching line; BOF puts it first', (t) => {
  t.is(present(CFG, { line: 'x=1', insertbefore: '^debug=' }).text, 'listen=udp:1.2.3.4:5060\n#debug=2\ndebug=3\nfork=yes\nx=1\ndebug=4\n');
  t.is(present(CFG, { line: 'x=1', insertbefore: '^debug=', firstmatch: true }).text, 'listen=udp:1.2.3.4:5060\n#debug=2\nx=1\ndebug=3\nfork=yes\ndebug=4\n');
  t.is(present(CFG, { line: '#!KAMAILIO', insertbefore: 'BOF' }).text, '#!KAMAILIO\n' + CFG);
  t.is(present(CFG, { line: '#!KAMAILIO', insertafter: 'BOF' }).text, '#!KAMAILIO\n' + CFG);
});

test('backrefs: groups fill the line; no match leaves the file alone (no append)', (t) => {
  const r = present(CFG, { regexp: '^listen=udp:([0-9.]+):(\\d+)$', line: 'listen=tcp:\\1:\\g<2>', backrefs: true });
  t.is(r.text, CFG.replace('listen=udp:1.2.3.4:5060', 'listen=tcp:1.2.3.4:5060'));
  const none = present(CFG, { regexp: '^alias=(.*)', line: 'alias=\\1', backrefs: true });
  t.deepEqual([none.text, none.changed], [CFG, false]);
});

test('Python named groups work in regexp and backrefs', (t) => {
  const r = present('port = 5060\n', { regexp: '^port = (?P<p>\\d+)$', line: 'port=\\g<p>', backrefs: true });
  t.is(r.text, 'port=5060\n');
});

test('search_string matches literally (regex characters are plain)', (t) => {
  t.is(present('a.b=1\naxb=2\n', { search_string: 'a.b', line: 'a.b=9' }).text, 'a.b=9\naxb=2\n');
});

test('expandTemplate handles \\n escapes and unmatched groups', (t) => {
  const m = /(a)(x)?/.exec('a')!;
  t.is(expandTemplate('[\\1][\\2]\\n', m), '[a][]\n');
});

test('absent removes every matching line and counts them', (t) => {
  const r = absentEdit(splitLines(CFG), { ...base, regexp: '^#?debug=' });
  t.is(r.lines.join(''), 'listen=udp:1.2.3.4:5060\nfork=yes\n');
  t.deepEqual([r.found, r.msg], [3, '3 line(s) removed']);
  const exact = absentEdit(splitLines(CFG), { ...base, line: 'fork=yes' });
  t.is(exact.found, 1);
  const none = absentEdit(splitLines(CFG), { ...base, line: 'nothing' });
  t.deepEqual([none.changed, none.found], [false, 0]);
});

test('a CRLF file keeps its line endings on untouched lines', (t) => {
  t.is(present('a=1\r\nb=2\r\n', { regexp: '^a=', line: 'a=5' }).text, 'a=5\nb=2\r\n');
});
