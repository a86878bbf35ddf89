import { homedir } from 'node:os';
import path from 'node:path';
import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { str1, text, type FuncDef } from './func-args.js';
import { tuple } from './values.js';

/** Filters and tests of paths (Python's os.path), evaluated on the controller. */

function splitext(p: string): [string, string] {
  const base = path.posix.basename(p);
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || /^\.+$/.test(base.slice(0, dot + 1))) return [p, ''];
  const cut = p.length - (base.length - dot);
  return [p.slice(0, cut), p.slice(cut)];
}

export const PATH_FILTERS: Record<string, FuncDef> = {
  basename: str1('basename', (s) => path.posix.basename(s)),
  dirname: str1('dirname', (s) => path.posix.dirname(s)),
  splitext: str1('splitext', (s) => tuple(splitext(s))),
  expanduser: str1('expanduser', (s) => (s === '~' || s.startsWith('~/') ? homedir() + s.slice(1) : s)),
  realpath: str1('realpath', (s) => {
    try {
      return realpathSync(s);
    } catch {
      return path.resolve(s);
    }
  }),
};

const test = (fn: (v: unknown) => boolean): FuncDef => ({ min: 0, max: 0, fn });

export const PATH_TESTS: Record<string, FuncDef> = {
  // Ansible's path tests, evaluated on the controller as Ansible evaluates them (~ expanded)
  exists: test((v) => pathStat(v, 'exists', true) !== undefined),
  file: test((v) => pathStat(v, 'file', true)?.isFile() === true),
  directory: test((v) => pathStat(v, 'directory', true)?.isDirectory() === true),
  link: test((v) => pathStat(v, 'link', false)?.isSymbolicLink() === true),
};

/** stat (or lstat) of a controller path for the path tests; undefined when there is nothing there. */
function pathStat(v: unknown, name: string, follow: boolean): Stats | undefined {
  const p = text(name, v);
  const full = p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : p;
  try {
    return follow ? statSync(full) : lstatSync(full);
  } catch {
    return undefined;
  }
}
