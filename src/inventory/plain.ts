/**
 * Values read from YAML made plain JSON-like data, as Ansible prints them: a YAML date
 * (`2024-01-01`) becomes its ISO text, as Python's date.isoformat() gives it.
 */
export function plainData(v: unknown): unknown {
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace(/\.000Z$/, '').replace(/Z$/, '');
  }
  if (Array.isArray(v)) return v.some(needsWork) ? v.map(plainData) : v;
  if (v !== null && typeof v === 'object') {
    if (!Object.values(v).some(needsWork)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: plainData(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

function needsWork(v: unknown): boolean {
  if (v instanceof Date) return true;
  if (Array.isArray(v)) return v.some(needsWork);
  if (v !== null && typeof v === 'object') return Object.values(v).some(needsWork);
  return false;
}

/** `target |= source` for variables: top-level keys replace (Ansible's hash_behaviour=replace). */
export function assignVars(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(source)) {
    if (k === '__proto__') Object.defineProperty(target, k, { value: source[k], enumerable: true, writable: true, configurable: true });
    else target[k] = source[k];
  }
  return target;
}
