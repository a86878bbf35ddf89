import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ParseError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { loadYamlFile, sourceOf, sourceOfKey, type YamlWarning } from '../util/yaml.js';
import type { RoleInstance } from './types.js';

/** Where roles are searched: beside the playbook (roles/), roles_path (config or env), Ansible's defaults. */
export function roleSearchPath(playbookDir: string, configured: string[] = []): string[] {
  const env = process.env.TSPLAY_ROLES_PATH ?? process.env.ANSIBLE_ROLES_PATH;
  return [
    join(playbookDir, 'roles'),
    ...configured,
    ...(env ? env.split(':').filter(Boolean) : []),
    join(homedir(), '.ansible', 'roles'),
    '/usr/share/ansible/roles',
    '/etc/ansible/roles',
    playbookDir,
  ];
}

/** Find `roles/NAME` (or a path) — a clear error lists where it looked. */
export function findRole(name: string, searchPath: string[], where: Source): string {
  if (name.includes('/')) {
    const p = resolve(searchPath[searchPath.length - 1] ?? '.', name);
    if (existsSync(p) && statSync(p).isDirectory()) return p;
  }
  for (const dir of searchPath) {
    const p = join(dir, name);
    if (existsSync(p) && statSync(p).isDirectory()) return resolve(p);
  }
  throw new ParseError(`role '${name}' not found (searched ${searchPath.join(', ')})`, where);
}

/** A role's `DIR/main.yml` (or .yaml, or main), or undefined when the role has none. */
export function roleFile(rolePath: string, sub: string, base = 'main'): string | undefined {
  for (const ext of ['.yml', '.yaml', '', '.json']) {
    const p = join(rolePath, sub, base + ext);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}

/**
 * defaults/ and vars/: `main.yml` (or every file of a `main/` directory in lexical order), or the file
 * `from` names (defaults_from, vars_from; Ansible's basename). A named file the role's directory does
 * not have is an error, as in Ansible; a role without that directory has none.
 */
export function loadRoleVars(rolePath: string, sub: 'defaults' | 'vars', warnings: YamlWarning[], from?: string): Vars {
  const base = from === undefined ? 'main' : basename(from);
  const file = from === undefined ? roleFile(rolePath, sub) : namedRoleFile(rolePath, sub, base);
  const files: string[] = file ? [file] : [];
  const dir = join(rolePath, sub, base);
  if (!file && existsSync(dir) && statSync(dir).isDirectory()) {
    for (const f of readdirSync(dir).sort()) if (/\.(ya?ml|json)$/.test(f)) files.push(join(dir, f));
  }
  if (files.length === 0 && from !== undefined && existsSync(join(rolePath, sub))) throw new RoleFileMissing(`role '${basename(rolePath)}' has no ${sub} file '${from}' (${sub}_from)`);
  const out: Vars = {};
  for (const f of files) {
    const data = loadYamlFile(f, warnings);
    if (data === null) continue;
    if (typeof data !== 'object' || Array.isArray(data)) throw new ParseError(`${sub} file must be a dictionary of variables`, sourceOf(data) ?? { file: f });
    Object.assign(out, data);
  }
  return out;
}

/** A vars_from/defaults_from file that is not there (the loader gives it the include's position). */
export class RoleFileMissing extends Error {}

/** `DIR/NAME` as given, else with .yml, .yaml, .json (Ansible looks for the bare name first when one is named). */
function namedRoleFile(rolePath: string, sub: string, base: string): string | undefined {
  for (const ext of ['', '.yml', '.yaml', '.json']) {
    const p = join(rolePath, sub, base + ext);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}

/** What a role's meta/main.yml says: its dependencies (role names or {role: name, ...params}) and allow_duplicates. */
export interface RoleMeta {
  dependencies: unknown[];
  /** As written (a boolean, or a string Ansible's boolean() reads); absent: false. */
  allowDuplicates?: unknown;
  /** Where allow_duplicates is written (its error names it). */
  where: Source;
}

export function loadRoleMeta(rolePath: string, warnings: YamlWarning[]): RoleMeta {
  const file = roleFile(rolePath, 'meta');
  const none: RoleMeta = { dependencies: [], where: { file: file ?? join(rolePath, 'meta') } };
  if (!file) return none;
  const meta = loadYamlFile(file, warnings) as Record<string, unknown> | null;
  if (!meta) return none;
  if (typeof meta !== 'object' || Array.isArray(meta)) throw new ParseError('role meta must be a dictionary', sourceOf(meta) ?? { file });
  const where = sourceOfKey(meta, 'allow_duplicates') ?? sourceOf(meta) ?? { file };
  const deps = meta.dependencies;
  if (deps === undefined || deps === null) return { dependencies: [], allowDuplicates: meta.allow_duplicates, where };
  if (!Array.isArray(deps)) throw new ParseError("meta 'dependencies' must be a list", sourceOfKey(meta, 'dependencies') ?? sourceOf(meta) ?? { file });
  return { dependencies: deps, allowDuplicates: meta.allow_duplicates, where };
}

/** A role's dependencies, all of them, in Ansible's order (get_all_dependencies: each one's own first, then it). */
function allDependencies(role: RoleInstance): RoleInstance[] {
  return (role.deps ?? []).flatMap((d) => [...allDependencies(d), d]);
}

/**
 * What the roles of a play show every task of it (Ansible 2.14's VariableManager over play.get_roles()):
 * their defaults (each role's dependencies' first) at the lowest precedence, and their vars (with a
 * role entry's `vars:`, not its params) just above vars_files.
 */
export function playRoleVars(roles: readonly RoleInstance[]): { defaults: Vars; vars: Vars } {
  const defaults: Vars = {};
  const vars: Vars = {};
  for (const role of roles) {
    for (const r of [...allDependencies(role), role]) {
      Object.assign(defaults, r.defaults);
      Object.assign(vars, r.entryVars, r.vars);
    }
  }
  return { defaults, vars };
}
