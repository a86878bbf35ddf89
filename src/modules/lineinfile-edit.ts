/**
 * lineinfile's editing rules, as Ansible documents and implements them, on the controller: pure text in,
 * text out, so every rule is testable without a host. Lines keep their own endings.
 */

import { pythonRegExp } from '../util/py-regex.js';

export interface LineEdit {
  regexp?: string;
  search_string?: string;
  line?: string;
  insertafter?: string;
  insertbefore?: string;
  backrefs: boolean;
  firstmatch: boolean;
}

export interface EditResult {
  lines: string[];
  changed: boolean;
  msg: string;
  /** state=absent: how many lines were removed. */
  found?: number;
}

/** Python's Match.expand: \1, \g<1>, \g<name>, and the escapes \n \t \r \\; an unmatched group is ''. */
export function expandTemplate(template: string, m: RegExpExecArray): string {
  return template.replace(/\\(?:(\d{1,2})|g<(\w+)>|([ntr\\]))/g, (all, num: string | undefined, g: string | undefined, esc: string | undefined) => {
    if (esc) return esc === 'n' ? '\n' : esc === 't' ? '\t' : esc === 'r' ? '\r' : '\\';
    const ref = num ?? g!;
    const value = /^\d+$/.test(ref) ? m[Number(ref)] : m.groups?.[ref];
    return value ?? '';
  });
}

/** Split keeping line endings, as Python's readlines(). */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const bare = (l: string) => l.replace(/[\r\n]+$/, '');
/** Python's `$` also matches before a final newline: search the line without it. */
const searchable = (l: string) => l.replace(/\n$/, '');

/** state=present: replace the last line matching regexp (first with firstmatch), or insert the line. */
export function presentEdit(input: string[], e: LineEdit): EditResult {
  const lines = [...input];
  const line = e.line ?? '';
  const insertafter = e.insertafter ?? (e.insertbefore === undefined ? 'EOF' : undefined);
  const insertbefore = e.insertbefore;
  const re = e.regexp !== undefined ? pythonRegExp(e.regexp) : undefined;
  const insRe =
    insertafter !== undefined && insertafter !== 'BOF' && insertafter !== 'EOF'
      ? pythonRegExp(insertafter)
      : insertbefore !== undefined && insertbefore !== 'BOF'
        ? pythonRegExp(insertbefore)
        : undefined;

  let matchIndex = -1; // the line regexp/search_string (or the exact line) matched
  let insIndex = -1; // where insertafter/insertbefore says the line goes
  let match: RegExpExecArray | undefined;
  let matched = false;
  if (re) {
    for (let i = 0; i < lines.length; i++) {
      const m = re.exec(searchable(lines[i]!));
      if (m) {
        matchIndex = i;
        match = m;
        matched = true;
        if (e.firstmatch) break;
      }
    }
  }
  if (e.search_string !== undefined) {
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.includes(e.search_string)) {
        matchIndex = i;
        matched = true;
        if (e.firstmatch) break;
      }
    }
  }
  if (!matched) {
    for (let i = 0; i < lines.length; i++) {
      if (bare(lines[i]!) === line) {
        matchIndex = i;
      } else if (insRe && insRe.test(searchable(lines[i]!))) {
        if (insertafter !== undefined) {
          insIndex = i + 1;
          if (e.firstmatch) break;
        }
        if (insertbefore !== undefined) {
          insIndex = i;
          if (e.firstmatch) break;
        }
      }
    }
  }

  const added = (): EditResult => ({ lines, changed: true, msg: 'line added' });
  const unchanged: EditResult = { lines, changed: false, msg: '' };
  const endWithNewline = () => {
    const last = lines[lines.length - 1];
    if (last !== undefined && !/[\r\n]$/.test(last)) lines[lines.length - 1] = last + '\n';
  };

  if (matchIndex !== -1) {
    let newLine = e.backrefs && match ? expandTemplate(line, match) : line;
    if (!newLine.endsWith('\n')) newLine += '\n';
    if (lines[matchIndex] === newLine) return unchanged;
    lines[matchIndex] = newLine;
    return { lines, changed: true, msg: 'line replaced' };
  }
  // Without a match there is nothing to fill the back-references from: leave the file alone.
  if (e.backrefs) return unchanged;
  if (insertbefore === 'BOF' || insertafter === 'BOF') {
    lines.unshift(line + '\n');
    return added();
  }
  if (insertafter === 'EOF' || insIndex === -1) {
    if (lines.length > 0 && !/[\r\n]$/.test(lines[lines.length - 1]!)) lines.push('\n');
    lines.push(line + '\n');
    return added();
  }
  if (insertafter !== undefined) {
    // Already there right after the anchor: nothing to do. (Unlike Ansible, a last line without its
    // newline gets one before the insert, instead of the two lines being glued together.)
    if (insIndex === lines.length) {
      if (bare(lines[insIndex - 1]!) === line) return unchanged;
      endWithNewline();
      lines.push(line + '\n');
      return added();
    }
    if (bare(lines[insIndex]!) === line) return unchanged;
    lines.splice(insIndex, 0, line + '\n');
    return added();
  }
  lines.splice(insIndex, 0, line + '\n');
  return added();
}

/** state=absent: remove every line matching regexp, containing search_string, or equal to line. */
export function absentEdit(input: string[], e: LineEdit): EditResult {
  const re = e.regexp !== undefined ? pythonRegExp(e.regexp) : undefined;
  const hit = (l: string) =>
    re ? re.test(searchable(l)) : e.search_string !== undefined ? l.includes(e.search_string) : bare(l) === e.line;
  const kept = input.filter((l) => !hit(l));
  const found = input.length - kept.length;
  return { lines: kept, changed: found > 0, msg: found > 0 ? `${found} line(s) removed` : '', found };
}
