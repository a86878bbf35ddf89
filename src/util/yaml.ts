import { readFileSync } from 'node:fs';
import YAML, { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, type Document } from 'yaml';
import { ParseError, type Source } from '../errors.js';

/**
 * YAML as Ansible (PyYAML, YAML 1.1) reads it:
 * - booleans are yes/no/on/off/true/false in the three casings PyYAML knows (yes, Yes, YES); `y`/`n` stay strings;
 * - `0644` is octal (an int, 420), as in YAML 1.1;
 * - a duplicate key keeps the last value and produces a warning;
 * - an empty file is null.
 * Every mapping and sequence remembers where it started (see `sourceOf`).
 */

const positions = new WeakMap<object, Source>();
const keyPositions = new WeakMap<object, Map<string, Source>>();

/** Where a mapping or sequence loaded by `loadYaml*` starts. */
export function sourceOf(value: unknown): Source | undefined {
  return value !== null && typeof value === 'object' ? positions.get(value) : undefined;
}

/** Where a key of a loaded mapping is written. */
export function sourceOfKey(map: unknown, key: string): Source | undefined {
  if (map === null || typeof map !== 'object') return undefined;
  return keyPositions.get(map)?.get(key) ?? positions.get(map);
}

/** Attach a position to an object built in code (e.g. a task normalised from a loaded one). */
export function setSource(value: object, where: Source | undefined): void {
  if (where) positions.set(value, where);
}

export interface YamlWarning {
  message: string;
  where: Source;
}

const PYYAML_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const PYYAML_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;

const boolTag = {
  identify: (v: unknown) => typeof v === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON|no|No|NO|false|False|FALSE|off|Off|OFF)$/,
  resolve: (s: string) => PYYAML_TRUE.test(s) && !PYYAML_FALSE.test(s),
  stringify: ({ value }: { value: unknown }) => (value ? 'true' : 'false'),
};

function customTags(tags: YAML.Tags): YAML.Tags {
  return [boolTag as unknown as YAML.Tags[number], ...tags.filter((t) => (t as { tag?: string }).tag !== 'tag:yaml.org,2002:bool').map(pyyamlNumber)];
}

/** PyYAML's number rules: a decimal has no leading zero ('08' stays a string); an exponent needs a dot and a sign ('1e3' stays a string). */
function pyyamlNumber(t: YAML.Tags[number]): YAML.Tags[number] {
  const tag = t as { tag?: string; format?: string };
  if (tag.tag === 'tag:yaml.org,2002:int' && tag.format === undefined) return { ...tag, test: /^[-+]?(?:0|[1-9][0-9_]*)$/ } as YAML.Tags[number];
  if (tag.tag === 'tag:yaml.org,2002:float' && tag.format === 'EXP') return { ...tag, test: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*[eE][-+][0-9]+$/ } as YAML.Tags[number];
  return t;
}

/** Parse YAML text; `file` is used for positions and error messages. */
export function loadYamlText(text: string, file: string, warnings: YamlWarning[] = []): unknown {
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = YAML.parseDocument(text, {
      version: '1.1',
      customTags,
      uniqueKeys: false,
      lineCounter,
      prettyErrors: false,
      merge: true,
    });
  } catch (e) {
    throw new ParseError(`YAML: ${(e as Error).message}`, { file });
  }
  const at = (offset: number | undefined): Source => {
    if (offset === undefined) return { file };
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const msg = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ParseError(`YAML syntax error: ${msg}`, at(err.pos[0]));
  }
  return toJS(doc.contents, at, warnings, doc);
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

function toJS(node: unknown, at: (o: number | undefined) => Source, warnings: YamlWarning[], doc: Document.Parsed): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return toJS(node.resolve(doc), at, warnings, doc);
  if (isScalar(node)) {
    // YAML 1.1 timestamps: Ansible templates them as text, so keep the text ("2024-01-01").
    if (node.value instanceof Date) return node.source ?? node.value.toISOString().slice(0, 10);
    return node.value;
  }
  if (isSeq(node)) {
    const out: unknown[] = [];
    positions.set(out, at((node as Node).range?.[0]));
    for (const item of node.items) out.push(toJS(item, at, warnings, doc));
    return out;
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    const keys = new Map<string, Source>();
    positions.set(out, at((node as Node).range?.[0]));
    keyPositions.set(out, keys);
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      // YAML merge key `<<`: copy the referenced mapping(s) in, explicit keys win.
      if (isScalar(keyNode) && (keyNode.value === '<<' || typeof keyNode.value === 'symbol')) {
        const merged = toJS(pair.value, at, warnings, doc);
        for (const m of Array.isArray(merged) ? merged : [merged]) {
          if (m && typeof m === 'object') for (const [k, v] of Object.entries(m)) if (!(k in out)) out[k] = v;
        }
        continue;
      }
      const rawKey = toJS(keyNode, at, warnings, doc);
      const key = rawKey === null ? 'null' : typeof rawKey === 'object' ? JSON.stringify(rawKey) : String(rawKey);
      const where = at(keyNode?.range?.[0]);
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        warnings.push({ message: `duplicate key '${key}': the last value wins`, where });
      }
      // defineProperty: a key such as "__proto__" stays plain data.
      Object.defineProperty(out, key, { value: toJS(pair.value, at, warnings, doc), enumerable: true, writable: true, configurable: true });
      keys.set(key, where);
    }
    return out;
  }
  return (node as { toJSON?: () => unknown }).toJSON?.() ?? null;
}
