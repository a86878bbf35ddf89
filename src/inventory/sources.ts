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

export async function readSource(source: string, data: InventoryData, warnings: string[], inDir = false): Promise<void> {
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
      await readSource(join(path, entry), data, warnings, true);
    }
    return;
  }
  if (!st.isFile()) throw new TsplayError('inventory source is not a regular file, a directory or a host list', { code: 1, where: { file: source } });
  if (isExecutable(path)) return parseScript(path, data);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new TsplayError(`cannot read the inventory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { code: 1, where: { file: source } });
  }
  // A binary file (an archive, a core dump) is not an inventory: in a directory it is skipped, as
  // Ansible's plugins all fail to parse it; given by itself it is an error.
  if (bytes.includes(0)) {
    if (inDir) return void warnings.push(`${source}: skipped, a binary file is not an inventory`);
    throw new TsplayError('a binary file is not an inventory', { code: 1, where: { file: source } });
  }
  const text = bytes.toString('utf8');
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
