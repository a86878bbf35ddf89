import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { ParseError, TsplayError } from '../../errors.js';
import type { Vars } from '../../types.js';
import { pythonRegExp } from '../../util/py-regex.js';
import { splitFreeForm } from '../../util/shlex.js';
import { loadYamlFile } from '../../util/yaml.js';
import { parseArgs, unrendered, type ArgSpecs } from '../args.js';
import type { ModuleContext, ModuleDef, Plan } from '../types.js';

export interface IncludeVarsArgs {
  file?: string;
  dir?: string;
  depth: number;
  files_matching?: string;
  ignore_files: string[];
  extensions: string[];
  ignore_unknown_extensions: boolean;
  name?: string;
  hash_behaviour?: 'replace' | 'merge';
}

const FILE_ARGS = ['file', '_raw_params'];
const DIR_ARGS = ['dir', 'depth', 'files_matching', 'ignore_files', 'extensions', 'ignore_unknown_extensions'];

const specs: ArgSpecs = {
  file: { type: 'str' },
  _raw_params: { type: 'str' },
  dir: { type: 'str' },
  depth: { type: 'int', default: 0 },
  files_matching: { type: 'str' },
  ignore_files: { type: 'list', elements: 'str', default: [] },
  extensions: { type: 'list', elements: 'str', default: ['yaml', 'yml', 'json'] },
  ignore_unknown_extensions: { type: 'bool', default: false },
  name: { type: 'str' },
  hash_behaviour: { type: 'str', choices: ['replace', 'merge'] },
};

/**
 * ansible.builtin.include_vars: variables from a YAML/JSON file (`file`, or free-form), or from every
 * file of a directory tree (`dir`, `depth`, `files_matching`, `ignore_files`, `extensions`), optionally
 * under one `name`. Read on the controller; the executor keeps the result's `ansible_facts` as the host's
 * variables at include_vars precedence (`returnsVars`), for the rest of the run.
 */
export const includeVarsModule: ModuleDef<IncludeVarsArgs> = {
  name: 'include_vars',
  controllerOnly: true,
  freeForm: true,
  returnsVars: true,
  parse(raw, where, loadTime) {
    let input = raw;
    if (raw && typeof raw === 'object' && !Array.isArray(raw) && typeof (raw as Vars)._raw_params === 'string') {
      // `include_vars: file.yml name=x`: the k=v words are options, the rest is the file.
      const r = raw as Vars;
      let split: ReturnType<typeof splitFreeForm>;
      try {
        split = splitFreeForm(r._raw_params as string, Object.keys(specs).filter((k) => k !== '_raw_params'));
      } catch (e) {
        throw new ParseError(`include_vars: ${(e as Error).message}`, where);
      }
      const { raw: text, options } = split;
      input = { ...r, ...options, _raw_params: text === '' ? undefined : text };
    }
    const given = Object.entries(input as Vars).filter(([, v]) => v !== undefined && v !== null).map(([k]) => k);
    if (given.some((k) => FILE_ARGS.includes(k)) && given.some((k) => DIR_ARGS.includes(k))) {
      throw new ParseError('include_vars: You are mixing file only and dir only arguments, these are incompatible', where);
    }
    const a = parseArgs<IncludeVarsArgs & { _raw_params?: string }>('include_vars', specs, input, where, loadTime);
    if (a.file === undefined && a.dir === undefined && a._raw_params !== undefined) a.file = a._raw_params.replace(/\n+$/, '');
    delete a._raw_params;
    if (a.file === undefined && a.dir === undefined) throw new ParseError("include_vars: give a file ('file' or free-form) or a 'dir'", where);
    if (a.files_matching !== undefined && !unrendered(a.files_matching, loadTime)) regex(a.files_matching, 'files_matching', where);
    for (const f of a.ignore_files) if (!unrendered(f, loadTime)) regex(`${f}$`, 'ignore_files', where);
    if (a.name !== undefined && !unrendered(a.name, loadTime) && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(a.name)) throw new ParseError(`include_vars: 'name' must be a variable name, got '${a.name}'`, where);
    return a;
  },
  async plan(a, ctx) {
    const included: string[] = [];
    let vars: Vars = {};
    const fail = (message: string): Plan => ({ steps: [], failed: true, msg: message, result: { ansible_facts: {}, ansible_included_var_files: included, message } });
    try {
      if (a.dir !== undefined) {
        const root = findDir(a.dir, ctx);
        if (!existsSync(root)) return fail(`${root} directory does not exist`);
        if (!statSync(root).isDirectory()) return fail(`${root} is not a directory`);
        const matcher = a.files_matching !== undefined ? regex(a.files_matching, 'files_matching', ctx.where) : undefined;
        const ignore = a.ignore_files.map((f) => regex(`${f}$`, 'ignore_files', ctx.where));
        for (const [dir, files] of walkSorted(root, a.depth)) {
          for (const f of files) {
            if (matcher && !matcher.test(f)) continue;
            if (ignore.some((re) => re.test(f))) continue;
            const known = a.extensions.includes(extname(f).slice(1));
            if (!known && a.ignore_unknown_extensions) continue;
            const path = join(dir, f);
            if (!known) return fail(`${path} does not have a valid extension: ${a.extensions.join(', ')}`);
            const data = readVars(path);
            if (typeof data === 'string') return fail(data);
            included.push(path);
            Object.assign(vars, data);
          }
        }
      } else {
        const path = ctx.findLocalFile('vars', a.file!);
        const data = readVars(path);
        if (typeof data === 'string') return fail(data);
        included.push(path);
        vars = data;
      }
    } catch (e) {
      if (e instanceof TsplayError) return fail(e.describe());
      throw e;
    }
    if (a.name !== undefined) vars = { [a.name]: vars };
    if (a.hash_behaviour === 'merge') for (const [k, v] of Object.entries(vars)) vars[k] = merge(ctx.vars[k], v);
    return { steps: [], result: { ansible_facts: vars, ansible_included_var_files: included } };
  },
};

