import { quoteArgv } from '../../util/quote.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import type { ModuleDef, Plan } from '../types.js';

/** ansible.builtin.getent: a read-only lookup whose records become the fact `getent_<database>`. */
export interface GetentArgs {
  database: string;
  key?: string;
  service?: string;
  split?: string;
  fail_key: boolean;
}

const specs: ArgSpecs = {
  database: { type: 'str', required: true },
  key: { type: 'str' },
  service: { type: 'str' },
  split: { type: 'str' },
  fail_key: { type: 'bool', default: true },
};

const COLON_DATABASES = ['passwd', 'shadow', 'group', 'gshadow'];

export function getentCommand(a: GetentArgs): string {
  return quoteArgv(['getent', a.database, ...(a.key !== undefined ? [a.key] : []), ...(a.service !== undefined ? ['-s', a.service] : [])]);
}

/** Python's str.split(sep), and str.split() on runs of whitespace when sep is undefined. */
function pySplit(line: string, sep: string | undefined): string[] {
  return sep === undefined ? line.trim().split(/\s+/) : line.split(sep);
}

/** getent's exit code and output → Ansible's facts or failure. Pure. */
export function planGetent(a: GetentArgs, rc: number, stdout: string): Plan {
  const split = a.split ?? (COLON_DATABASES.includes(a.database) ? ':' : undefined);
  const tree = `getent_${a.database}`;
  const records: Record<string, unknown> = {};
  if (rc === 0) {
    const seen = new Map<string, number>();
    for (const line of stdout.split('\n')) {
      if (line === '') continue;
      const [first, ...rest] = pySplit(line, split);
      const key = first!;
      const n = seen.get(key) ?? 0;
      if (n === 0) records[key] = rest;
      else {
        if (n === 1) records[key] = [records[key]];
        (records[key] as unknown[]).push(rest);
      }
      seen.set(key, n + 1);
    }
    return { steps: [], result: { ansible_facts: { [tree]: records } } };
  }
  if (rc === 2) {
    const msg = 'One or more supplied key could not be found in the database.';
    if (!a.fail_key) return { steps: [], result: { ansible_facts: { [tree]: { [a.key ?? '']: null } }, msg } };
    return { steps: [], failed: true, msg };
  }
  const msg = rc === 1 ? 'Missing arguments, or database unknown.' : rc === 3 ? 'Enumeration not supported on this database.' : 'Unexpected failure!';
  return { steps: [], failed: true, msg };
}

export const getentModule: ModuleDef<GetentArgs> = {
  name: 'getent',
  returnsFacts: true,
  parse: (raw, where, loadTime) => parseArgs<GetentArgs>('getent', specs, raw, where, loadTime),
  async plan(a, ctx) {
    const r = await ctx.probe(getentCommand(a));
    return planGetent(a, r.rc, r.stdout);
  },
};
