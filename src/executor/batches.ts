import { ParseError, type Source } from '../errors.js';

/**
 * Ansible's `serial`: an int, a percentage of the play's hosts (floored, at least 1), or a list whose
 * last item repeats. Returns the batches of hosts, in order.
 */
export function makeBatches(hosts: string[], serial: unknown, where: Source): string[][] {
  if (serial === undefined || serial === null || serial === 0 || serial === '0') return hosts.length ? [hosts] : [];
  const steps = (Array.isArray(serial) ? serial : [serial]).map((s) => batchSize(s, hosts.length, where));
  const out: string[][] = [];
  let i = 0;
  let step = 0;
  while (i < hosts.length) {
    const size = steps[Math.min(step, steps.length - 1)]!;
    out.push(hosts.slice(i, i + size));
    i += size;
    step++;
  }
  return out;
}

function batchSize(s: unknown, total: number, where: Source): number {
  if (typeof s === 'number' && Number.isInteger(s) && s > 0) return s;
  if (typeof s === 'string') {
    const pct = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(s);
    if (pct) return Math.max(1, Math.floor((Number(pct[1]) * total) / 100));
    if (/^\s*\d+\s*$/.test(s) && Number(s) > 0) return Number(s);
  }
  throw new ParseError(`'serial' must be a positive number, a percentage or a list of them, got ${JSON.stringify(s)}`, where);
}

/** `order:` of a play's hosts. */
export function orderHosts(hosts: string[], order: string): string[] {
  switch (order) {
    case 'reverse_inventory':
      return [...hosts].reverse();
    case 'sorted':
      return [...hosts].sort();
    case 'reverse_sorted':
      return [...hosts].sort().reverse();
    case 'shuffle': {
      const a = [...hosts];
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [a[i], a[j]] = [a[j]!, a[i]!];
      }
      return a;
    }
    default:
      return hosts;
  }
}
