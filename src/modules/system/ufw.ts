import { ParseError } from '../../errors.js';
import { quoteArgv } from '../../util/quote.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import type { ModuleDef, Plan, Step } from '../types.js';

/**
 * community.general.ufw. Ansible runs the command and compares `ufw status verbose` and the rule tuples
 * before and after; tsplay decides before, the way Ansible's check mode does: the state and defaults from
 * `ufw status verbose`, a rule from what `ufw --dry-run RULE` would write versus the current tuples.
 */
export interface UfwArgs {
  state?: 'enabled' | 'disabled' | 'reloaded' | 'reset';
  default?: 'allow' | 'deny' | 'reject';
  logging?: string;
  direction?: string;
  delete: boolean;
  route: boolean;
  insert?: number;
  insert_relative_to: string;
  rule?: 'allow' | 'deny' | 'limit' | 'reject';
  interface?: string;
  interface_in?: string;
  interface_out?: string;
  log: boolean;
  from_ip: string;
  from_port?: string;
  to_ip: string;
  to_port?: string;
  proto?: string;
  name?: string;
  comment?: string;
}

const specs: ArgSpecs = {
  state: { type: 'str', choices: ['enabled', 'disabled', 'reloaded', 'reset'] },
  default: { type: 'str', aliases: ['policy'], choices: ['allow', 'deny', 'reject'] },
  logging: { type: 'str', choices: ['full', 'high', 'low', 'medium', 'off', 'on'] },
  direction: { type: 'str', choices: ['in', 'incoming', 'out', 'outgoing', 'routed'] },
  delete: { type: 'bool', default: false },
  route: { type: 'bool', default: false },
  insert: { type: 'int' },
  insert_relative_to: { type: 'str', default: 'zero', choices: ['zero', 'first-ipv4', 'last-ipv4', 'first-ipv6', 'last-ipv6'] },
  rule: { type: 'str', choices: ['allow', 'deny', 'limit', 'reject'] },
  interface: { type: 'str', aliases: ['if'] },
  interface_in: { type: 'str', aliases: ['if_in'] },
  interface_out: { type: 'str', aliases: ['if_out'] },
  log: { type: 'bool', default: false },
  from_ip: { type: 'str', default: 'any', aliases: ['from', 'src'] },
  from_port: { type: 'str' },
  to_ip: { type: 'str', default: 'any', aliases: ['dest', 'to'] },
  to_port: { type: 'str', aliases: ['port'] },
  proto: { type: 'str', aliases: ['protocol'], choices: ['ah', 'any', 'esp', 'ipv6', 'tcp', 'udp', 'gre', 'igmp'] },
  name: { type: 'str', aliases: ['app'] },
  comment: { type: 'str' },
};

const RULE_FILES = ['/lib/ufw/user.rules', '/lib/ufw/user6.rules', '/etc/ufw/user.rules', '/etc/ufw/user6.rules', '/var/lib/ufw/user.rules', '/var/lib/ufw/user6.rules'];
export const RULES_PROBE = `grep -h '^### tuple' ${RULE_FILES.join(' ')} 2>/dev/null; true`;

/** The rule's words after `ufw`, in ufw's long format. */
export function ruleArgv(a: UfwArgs): string[] {
  const w: string[] = [];
  if (a.route) w.push('route');
  if (a.delete) w.push('delete');
  if (a.insert !== undefined && !a.delete) w.push('insert', String(a.insert));
  w.push(a.rule!);
  if (a.direction) w.push(a.direction);
  if (a.interface) w.push('on', a.interface);
  if (a.interface_in) w.push('in', 'on', a.interface_in);
  if (a.interface_out) w.push('out', 'on', a.interface_out);
  if (a.log) w.push('log');
  w.push('from', a.from_ip);
  if (a.from_port) w.push('port', a.from_port);
  w.push('to', a.to_ip);
  if (a.to_port) w.push('port', a.to_port);
  if (a.proto) w.push('proto', a.proto);
  if (a.name) w.push('app', a.name);
  if (a.comment) w.push('comment', a.comment);
  return w;
}

export interface UfwFacts {
  /** `ufw status verbose`. */
  status: string;
  /** The `### tuple` lines of the user rules. */
  rules: string;
  /** `ufw --dry-run RULE` output (only for a rule). */
  dryRun?: string;
}

const IPV4 = /(\d{1,3}\.){3}\d{1,3}/;
const IPV6 = /[0-9a-fA-F]{0,4}:[0-9a-fA-F:]*:[0-9a-fA-F]{0,4}/;
const linesMatching = (re: RegExp, text: string) => text.split(/(?<=\n)/).filter((l) => re.test(l)).join('');

