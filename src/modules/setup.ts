import { gatherScript, parseFacts } from '../facts/gather.js';
import { globToRegExp } from '../util/glob.js';
import { parseArgs } from './args.js';
import type { ModuleDef } from './types.js';

/** setup: gather facts in one round trip. Facts come back as `ansible_facts` (stored by the executor). */
export const setupModule: ModuleDef<{ gather_subset: string[]; filter: string[] }> = {
  name: 'setup',
  aliases: ['gather_facts'],
  returnsFacts: true,
  parse: (raw, where, loadTime) =>
    parseArgs('setup', { gather_subset: { type: 'list', default: ['all'] }, filter: { type: 'list', default: [] }, gather_timeout: { type: 'int' } }, raw, where, loadTime),
  async plan(args, ctx) {
    const interpreter = ctx.vars.ansible_python_interpreter;
    const r = await ctx.probe(gatherScript(typeof interpreter === 'string' && interpreter !== '' ? interpreter : undefined));
    if (r.rc !== 0 && r.stdout === '') return { steps: [], failed: true, msg: `gathering facts failed: ${r.stderr.trim()}` };
    let facts = parseFacts(r.stdout);
    if (args.filter.length > 0) {
      // Ansible's fnmatch over the fact names (tsplay's are stored without the ansible_ prefix)
      const pats = args.filter.map((f) => globToRegExp(f.replace(/^ansible_/, '')));
      facts = Object.fromEntries(Object.entries(facts).filter(([k]) => pats.some((p) => p.test(k))));
    }
    // As Ansible's setup module returns them: each fact under its `ansible_` name (facter/ohai facts keep theirs)
    const named = Object.fromEntries(Object.entries(facts).map(([k, v]) => [/^(ansible_|facter|ohai)/.test(k) ? k : `ansible_${k}`, v]));
    return { steps: [], result: { ansible_facts: named } };
  },
};
