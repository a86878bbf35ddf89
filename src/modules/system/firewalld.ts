import { ParseError } from '../../errors.js';
import { quoteArgv } from '../../util/quote.js';
import { toBool } from '../../util/bool.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import type { ModuleDef, Plan, Step } from '../types.js';

/**
 * ansible.posix.firewalld through `firewall-cmd` (`firewall-offline-cmd` when the daemon is not running):
 * one element (service, port, rich_rule, source, interface, masquerade, protocol, icmp_block) enabled or
 * disabled in a zone, permanently and/or in the running firewall (neither given: immediate only).
 */
export interface FirewalldArgs {
  service?: string;
  port?: string;
  rich_rule?: string;
  source?: string;
  interface?: string;
  masquerade?: string;
  protocol?: string;
  icmp_block?: string;
  zone?: string;
  permanent?: boolean;
  immediate: boolean;
  state: 'enabled' | 'disabled' | 'present' | 'absent';
  timeout: number;
  offline?: boolean;
}

const ELEMENTS = ['service', 'port', 'rich_rule', 'source', 'interface', 'masquerade', 'protocol', 'icmp_block'] as const;
type Element = (typeof ELEMENTS)[number];

const specs: ArgSpecs = {
  service: { type: 'str' },
  port: { type: 'str' },
  rich_rule: { type: 'str' },
  source: { type: 'str' },
  interface: { type: 'str' },
  masquerade: { type: 'str' },
  protocol: { type: 'str' },
  icmp_block: { type: 'str' },
  zone: { type: 'str' },
  permanent: { type: 'bool' },
  immediate: { type: 'bool', default: false },
  state: { type: 'str', required: true, choices: ['enabled', 'disabled', 'present', 'absent'] },
  timeout: { type: 'int', default: 0 },
  offline: { type: 'bool' },
};

/** firewall-cmd's option stem for the element (--query-STEM=VALUE, --add-…, --remove-…). */
const STEM: Record<Element, string> = {
  service: 'service',
  port: 'port',
  rich_rule: 'rich-rule',
  source: 'source',
  interface: 'interface',
  masquerade: 'masquerade',
  protocol: 'protocol',
  icmp_block: 'icmp-block',
};

export interface FirewalldTarget {
  element: Element;
  /** Undefined for masquerade (a flag). */
  value?: string;
  /** The state the element should be in. */
  want: boolean;
}

export function target(a: FirewalldArgs): FirewalldTarget {
  const element = ELEMENTS.find((e) => a[e] !== undefined)!;
  const enabled = a.state === 'enabled';
  if (element === 'masquerade') return { element, want: enabled === (toBool(a.masquerade) ?? true) };
  return { element, value: a[element], want: enabled };
}

/** `firewall-cmd [--permanent] [--zone=Z] --VERB-STEM[=VALUE]` as an argv. */
export function firewallArgv(tool: string, a: FirewalldArgs, verb: 'query' | 'add' | 'remove', permanent: boolean): string[] {
  const t = target(a);
  const argv = [tool];
  if (permanent && tool === 'firewall-cmd') argv.push('--permanent');
  if (a.zone) argv.push(`--zone=${a.zone}`);
  argv.push(t.value === undefined ? `--${verb}-${STEM[t.element]}` : `--${verb}-${STEM[t.element]}=${t.value}`);
  if (verb === 'add' && !permanent && a.timeout > 0) argv.push(`--timeout=${a.timeout}`);
  return argv;
}

export interface FirewalldFacts {
  running: boolean;
  /** --query result in the permanent configuration / the running firewall (undefined: not asked). */
  permanent?: boolean;
  immediate?: boolean;
}

export function modes(a: FirewalldArgs): { permanent: boolean; immediate: boolean } {
  const permanent = a.permanent === true;
  return { permanent, immediate: a.immediate || !permanent };
}

export function planFirewalld(a: FirewalldArgs, f: FirewalldFacts): Plan {
  const { permanent, immediate } = modes(a);
  if (immediate && !f.running) {
    return { steps: [], failed: true, msg: 'firewall is not currently running, unable to perform immediate actions without a running firewall daemon' };
  }
  const t = target(a);
  const tool = f.running ? 'firewall-cmd' : 'firewall-offline-cmd';
  const verb = t.want ? 'add' : 'remove';
  const steps: Step[] = [];
  if (permanent && f.permanent !== t.want) steps.push({ cmd: quoteArgv(firewallArgv(tool, a, verb, true)) });
  if (immediate && f.immediate !== t.want) steps.push({ cmd: quoteArgv(firewallArgv(tool, a, verb, false)) });
  const mode = permanent && immediate ? 'Permanent and Non-Permanent(immediate) operation' : permanent ? 'Permanent operation' : 'Non-permanent operation';
  const what = t.element === 'masquerade' ? `masquerade ${a.masquerade}` : `${t.element.replace('_', '-')} ${t.value}`;
  const msgs = [mode];
  if (steps.length > 0 && t.element !== 'source' && t.element !== 'interface') msgs.push(`Changed ${what} to ${a.state}`);
  return { steps, result: { msg: msgs.join(', ') } };
}

export const firewalldModule: ModuleDef<FirewalldArgs> = {
  name: 'firewalld',
  aliases: ['ansible.posix.firewalld'],
  parse(raw, where, loadTime) {
    const a = parseArgs<FirewalldArgs>('firewalld', specs, raw, where, loadTime);
    if (loadTime) return a;
    const given = ELEMENTS.filter((e) => a[e] !== undefined);
    if (given.length > 1) throw new ParseError(`firewalld: parameters are mutually exclusive: ${given.join('|')}`, where);
    if (given.length === 0) {
      throw new ParseError(`firewalld: one of ${ELEMENTS.join(', ')} is required (zone-level operations and port_forward/target/icmp_block_inversion are not supported by tsplay)`, where);
    }
    if (a.state === 'present' || a.state === 'absent') throw new ParseError('firewalld: absent and present state can only be used in zone level operations', where);
    if (a.port !== undefined && !/^[^/]+\/[a-z]+$/.test(a.port.trim())) throw new ParseError('firewalld: improper port format (missing protocol?)', where);
    if (a.interface !== undefined && a.zone === undefined) throw new ParseError("firewalld: missing parameter(s) required by 'interface': zone", where);
    if (a.source !== undefined && a.permanent === undefined) throw new ParseError("firewalld: missing parameter(s) required by 'source': permanent", where);
    return a;
  },
  async plan(a, ctx) {
    const running = (await ctx.probe('firewall-cmd --state')).rc === 0;
    const { permanent, immediate } = modes(a);
    const tool = running ? 'firewall-cmd' : 'firewall-offline-cmd';
    const facts: FirewalldFacts = { running };
    // --query-* exits 0 when the element is there, 1 when it is not.
    if (permanent) facts.permanent = (await ctx.probe(quoteArgv(firewallArgv(tool, a, 'query', true)))).rc === 0;
    if (immediate && running) facts.immediate = (await ctx.probe(quoteArgv(firewallArgv(tool, a, 'query', false)))).rc === 0;
    return planFirewalld(a, facts);
  },
};