export function planUfw(a: UfwArgs, f: UfwFacts): Plan {
  const steps: Step[] = [];
  const commands: string[] = [];
  let changed = false;
  const ufw = (words: string[]) => {
    const cmd = `LANG=C ${quoteArgv(['ufw', ...words])}`;
    commands.push(cmd);
    return cmd;
  };
  if (a.state) {
    const verb = { enabled: 'enable', disabled: 'disable', reloaded: 'reload', reset: 'reset' }[a.state];
    const active = f.status.includes(' active');
    const differs = a.state === 'reloaded' || a.state === 'reset' || (a.state === 'disabled' && active) || (a.state === 'enabled' && !active);
    if (differs) {
      changed = true;
      steps.push({ cmd: ufw(['-f', verb]) });
    }
  }
  if (a.logging) {
    const m = /Logging: (on|off)(?: \(([a-z]+)\))?/.exec(f.status);
    const differs = !m || (a.logging !== 'off' ? m[1] === 'off' || (a.logging !== 'on' && a.logging !== m[2]) : m[1] !== 'off');
    if (differs) {
      changed = true;
      steps.push({ cmd: ufw(['logging', a.logging]) });
    }
  }
  if (a.default) {
    if (a.direction !== undefined && !['outgoing', 'incoming', 'routed'].includes(a.direction)) {
      return { steps: [], failed: true, msg: 'For default, direction must be one of "outgoing", "incoming" and "routed", or direction must not be specified.' };
    }
    const m = /Default: (deny|allow|reject) \(incoming\), (deny|allow|reject) \(outgoing\), (deny|allow|reject|disabled) \(routed\)/.exec(f.status);
    const current = m ? { incoming: m[1], outgoing: m[2], routed: m[3] }[(a.direction ?? 'incoming') as 'incoming'] : undefined;
    if (current === undefined || (current !== a.default && current !== 'disabled')) {
      changed = true;
      steps.push({ cmd: ufw(['default', a.default, ...(a.direction ? [a.direction] : [])]) });
    }
  }
  if (a.rule) {
    if (a.direction !== undefined && !['in', 'out'].includes(a.direction)) {
      return { steps: [], failed: true, msg: 'For rules, direction must be one of "in" and "out", or direction must not be specified.' };
    }
    if (!a.route && a.interface_in && a.interface_out) return { steps: [], failed: true, msg: 'Only route rules can combine interface_in and interface_out' };
    const dry = f.dryRun ?? '';
    const lines = dry.split(/(?<=\n)/).filter((l) => l !== '');
    const skipping = lines.filter((l) => l.includes('Skipping')).length;
    let differs = false;
    if (!(skipping > 0 && skipping === lines.length)) {
      const wouldBe = lines.filter((l) => l.startsWith('### tuple')).join('');
      if (IPV4.test(a.from_ip) || IPV4.test(a.to_ip)) differs = linesMatching(IPV4, f.rules) !== linesMatching(IPV4, wouldBe);
      else if (IPV6.test(a.from_ip) || IPV6.test(a.to_ip)) differs = linesMatching(IPV6, f.rules) !== linesMatching(IPV6, wouldBe);
      else differs = f.rules !== wouldBe;
    }
    if (differs) {
      changed = true;
      steps.push({ cmd: ufw(ruleArgv(a)) });
    }
  }
  return { steps, changed, result: { commands } };
}

export const ufwModule: ModuleDef<UfwArgs> = {
  name: 'ufw',
  aliases: ['community.general.ufw'],
  parse(raw, where, loadTime) {
    const a = parseArgs<UfwArgs>('ufw', specs, raw, where, loadTime);
    if (loadTime) return a;
    if (!a.state && !a.default && !a.rule && !a.logging) throw new ParseError("ufw: one of the following is required: state, default, rule, logging", where);
    const excl = ['name', 'proto', 'logging'].filter((k) => (a as unknown as Record<string, unknown>)[k] !== undefined);
    if (excl.length > 1) throw new ParseError(`ufw: parameters are mutually exclusive: ${excl.join('|')}`, where);
    if (a.direction && (a.interface_in || a.interface_out)) throw new ParseError('ufw: parameters are mutually exclusive: direction|interface_in|interface_out', where);
    if (a.interface && !a.direction) throw new ParseError("ufw: missing parameter(s) required by 'interface': direction", where);
    if (a.insert_relative_to !== 'zero') throw new ParseError(`ufw: insert_relative_to=${a.insert_relative_to} is not supported by tsplay (only zero)`, where);
    return a;
  },
  async plan(a, ctx) {
    const status = await ctx.probe('LANG=C ufw status verbose');
    if (status.rc !== 0) return { steps: [], failed: true, msg: status.stderr.trim() || status.stdout.trim() || 'ufw status failed' };
    const rules = await ctx.probe(RULES_PROBE);
    let dryRun: string | undefined;
    if (a.rule) {
      const d = await ctx.probe(`LANG=C ${quoteArgv(['ufw', '--dry-run', ...ruleArgv(a)])}`);
      if (d.rc !== 0) return { steps: [], failed: true, msg: d.stderr.trim() || d.stdout.trim() };
      dryRun = d.stdout;
    }
    return planUfw(a, { status: status.stdout, rules: rules.stdout, dryRun });
  },
};
