import { ParseError } from '../../errors.js';
import { accountProbeCommand, parseAccountProbe, type AccountFacts } from '../../facts/accounts.js';
import { quote, quoteArgv } from '../../util/quote.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import type { ModuleDef, Plan, Step } from '../types.js';

/** ansible.builtin.group with groupadd/groupmod/groupdel, as ansible-core 2.14 decides. */
export interface GroupArgs {
  name: string;
  state: 'present' | 'absent';
  gid?: number;
  system: boolean;
  non_unique: boolean;
}

const specs: ArgSpecs = {
  name: { type: 'str', required: true },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  gid: { type: 'int' },
  system: { type: 'bool', default: false },
  non_unique: { type: 'bool', default: false },
};

export function planGroup(args: GroupArgs, facts: Pick<AccountFacts, 'groups'>): Plan {
  const current = facts.groups.find((g) => g.name === args.name);
  const result: Record<string, unknown> = { name: args.name, state: args.state };
  const steps: Step[] = [];
  if (args.state === 'absent') {
    if (current) steps.push({ cmd: quoteArgv(['groupdel', args.name]) });
    return { steps, result };
  }
  const gidOpts = args.gid !== undefined ? ['-g', String(args.gid), ...(args.non_unique ? ['-o'] : [])] : [];
  if (!current) steps.push({ cmd: quoteArgv(['groupadd', ...gidOpts, ...(args.system ? ['-r'] : []), args.name]) });
  else if (args.gid !== undefined && current.gid !== args.gid) steps.push({ cmd: quoteArgv(['groupmod', ...gidOpts, args.name]) });
  Object.assign(result, { system: args.system });
  if (current) result.gid = args.gid ?? current.gid;
  if (steps.length === 0) return { steps, result };
  const changing = steps.length;
  // The gid groupadd chose is read back after the change.
  steps.push({ cmd: `getent group -- ${quote(args.name)}` });
  return {
    steps,
    changed: true,
    result,
    finish: (results, base) => {
      const bad = results.find((r) => r.rc !== 0);
      if (bad || results.length < steps.length) {
        const r = bad ?? results[results.length - 1]!;
        return { ...base, failed: true, rc: r.rc, msg: r.stderr.trim() || `rc ${r.rc}` };
      }
      const gid = Number(results[changing]!.stdout.split(':')[2]);
      return { ...base, gid };
    },
  };
}

export const groupModule: ModuleDef<GroupArgs> = {
  name: 'group',
  parse(raw, where, loadTime) {
    const args = parseArgs<GroupArgs>('group', specs, raw, where, loadTime);
    if (!loadTime && args.name.trim() === '') throw new ParseError("group: argument 'name' must not be empty", where);
    if (!loadTime && args.non_unique && args.gid === undefined) throw new ParseError('group: non_unique is True but all of the following are missing: gid', where);
    return args;
  },
  async plan(args, ctx) {
    const r = await ctx.probe(accountProbeCommand(undefined));
    if (r.rc !== 0) return { steps: [], failed: true, msg: `reading the group database failed: ${r.stderr.trim()}` };
    return planGroup(args, parseAccountProbe(r.stdout));
  },
};
