import { readdirSync, readFileSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join, extname, sep } from 'node:path';
import { ParseError, TsplayError } from '../errors.js';
import type { Vars } from '../types.js';
import { loadYamlText } from '../util/yaml.js';
import { assignVars, plainData } from './plain.js';

/**
 * `group_vars/` and `host_vars/` beside an inventory or a playbook, as Ansible's
 * host_group_vars plugin finds them: for entity NAME the first of `NAME`, `NAME.yml`,
 * `NAME.yaml`, `NAME.json` that exists; a directory is read recursively in lexical order
 * (hidden files, `~` backups and other extensions skipped). Empty files are fine.
 */
const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

function stat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function dirFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const full = join(dir, entry);
    const ext = extname(entry);
    const st = stat(full);
    if (st?.isDirectory() && !ext) found.push(...dirFiles(full));
    else if (st?.isFile() && (!ext || EXTENSIONS.includes(ext))) found.push(full);
  }
  return found;
}

export class VarsDirs {
  /** The listing of each `<base>/group_vars` (or host_vars): undefined when absent. */
  private listings = new Map<string, Map<string, Dirent> | undefined>();
  private fileCache = new Map<string, Vars>();

  constructor(private readonly warnings: string[]) {}

  private listing(dir: string): Map<string, Dirent> | undefined {
    if (!this.listings.has(dir)) {
      const st = stat(dir);
      if (st && !st.isDirectory()) this.warnings.push(`found ${dir} that is not a directory, skipping`);
      // one readdir per group_vars/host_vars dir, with entry types: no stat per host
      const entries = st?.isDirectory() ? new Map(readdirSync(dir, { withFileTypes: true }).map((d) => [d.name, d] as const)) : undefined;
      this.listings.set(dir, entries);
    }
    return this.listings.get(dir);
  }

  /** The files that hold variables for `name` under `<base>/<kind>`. */
  files(base: string, kind: 'group_vars' | 'host_vars', name: string): string[] {
    if (name.startsWith(sep)) return [];
    const dir = join(base, kind);
    const entries = this.listing(dir);
    if (!entries) return [];
    for (const ext of EXTENSIONS) {
      const entry = entries.get(name + ext);
      if (!entry) continue;
      const full = join(dir, name + ext);
      const isDir = entry.isDirectory() || (entry.isSymbolicLink() && stat(full)?.isDirectory());
      return isDir ? dirFiles(full) : [full];
    }
    return [];
  }

  private load(file: string): Vars {
    let v = this.fileCache.get(file);
    if (v) return v;
    let data: unknown;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new TsplayError(`cannot read variables file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { code: 1, where: { file } });
    }
    try {
      data = simpleYaml(text) ?? loadYamlText(text, file);
    } catch (e) {
      // inventory errors exit 1, like ansible-inventory
      if (e instanceof ParseError) throw new TsplayError(e.message, { code: 1, where: e.where });
      throw e;
    }
    if (data === null || data === undefined || data === '' || data === false) v = {};
    else if (typeof data !== 'object' || Array.isArray(data)) {
      throw new TsplayError(`variables file must hold a mapping, got ${Array.isArray(data) ? 'a list' : typeof data}`, { code: 1, where: { file } });
    } else v = plainData(data) as Vars;
    this.fileCache.set(file, v);
    return v;
  }

  /** The merged variables of `name` from `<base>/<kind>` (later files win, top-level keys replace). */
  vars(base: string, kind: 'group_vars' | 'host_vars', name: string): Vars | undefined {
    const files = this.files(base, kind, name);
    if (files.length === 0) return undefined;
    if (files.length === 1) return this.load(files[0]!);
    const out: Vars = {};
    for (const f of files) assignVars(out, this.load(f));
    return out;
  }
}

const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SIMPLE_WORD = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const SIMPLE_INT = /^-?(?:0|[1-9][0-9]*)$/;
const YAML11_WORDS = new Set(['yes', 'no', 'on', 'off', 'true', 'false', 'null', 'y', 'n']);

/**
 * A fast path for the common vars file of `key: word` / `key: 123` lines, whose YAML 1.1
 * meaning is unambiguous (10,000 host_vars files parse in milliseconds instead of seconds).
 * Returns undefined for anything else (quotes, nesting, lists, flow, special words,
 * duplicates, odd spacing...), which then goes through the full YAML loader.
 */
export function simpleYaml(text: string): Record<string, unknown> | null | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(': ');
    if (colon < 0) return undefined;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 2).replace(/\r$/, '');
    if (!SIMPLE_KEY.test(key) || Object.prototype.hasOwnProperty.call(out, key) || key === '__proto__') return undefined;
    if (SIMPLE_INT.test(value) && value.length < 16) out[key] = Number(value);
    else if (SIMPLE_WORD.test(value) && !YAML11_WORDS.has(value.toLowerCase()) && !/^[0-9]/.test(value) && !value.includes('..')) out[key] = value;
    else return undefined;
    any = true;
  }
  return any ? out : text.trim() === '' ? null : undefined;
}