function regex(pattern: string, key: string, where: ModuleContext['where']): RegExp {
  try {
    return pythonRegExp(pattern);
  } catch {
    throw new ParseError(`include_vars: '${key}': Invalid regular expression: ${pattern}`, where);
  }
}

/** A file's variables, or why it cannot give any (Ansible's messages). An empty file gives none. */
function readVars(path: string): Vars | string {
  const data = loadYamlFile(path);
  if (data === null || data === undefined || data === '') return {};
  if (typeof data !== 'object' || Array.isArray(data)) return `${path} must be stored as a dictionary/hash`;
  return data as Vars;
}

/** `dir`: in a role, under its vars/; otherwise beside the file the task is written in (as Ansible). */
function findDir(dir: string, ctx: ModuleContext): string {
  if (isAbsolute(dir)) return dir;
  const beside = resolve(dirname(ctx.where.file ?? '.'), dir);
  if (existsSync(beside)) return beside;
  try {
    return ctx.findLocalFile('vars', dir);
  } catch {
    return beside;
  }
}

/** os.walk sorted by directory path, as Ansible's include_vars walks it; `depth` > 0 keeps that many directories. */
function walkSorted(root: string, depth: number): [string, string[]][] {
  const all: [string, string[]][] = [];
  const visit = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    all.push([dir, entries.filter((e) => !e.isDirectory()).map((e) => e.name).sort()]);
    for (const e of entries) if (e.isDirectory()) visit(join(dir, e.name));
  };
  visit(root);
  all.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return depth > 0 ? all.slice(0, depth) : all;
}

/** hash_behaviour=merge: dictionaries merged recursively into the value the variable had. */
function merge(old: unknown, v: unknown): unknown {
  const dict = (x: unknown): x is Vars => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (!dict(old) || !dict(v)) return v;
  const out: Vars = { ...old };
  for (const [k, x] of Object.entries(v)) out[k] = merge(out[k], x);
  return out;
}
