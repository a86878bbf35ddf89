import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ParseError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { loadYamlFile, sourceOf, type YamlWarning } from '../util/yaml.js';

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

/** defaults/ and vars/: main.yml, or every file of a main/ directory in lexical order. */
export function loadRoleVars(rolePath: string, sub: 'defaults' | 'vars', warnings: YamlWarning[]): Vars {
  const file = roleFile(rolePath, sub);
  const files: string[] = file ? [file] : [];
  const dir = join(rolePath, sub, 'main');
  if (!file && existsSync(dir) && statSync(dir).isDirectory()) {
    for (const f of readdirSync(dir).sort()) if (/\.(ya?ml|json)$/.test(f)) files.push(join(dir, f));
  }
  const out: Vars = {};
  for (const f of files) {
    const data = loadYamlFile(f, warnings);
    if (data === null) continue;
    if (typeof data !== 'object' || Array.isArray(data)) throw new ParseError(`${sub} file must be a dictionary of variables`, sourceOf(data) ?? { file: f });
    Object.assign(out, data);
  }
  return out;
}

/** Role meta dependencies: a list of role names or {role: name, ...params}. */
export function loadRoleDependencies(rolePath: string, warnings: YamlWarning[]): unknown[] {
  const file = roleFile(rolePath, 'meta');
  if (!file) return [];
  const meta = loadYamlFile(file, warnings) as Record<string, unknown> | null;
  if (!meta) return [];
  const deps = meta.dependencies;
  if (deps === undefined || deps === null) return [];
  if (!Array.isArray(deps)) throw new ParseError("meta 'dependencies' must be a list", sourceOf(meta) ?? { file });
  return deps;
}
