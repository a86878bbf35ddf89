import { TsplayError } from '../errors.js';
import { CycleError, type InventoryData } from './data.js';
import { expandHostPattern } from './address.js';
import { iniValue } from './literal.js';
import { shlexSplit } from './shlex.js';

/**
 * An INI inventory, read the way Ansible's ini plugin reads it: hosts before any section are
 * ungrouped; `[g]`, `[g:children]`, `[g:vars]`; `#`/`;` comment lines; host lines split
 * like a shell and their values typed as Python literals; `:vars` values are typed too but
 * never comment-stripped. A `:children` entry may name a group declared further down.
 */
const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUPNAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface Pending {
  line: number;
  state: 'vars' | 'children';
  parents: string[];
}

export function parseIni(text: string, file: string, data: InventoryData): void {
  const fail = (line: number, msg: string): never => {
    throw new TsplayError(msg, { code: 1, where: { file, line } });
  };
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let state = 'hosts';
  const lines = text.split(/\r\n|\r|\n/);

  const addPendingChildren = (name: string, line: number): void => {
    for (const parent of pending.get(name)!.parents) {
      addChild(parent, name, line);
      const p = pending.get(parent);
      if (p && p.state === 'children') addPendingChildren(parent, line);
    }
    pending.delete(name);
  };
  const addChild = (parent: string, child: string, line: number): void => {
    try {
      data.addChild(parent, child);
    } catch (e) {
      if (e instanceof CycleError) fail(line, `[${parent}:children]: ${e.message}`);
      throw e;
    }
  };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.trim();
    if (!line || line[0] === '#' || line[0] === ';') continue;

    const m = SECTION.exec(line);
    if (m) {
      group = m[1]!;
      state = m[2] ?? 'hosts';
      if (!['hosts', 'children', 'vars'].includes(state)) fail(lineNo, `section [${group}:${state}] has unknown type: ${state}`);
      if (!data.groups.has(group)) {
        // [g:vars] alone does not declare a group: remember it and check at the end
        if (state === 'vars' && !pending.has(group)) pending.set(group, { line: lineNo, state: 'vars', parents: [] });
        data.addGroup(group);
      }
      const p = pending.get(group);
      if (p && state !== 'vars') {
        if (p.state === 'children') addPendingChildren(group, lineNo);
        else pending.delete(group);
      }
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      fail(lineNo, `invalid section entry '${line}': no spaces or other invalid characters are allowed in a section name`);
    }

    if (state === 'hosts') {
      let words: string[];
      try {
        words = shlexSplit(line);
      } catch (e) {
        return fail(lineNo, `cannot parse host line '${line}': ${(e as Error).message}`);
      }
      if (words.length === 0) continue;
      const pattern = words[0]!;
      let expanded: { names: string[]; port?: number };
      try {
        expanded = expandHostPattern(pattern);
      } catch (e) {
        return fail(lineNo, `invalid host '${pattern}': ${(e as Error).message}`);
      }
      if (pattern.trim().endsWith(':') && expanded.port === undefined) {
        fail(lineNo, `invalid host '${pattern}': a trailing ':' must be followed by a port`);
      }
      const vars: [string, unknown][] = [];
      for (const w of words.slice(1)) {
        const eq = w.indexOf('=');
        if (eq < 0) fail(lineNo, `expected key=value host variable, got: ${w}`);
        vars.push([w.slice(0, eq), iniValue(w.slice(eq + 1))]);
      }
      for (const name of expanded.names) {
        if (name.trim() === '---') fail(lineNo, `invalid host '${name}': '---' is normally a sign this is a YAML file`);
        data.addHost(name, group, expanded.port);
        try {
          for (const [k, v] of vars) data.setHostVar(name, k, v);
        } catch (e) {
          fail(lineNo, `host '${name}': ${(e as Error).message}`);
        }
      }
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) fail(lineNo, `expected key=value in [${group}:vars], got: ${line}`);
      const key = line.slice(0, eq).trim();
      try {
        data.setGroupVar(group, key, iniValue(line.slice(eq + 1).trim()));
      } catch (e) {
        fail(lineNo, (e as Error).message);
      }
    } else {
      const gm = GROUPNAME.exec(line);
      if (!gm) return fail(lineNo, `expected a group name in [${group}:children], got: ${line}`);
      const child = gm[1]!;
      if (!data.groups.has(child)) {
        const p = pending.get(child);
        if (!p) pending.set(child, { line: lineNo, state: 'children', parents: [group] });
        else p.parents.push(group);
      } else addChild(group, child, lineNo);
    }
  }

  for (const [name, p] of pending) {
    if (p.state === 'vars') fail(p.line, `section [${name}:vars] is for an undefined group: ${name}`);
    fail(p.line, `section [${p.parents.at(-1)}:children] includes undefined group: ${name}`);
  }
}
