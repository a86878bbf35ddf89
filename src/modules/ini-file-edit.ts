/**
 * ini_file's editing rules (community.general.ini_file), on the controller: text in, text out.
 * Lines keep their endings; the option is matched as Ansible's `match_opt` does (a commented
 * `#opt = v` / `;opt = v` line is replaced by the active one).
 */

export interface IniEdit {
  section?: string;
  section_has?: { option: string; value: string }[];
  option?: string;
  values: string[];
  state: 'present' | 'absent';
  exclusive: boolean;
  no_extra_spaces: boolean;
  ignore_spaces: boolean;
  allow_no_value: boolean;
}

export interface IniResult {
  text: string;
  changed: boolean;
  msg: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `[#;]? *option *(=|$) *value` — group 1 the comment sign, group 7 the value (Python's groups). */
function matchOpt(option: string, line: string): RegExpExecArray | null {
  return new RegExp(`^([#;]?)( |\\t)*(${escape(option)})( |\\t)*(=|$)( |\\t)*(.*)`).exec(line.replace(/\n$/, ''));
}
function matchActiveOpt(option: string, line: string): RegExpExecArray | null {
  return new RegExp(`^( |\\t)*(${escape(option)})( |\\t)*(=|$)( |\\t)*(.*)`).exec(line.replace(/\n$/, ''));
}

const FAKE = 'ad01e11446efb704fcdbdb21f2c43757423d91c5';

export function iniEdit(original: string | undefined, e: IniEdit): IniResult {
  const values: string[] = [];
  for (const v of e.values) if (!values.includes(v)) values.push(v);
  const option = e.option;
  let changed = false;
  let lines: string[] = (original ?? '').match(/[^\n]*\n|[^\n]+$/g) ?? [];
  if (lines.length === 0) lines.push('\n');
  if (lines[lines.length - 1] === '' || !lines[lines.length - 1]!.endsWith('\n')) {
    lines[lines.length - 1] += '\n';
    changed = true;
  }
  lines = [`[${FAKE}]`, ...lines, '['];
  const section = e.section ? e.section : FAKE;
  const fmt = (o: string, v: string) => (e.no_extra_spaces ? `${o}=${v}\n` : `${o} = ${v}\n`);
  const sectionHas = (sectionLines: string[]) =>
    (e.section_has ?? []).every((check) => sectionLines.some((l) => matchOpt(check.option, l)?.[7] === check.value));

  let within = false;
  let start = 0;
  let end = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (within && line.startsWith('[')) {
      if (sectionHas(lines.slice(start, i))) {
        end = i;
        break;
      }
      within = false;
      start = end = 0;
    }
    if (line.startsWith(`[${section}]`)) {
      within = true;
      start = i;
    }
  }
  const before = lines.slice(0, start);
  let sec = lines.slice(start, end);
  const after = lines.slice(end);
  let done = new Array<boolean>(sec.length).fill(false);
  let msg = 'OK';
  let noValuePresent = false;

  const update = (i: number, newline: string) => {
    let differs: boolean | undefined;
    if (e.ignore_spaces) {
      const old = matchOpt(option!, sec[i]!)!;
      if (!old[1]) differs = old[7] !== matchOpt(option!, newline)![7];
    }
    if (differs === undefined) differs = sec[i] !== newline;
    if (differs) {
      sec[i] = newline;
      changed = true;
      msg = 'option changed';
    }
    done[i] = true;
  };

  if (e.state === 'present' && option) {
    for (let i = 0; i < sec.length; i++) {
      const m = matchOpt(option, sec[i]!);
      if (!m) continue;
      if (values.length > 0 && values.includes(m[7]!)) {
        const matched = m[7]!;
        if (!matched && e.allow_no_value) {
          update(i, `${option}\n`);
          noValuePresent = true;
        } else update(i, fmt(option, matched));
        values.splice(values.indexOf(matched), 1);
      } else if (values.length === 0 && e.allow_no_value) {
        update(i, `${option}\n`);
        noValuePresent = true;
        break;
      }
    }
  }
  if (e.state === 'present' && e.exclusive && !e.allow_no_value) {
    if (values.length > 0) {
      for (let i = 0; i < sec.length; i++) {
        if (!done[i] && matchOpt(option!, sec[i]!)) {
          update(i, fmt(option!, values.shift()!));
          if (values.length === 0) break;
        }
      }
    }
    for (let i = sec.length - 1; i > 0; i--) {
      if (!done[i] && matchOpt(option!, sec[i]!)) {
        sec.splice(i, 1);
        done.splice(i, 1);
        changed = true;
        msg = 'option changed';
      }
    }
  }
  if (e.state === 'present') {
    const blankOrComment = /^[ \t]*([#;].*)?$/;
    for (let i = sec.length; i > 0; i--) {
      if (!blankOrComment.test(sec[i - 1]!.replace(/\n$/, ''))) {
        if (option && values.length > 0) {
          sec.splice(i, 0, ...values.map((v) => fmt(option, v)));
          msg = 'option added';
          changed = true;
        } else if (option && values.length === 0 && e.allow_no_value && !noValuePresent) {
          sec.splice(i, 0, `${option}\n`);
          msg = 'option added';
          changed = true;
        }
        break;
      }
    }
  }
  if (e.state === 'absent') {
    if (option) {
      let kept = sec;
      if (e.exclusive) kept = sec.filter((l) => !matchActiveOpt(option, l));
      else if (values.length > 0) kept = sec.filter((l) => !(matchActiveOpt(option, l) && values.includes(matchActiveOpt(option, l)![6]!)));
      if (kept.length !== sec.length) {
        changed = true;
        msg = 'option changed';
        sec = kept;
      }
    } else if (sec.length > 0) {
      sec = [];
      msg = 'section removed';
      changed = true;
    }
  }
  done = [];
  const out = [...before, ...sec, ...after].slice(1, -1);
  if (!within && e.state === 'present') {
    out.push(`[${section}]\n`);
    msg = 'section and option added';
    for (const check of e.section_has ?? []) out.push(fmt(check.option, check.value));
    if (option && values.length > 0) out.push(...values.map((v) => fmt(option, v)));
    else if (option && values.length === 0 && e.allow_no_value) out.push(`${option}\n`);
    else msg = 'only section added';
    changed = true;
  }
  return { text: out.join(''), changed, msg };
}
