import { TsplayError, type Source } from '../errors.js';
import { sourceOf, sourceOfKey } from '../util/yaml.js';
import { CycleError, type InventoryData } from './data.js';
import { expandHostPattern } from './address.js';
import { plainData } from './plain.js';

/**
 * A YAML (or JSON) inventory as Ansible's yaml plugin reads it: top-level keys are groups,
 * each with optional `vars`, `children` (nested groups) and `hosts` (host patterns, each
 * with its variables). Keys are processed in file order; a null section is skipped.
 */
export function parseYamlInventory(doc: unknown, file: string, data: InventoryData, warnings: string[]): void {
  const err = (msg: string, where?: Source): never => {
    throw new TsplayError(msg, { code: 1, where: where ?? { file } });
  };
  if (doc === null || doc === undefined) err('empty YAML inventory');
  if (!isMap(doc)) err(`a YAML inventory must be a mapping of groups, got ${describe(doc)}`);
  if ('plugin' in (doc as object)) err('inventory plugin configuration files are not supported (only static YAML inventories)');

  const parseGroup = (name: string, body: unknown, where: Source | undefined): string => {
    if (body !== null && !isMap(body)) {
      warnings.push(`${fmt(where)}skipping '${name}': not a valid group definition`);
      return name;
    }
    data.addGroup(name);
    if (body === null) return name;
    for (const section of ['vars', 'children', 'hosts']) {
      const v = body[section];
      if (typeof v === 'string') body[section] = { [v]: null };
      else if (v !== undefined && v !== null && !isMap(v)) {
        err(`invalid "${section}" entry for group "${name}": needs a mapping, found ${describe(v)}`, sourceOfKey(body, section));
      }
    }
    for (const [key, value] of Object.entries(body)) {
      const at = sourceOfKey(body, key);
      if (value === null) continue;
      if (!isMap(value)) {
        warnings.push(`${fmt(at)}skipping key '${key}' in group '${name}': not a mapping`);
        continue;
      }
      if (key === 'vars') {
        for (const [k, v] of Object.entries(value)) {
          try {
            data.setGroupVar(name, k, plainData(v));
          } catch (e) {
            err((e as Error).message, sourceOfKey(value, k));
          }
        }
      } else if (key === 'children') {
        for (const [child, childBody] of Object.entries(value)) {
          const childAt = sourceOfKey(value, child);
          parseGroup(child, childBody, childAt);
          try {
            data.addChild(name, child);
          } catch (e) {
            if (e instanceof CycleError) err(e.message, childAt);
            throw e;
          }
        }
      } else if (key === 'hosts') {
        for (const [pattern, hostVars] of Object.entries(value)) {
          const hostAt = sourceOfKey(value, pattern);
          let expanded: { names: string[]; port?: number };
          try {
            expanded = expandHostPattern(pattern);
          } catch (e) {
            return err(`invalid host '${pattern}': ${(e as Error).message}`, hostAt);
          }
          if (hostVars !== null && !isMap(hostVars)) err(`variables of host '${pattern}' must be a mapping, got ${describe(hostVars)}`, hostAt);
          for (const h of expanded.names) {
            data.addHost(h, name, expanded.port);
            for (const [k, v] of Object.entries(hostVars ?? {})) {
              try {
                data.setHostVar(h, k, plainData(v));
              } catch (e) {
                err(`host '${h}': ${(e as Error).message}`, sourceOfKey(hostVars, k) ?? hostAt);
              }
            }
          }
        }
      } else {
        warnings.push(`${fmt(at)}skipping unexpected key '${key}' in group '${name}': only "vars", "children" and "hosts" are valid`);
      }
    }
    return name;
  };

  for (const [name, body] of Object.entries(doc as Record<string, unknown>)) parseGroup(name, body, sourceOfKey(doc, name) ?? sourceOf(doc));
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

function describe(v: unknown): string {
  return Array.isArray(v) ? 'a list' : v === null ? 'null' : `a ${typeof v}`;
}

function fmt(where: Source | undefined): string {
  return where ? `${where.file}${where.line !== undefined ? `:${where.line}` : ''}: ` : '';
}
