/**
 * JSON as Python's json.dumps(sort_keys=True, ensure_ascii=False) writes it, which is how ansible-playbook
 * shows a result: `{"a": 1, "b": [1, 2]}`, or with `indent` one key per line. Keys sorted at every level;
 * as JSON.stringify, a key whose value is undefined is left out (null in a list).
 */
export function pyJson(value: unknown, indent?: number): string {
  return write(value, indent, '');
}

const isAbsent = (x: unknown) => x === undefined || typeof x === 'function' || typeof x === 'symbol';

function write(v: unknown, indent: number | undefined, pad: string): string {
  if (isAbsent(v)) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return write((v as { toJSON(): unknown }).toJSON(), indent, pad);
  const inner = indent === undefined ? '' : pad + ' '.repeat(indent);
  const open = indent === undefined ? '' : `\n${inner}`;
  const sep = indent === undefined ? ', ' : `,\n${inner}`;
  const close = indent === undefined ? '' : `\n${pad}`;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${open}${v.map((x) => write(x, indent, inner)).join(sep)}${close}]`;
  }
  const keys = Object.keys(v).filter((k) => !isAbsent((v as Record<string, unknown>)[k])).sort();
  if (keys.length === 0) return '{}';
  return `{${open}${keys.map((k) => `${JSON.stringify(k)}: ${write((v as Record<string, unknown>)[k], indent, inner)}`).join(sep)}${close}}`;
}
