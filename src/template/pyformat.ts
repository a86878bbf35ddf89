import { isPlainObject, pyStr } from './values.js';
import { isDateTime, isTimeDelta } from './datetime.js';

/**
 * Python's json.dumps and PyYAML's dump, as Ansible's to_json/to_nice_json/to_yaml/to_nice_yaml
 * call them, so a rendered file is byte for byte what Ansible writes.
 */

function jsonString(s: string, ascii: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || (ascii && c > 0x7e)) {
      if (c > 0xffff) {
        const hi = Math.floor((c - 0x10000) / 0x400) + 0xd800;
        const lo = ((c - 0x10000) % 0x400) + 0xdc00;
        out += `\\u${hi.toString(16)}\\u${lo.toString(16)}`;
      } else out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}

export interface JsonOpts {
  indent?: number;
  sortKeys?: boolean;
  /** Python's ensure_ascii (default true). */
  ascii?: boolean;
  /** item and key separators; Python's defaults: ', ' and ': ' (',' when indenting). */
  separators?: [string, string];
}

/** Python's json.dumps(value, indent=…, sort_keys=…, separators=…, ensure_ascii=…). */
export function pyJson(v: unknown, o: JsonOpts = {}, depth = 0): string {
  const ascii = o.ascii ?? true;
  const [itemSep, keySep] = o.separators ?? [o.indent === undefined ? ', ' : ',', ': '];
  const nl = o.indent === undefined ? '' : '\n' + ' '.repeat(o.indent * (depth + 1));
  const end = o.indent === undefined ? '' : '\n' + ' '.repeat(o.indent * depth);
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? pyStr(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'string') return jsonString(v, ascii);
  // Ansible's JSON encoder writes a datetime as its isoformat()
  if (isDateTime(v) || isTimeDelta(v)) return jsonString(v.toJSON(), ascii);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${nl}${v.map((x) => pyJson(x, o, depth + 1)).join(itemSep + nl)}${end}]`;
  }
  if (isPlainObject(v)) {
    let keys = Object.keys(v);
    if (keys.length === 0) return '{}';
    if (o.sortKeys) keys = keys.sort();
    return `{${nl}${keys.map((k) => jsonString(k, ascii) + keySep + pyJson(v[k], o, depth + 1)).join(itemSep + nl)}${end}}`;
  }
  return jsonString(String(v), ascii);
}

// ---- YAML, as PyYAML's emitter writes it (the common cases: plain or single-quoted scalars) ----

const YAML_RESERVED = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|=|<<)$/;
const YAML_NUMBER = /^[-+]?(?:\.?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF|nan|NaN|NAN)|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$/;

function yamlScalar(s: string, inFlow: boolean): string {
  const needsQuote = s === ''
    || YAML_RESERVED.test(s) || YAML_NUMBER.test(s)
    || /^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(s) && !/^[-?:][^\s]/.test(s)
    || /^[-?:]$/.test(s)
    || /\s$/.test(s) || /:(\s|$)/.test(s) || / #/.test(s)
    || (inFlow && /[,[\]{}]/.test(s))
    || /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(s) || s.includes('\n') || s.includes('\t');
  if (!needsQuote) return s;
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(s) || s.includes('\n') || s.includes('\t')) {
    return JSON.stringify(s);
  }
  return `'${s.replace(/'/g, "''")}'`;
}

function yamlLeaf(v: unknown, inFlow: boolean): string {
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return pyStr(v);
  return yamlScalar(String(v), inFlow);
}

function isCollection(v: unknown): boolean {
  return Array.isArray(v) || isPlainObject(v);
}

function flow(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (isPlainObject(v)) return `{${Object.keys(v).sort().map((k) => `${yamlLeaf(k, true)}: ${flow(v[k])}`).join(', ')}}`;
  return yamlLeaf(v, true);
}

/**
 * yaml.dump(v, default_flow_style=…, indent=…, allow_unicode=True): `flowLeaves` (to_yaml's
 * default_flow_style=None) writes collections holding no collections in flow style, `[a, b]`.
 * Keys are sorted, as PyYAML does.
 */
export function pyYaml(v: unknown, opts: { indent?: number; flowLeaves?: boolean } = {}): string {
  const ind = opts.indent ?? 2;
  const flowOk = (x: unknown): boolean => opts.flowLeaves === true
    && (Array.isArray(x) ? !x.some(isCollection) : isPlainObject(x) && !Object.values(x).some(isCollection));
  const block = (x: unknown, depth: number): string[] => {
    const pad = ' '.repeat(depth);
    if (Array.isArray(x)) {
      if (x.length === 0) return [`${pad}[]`];
      return x.flatMap((item) => {
        if (isCollection(item) && !flowOk(item) && (Array.isArray(item) ? item.length : Object.keys(item as object).length)) {
          const inner = block(item, depth + ind);
          // PyYAML puts the first line of a nested block on the dash's line.
          return [`${pad}${'-'.padEnd(ind)}${inner[0]!.trimStart()}`, ...inner.slice(1)];
        }
        return [`${pad}- ${isCollection(item) ? flow(item) : yamlLeaf(item, false)}`];
      });
    }
    if (isPlainObject(x)) {
      const keys = Object.keys(x).sort();
      if (keys.length === 0) return [`${pad}{}`];
      return keys.flatMap((k) => {
        const val = x[k];
        const key = `${pad}${yamlLeaf(k, false)}:`;
        if (isCollection(val) && !flowOk(val) && (Array.isArray(val) ? val.length : Object.keys(val as object).length)) {
          // PyYAML writes a list under a key without indenting it ("indentless" sequences).
          return [key, ...block(val, Array.isArray(val) ? depth : depth + ind)];
        }
        return [`${key} ${isCollection(val) ? flow(val) : yamlLeaf(val, false)}`];
      });
    }
    return [`${pad}${yamlLeaf(x, false)}`];
  };
  if (!isCollection(x0(v)) || flowOk(v)) {
    const text = isCollection(v) ? flow(v) : yamlLeaf(v, false);
    return isCollection(v) ? `${text}\n` : `${text}\n...\n`;
  }
  return block(v, 0).join('\n') + '\n';
}

const x0 = (v: unknown): unknown => v;
