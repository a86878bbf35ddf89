import { readFileSync } from 'node:fs';
import jsyaml from 'js-yaml';
import { ParseError, type Source } from '../errors.js';
import { ANSIBLE_SCHEMA, withVaultFile } from './yaml-schema.js';
import { isVaultText } from '../vault/format.js';
import { decryptVault, markVaultData } from '../vault/keyring.js';

/**
 * YAML as Ansible (PyYAML, YAML 1.1) reads it — see yaml-schema.ts for the scalars — with:
 * - a duplicate key keeping the last value and producing a warning;
 * - an empty file read as null;
 * - every mapping and sequence remembering where it starts, and every block-mapping key where it is
 *   written (`sourceOf`, `sourceOfKey`), so errors name file:line:column.
 * js-yaml (the design card's parser) reads a 2,000-task playbook several times faster than the
 * `yaml` package did; positions come from its listener.
 */

const positions = new WeakMap<object, Source>();
const keyPositions = new WeakMap<object, Map<string, Source>>();
const itemPositions = new WeakMap<object, Source[]>();

/** Where a mapping or sequence loaded by `loadYaml*` starts. */
export function sourceOf(value: unknown): Source | undefined {
  return value !== null && typeof value === 'object' ? positions.get(value) : undefined;
}

/** Where a key of a loaded mapping is written. */
export function sourceOfKey(map: unknown, key: string): Source | undefined {
  if (map === null || typeof map !== 'object') return undefined;
  return keyPositions.get(map)?.get(key) ?? positions.get(map);
}

/** Where item `i` of a loaded sequence is written (scalars too), else where the sequence starts. */
export function sourceOfItem(list: unknown, i: number): Source | undefined {
  if (list === null || typeof list !== 'object') return undefined;
  return itemPositions.get(list)?.[i] ?? sourceOf((list as unknown[])[i]) ?? positions.get(list);
}

/** Attach a position to an object built in code (e.g. a task normalised from a loaded one). */
export function setSource(value: object, where: Source | undefined): void {
  if (where) positions.set(value, where);
}

export interface YamlWarning {
  message: string;
  where: Source;
}

/** Offsets → 1-based line and column. */
function lineIndex(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

/** The listener's "open" position may sit before whitespace and comments: move to the node itself. */
function skipBlank(text: string, pos: number): number {
  while (pos < text.length) {
    const c = text.charCodeAt(pos);
    if (c === 32 || c === 9 || c === 10 || c === 13) pos++;
    else if (c === 35 /* # */) {
      const nl = text.indexOf('\n', pos);
      pos = nl < 0 ? text.length : nl + 1;
    } else break;
  }
  return pos;
}

interface Frame {
  pos: number;
  /** Scalars composed directly inside this node: the candidates for its keys. */
  scalars: { pos: number; value: unknown }[];
  /** Every node composed directly inside this one (a sequence's items). */
  children: number[];
}

/**
 * Parse YAML text; `file` is used for positions and error messages. A whole file encrypted with
 * Ansible Vault is decrypted first (every value in it is then a secret).
 */
export function loadYamlText(text: string, file: string, warnings: YamlWarning[] = []): unknown {
  if (isVaultText(text)) {
    const data = parseYamlText(decryptVault(text, file).toString('utf8'), file, warnings);
    markVaultData(data);
    return data;
  }
  return parseYamlText(text, file, warnings);
}

function parseYamlText(text: string, file: string, warnings: YamlWarning[]): unknown {
  const where = lineIndex(text);
  const at = (offset: number): Source => ({ file, ...where(offset) });
  const stack: Frame[] = [];
  const listener = (event: string, state: { position: number; result: unknown; kind: string | null }) => {
    if (event === 'open') {
      stack.push({ pos: skipBlank(text, state.position), scalars: [], children: [] });
      return;
    }
    const frame = stack.pop();
    if (!frame) return;
    const value = state.result;
    stack[stack.length - 1]?.children.push(frame.pos);
    if (value === null || typeof value !== 'object') {
      stack[stack.length - 1]?.scalars.push({ pos: frame.pos, value });
      return;
    }
    if (!positions.has(value)) positions.set(value, at(frame.pos));
    if (Array.isArray(value) && frame.children.length === value.length) itemPositions.set(value, frame.children.map(at));
    if (state.kind === 'mapping' && !Array.isArray(value)) recordKeys(value as Record<string, unknown>, frame, at, found, where);
  };
  const found: YamlWarning[] = [];
  try {
    const value = withVaultFile(file, () => jsyaml.load(text, { schema: ANSIBLE_SCHEMA, json: true, listener: (e, s) => listener(e, s as never), filename: file })) ?? null;
    // Inner mappings close first: report in the order the file reads.
    found.sort((a, b) => a.where.line! - b.where.line! || a.where.column! - b.where.column!);
    warnings.push(...found);
    return value;
  } catch (e) {
    if (e instanceof jsyaml.YAMLException) {
      const mark = (e as unknown as { mark?: { line: number; column: number } }).mark;
      const reason = (e as unknown as { reason?: string }).reason ?? e.message;
      throw new ParseError(`YAML syntax error: ${reason}`, mark ? { file, line: mark.line + 1, column: mark.column + 1 } : { file });
    }
    throw e;
  }
}

/**
 * A block mapping's keys all start in its first key's column; its scalar values sit to their right
 * (or deeper, on later lines). So the scalars composed in that column are the keys, in order —
 * which also reveals duplicates, which js-yaml (json mode) silently lets the last one win.
 */
function recordKeys(map: Record<string, unknown>, frame: Frame, at: (o: number) => Source, warnings: YamlWarning[], where: (o: number) => { line: number; column: number }): void {
  const keys = new Map<string, Source>();
  const first = frame.scalars[0];
  if (!first) return;
  const column = where(first.pos).column;
  for (const s of frame.scalars) {
    if (where(s.pos).column !== column) continue;
    const key = s.value === null ? 'null' : String(s.value);
    if (!Object.prototype.hasOwnProperty.call(map, key)) continue;
    const src = at(s.pos);
    if (keys.has(key)) warnings.push({ message: `duplicate key '${key}': the last value wins`, where: src });
    keys.set(key, src);
  }
  keyPositions.set(map, keys);
}

/** Read and parse a YAML (or JSON) file. Missing/unreadable files are a clear error. */
export function loadYamlFile(file: string, warnings: YamlWarning[] = []): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ParseError(code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? (e as Error).message})`, { file });
  }
  return loadYamlText(text, file, warnings);
}
