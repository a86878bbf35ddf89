import { accessSync, constants, existsSync, openSync, readSync, closeSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { ParseError, TsplayError } from '../errors.js';
import { loadYamlText } from '../util/yaml.js';
import { InventoryData } from './data.js';
import { parseAddress } from './address.js';
import { parseIni } from './ini.js';
import { parseScript } from './script.js';
import { parseYamlInventory } from './yaml.js';

/**
 * One `-i` source into the inventory graph, choosing the reader as Ansible's default
 * plugin order does: a comma list of hosts, an executable script, YAML/JSON, else INI.
 * A directory reads its entries in lexical order, skipping what Ansible skips
 * (dot files, group_vars, host_vars, and the INVENTORY_IGNORE_EXTS such as `.ini`!).
 */
const IGNORED = /^\.|^host_vars$|^group_vars$|^vars_plugins$|(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;
const YAML_EXTS = ['.yaml', '.yml', '.json'];

export function isHostList(source: string): boolean {
  return source.includes(',') && !existsSync(source);
}

export async function readSource(source: string, data: InventoryData, warnings: string[]): Promise<void> {
  if (isHostList(source)) {
    for (const raw of source.split(',')) {
      const h = raw.trim();
      if (!h) continue;
      const parsed = parseAddress(h, false);
      if (!data.hosts.has(parsed?.host ?? h)) data.addHost(parsed?.host ?? h, 'ungrouped', parsed?.port);
    }
    return;
  }
  const path = resolve(source);
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new TsplayError('inventory source not found', { code: 1, where: { file: source } });
  }
  if (st.isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (IGNORED.test(entry)) continue;
      await readSource(join(path, entry), data, warnings);
    }
    return;
  }
  if (isExecutable(path)) return parseScript(path, data);
  const text = readFileSync(path, 'utf8');
  const ext = extname(path);
  if (YAML_EXTS.includes(ext)) return parseYaml(text, path, data, warnings);
  if (ext === '' && looksLikeYaml(text, path)) return parseYaml(text, path, data, warnings);
  parseIni(text, path, data);
}

function parseYaml(text: string, file: string, data: InventoryData, warnings: string[]): void {
  let doc: unknown;
  try {
    doc = loadYamlText(text, file);
  } catch (e) {
    if (e instanceof ParseError) throw new TsplayError(e.message, { code: 1, where: e.where });
    throw e;
  }
  parseYamlInventory(doc, file, data, warnings);
}

/** Ansible tries YAML before INI for a file without extension; keep YAML when it is a mapping of groups. */
function looksLikeYaml(text: string, file: string): boolean {
  try {
    const doc = loadYamlText(text, file);
    return doc !== null && typeof doc === 'object' && !Array.isArray(doc);
  } catch {
    return false;
  }
}

/** Executable, or starting with `#!` (Ansible's script plugin accepts both). */
function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(2);
      readSync(fd, buf, 0, 2, 0);
      return buf.toString('latin1') === '#!';
    } finally {
      closeSync(fd);
    }
  }
}
