import { ParseError } from '../errors.js';
import { quote } from '../util/quote.js';
import { parseArgs, type ArgSpecs } from './args.js';
import type { ModuleDef, Plan } from './types.js';

export interface DebconfArgs {
  name: string;
  question?: string;
  vtype?: string;
  value?: unknown;
  unseen: boolean;
}

const VTYPES = ['boolean', 'error', 'multiselect', 'note', 'password', 'seen', 'select', 'string', 'text', 'title'];
const specs: ArgSpecs = {
  name: { type: 'str', required: true, aliases: ['pkg'] },
  question: { type: 'str', aliases: ['selection', 'setting'] },
  vtype: { type: 'str', choices: VTYPES },
  value: { type: 'raw', aliases: ['answer'] },
  unseen: { type: 'bool', default: false },
};

/** `debconf-show PKG`: "* question: value" lines (the star marks seen questions). */
export function parseDebconfShow(out: string): Record<string, string> {
  const cur: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^[* ] ([^:]+):\s?(.*)$/.exec(line);
    if (m) cur[m[1]!] = m[2]!;
  }
  return cur;
}

/** The value as debconf stores it: booleans lower case, lists comma-joined. */
export function debconfValue(vtype: string, value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (vtype === 'boolean' || typeof value === 'boolean') return String(value).toLowerCase();
  return value === undefined || value === null ? '' : String(value);
}

/** Decide: Ansible's comparisons (booleans case-insensitive, multiselect as a set). */
export function planDebconf(args: DebconfArgs, current: Record<string, string>): Plan {
  const result = { current };
  if (!args.question) return { steps: [], result };
  const vtype = args.vtype!;
  const value = debconfValue(vtype, args.value);
  const prev = current[args.question];
  let same = prev !== undefined;
  if (same) {
    if (vtype === 'boolean') same = prev!.toLowerCase() === value;
    else if (vtype === 'multiselect') {
      const set = (s: string) => [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))].sort().join(',');
      same = set(prev!) === set(value);
    } else if (vtype === 'password') same = false;
    else same = prev === value;
  }
  if (same) return { steps: [], result };
  // The selection (a password, maybe) goes through stdin, never argv.
  const line = [args.name, args.question, vtype, value].join(' ') + '\n';
  return {
    steps: [{ cmd: `debconf-set-selections${args.unseen ? ' -u' : ''}`, stdin: line }],
    result,
    diff: vtype === 'password' ? [] : [{ path: `debconf ${args.name}`, before: prev === undefined ? '' : `${args.question}: ${prev}\n`, after: `${args.question}: ${value}\n` }],
  };
}

export const debconfModule: ModuleDef<DebconfArgs> = {
  name: 'debconf',
  parse(raw, where, loadTime) {
    const args = parseArgs<DebconfArgs>('debconf', specs, raw, where, loadTime);
    if (args.question !== undefined && (args.vtype === undefined || args.value === undefined) && !loadTime) {
      throw new ParseError("debconf: 'question' needs 'vtype' and 'value'", where);
    }
    if ((args.vtype !== undefined || args.value !== undefined) && args.question === undefined) {
      throw new ParseError("debconf: 'vtype' and 'value' need 'question'", where);
    }
    return args;
  },
  async plan(args, ctx) {
    const r = await ctx.probe(`command -v debconf-show >/dev/null 2>&1 || { echo "@no-debconf"; exit 0; }; LC_ALL=C debconf-show ${quote(args.name)} 2>&1; true`);
    if (r.stdout.includes('@no-debconf')) return { steps: [], failed: true, msg: 'debconf-show was not found on the target (debconf works on Debian-family hosts)' };
    return planDebconf(args, parseDebconfShow(r.stdout));
  },
};
