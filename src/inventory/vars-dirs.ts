import { readdirSync, statSync, type Stats } from 'node:fs';
import { join, extname, sep } from 'node:path';
import { ParseError, TsplayError } from '../errors.js';
import type { Vars } from '../types.js';
import { loadYamlFile } from '../util/yaml.js';
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
  private listings = new Map<string, Set<string> | undefined>();
  private fileCache = new Map<string, Vars>();

  constructor(private readonly warnings: string[]) {}

  private listing(dir: string): Set<string> | undefined {
    if (!this.listings.has(dir)) {
      const st = stat(dir);
      if (st && !st.isDirectory()) this.warnings.push(`found ${dir} that is not a directory, skipping`);
      this.listings.set(dir, st?.isDirectory() ? new Set(readdirSync(dir)) : undefined);
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
      if (!entries.has(name + ext)) continue;
      const full = join(dir, name + ext);
      return stat(full)?.isDirectory() ? dirFiles(full) : [full];
    }
    return [];
  }

  private load(file: string): Vars {
    let v = this.fileCache.get(file);
    if (v) return v;
    let data: unknown;
    try {
      data = loadYamlFile(file);
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
