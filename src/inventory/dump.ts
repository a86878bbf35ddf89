import YAML from 'yaml';

/**
 * Output as ansible-inventory prints it: JSON with sorted keys and 4-space indent
 * (Python's json.dumps(sort_keys=True, indent=4, ensure_ascii=False)), or YAML with sorted keys.
 * One known difference: Python prints a float with an integral value as `1000.0`; JavaScript
 * has one number type, so tsplay prints `1000`.
 */
export function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort(byCodePoint)) {
      Object.defineProperty(out, k, { value: sortKeysDeep((v as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return v;
}

/** Python sorts str keys by code point; JS's default sort compares UTF-16 units (differs only beyond the BMP). */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}

export function dumpJson(v: unknown): string {
  return JSON.stringify(sortKeysDeep(v), (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? pyNonFinite(x) : x), 4);
}

function pyNonFinite(x: number): string {
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

export function dumpYaml(v: unknown): string {
  return YAML.stringify(v, { sortMapEntries: true, lineWidth: 0 });
}
