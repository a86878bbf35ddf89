import type { Vars } from '../types.js';
import { ANSIBLE_VERSION } from './ansible-version.js';
import { markData } from '../template/lazy.js';
import { playRoleVars } from '../playbook/roles.js';
import type { Play, RoleInstance } from '../playbook/types.js';
import type { Inherited } from './inherit.js';
import type { HostState } from './state.js';

/** What variable building needs from the run. */
export interface VarSources {
  play: Play;
  extraVars: Vars;
  check: boolean;
  inventoryVars(host: string): Vars;
  state(host: string): HostState;
  groups(): Record<string, string[]>;
  groupNames(host: string): string[];
  allHosts(): string[];
  playHosts(): string[];
  batchHosts(): string[];
  /** Every host the play targets (after --limit), failed ones included: ansible_play_hosts_all. */
  playHostsAll?(): string[];
  /** --tags / --skip-tags as given: ansible_run_tags (['all'] when none), ansible_skip_tags. */
  runTags?: string[];
  skipTags?: string[];
  /** Roles a public include_role brought in so far: with play.roles, their defaults and vars are every task's. */
  publicRoles?: RoleInstance[];
}

/**
 * A host's variables for one task, in Ansible's precedence order (low → high):
 * the play's roles' defaults (play.roles: roles: entries, import_role, public include_role)
 * < the task's role defaults < inventory (group_vars < host_vars) < facts < play vars < vars_files
 * < the play's roles' vars < the task's role vars < block vars < task vars < include_vars < set_fact/register < role params < include params < extra vars,
 * then the magic variables, which cannot be overridden.
 */
const NO_FACTS: Vars = Object.freeze({ ansible_facts: Object.freeze({}) }) as Vars;

export function buildVars(src: VarSources, host: string, inh: Inherited, taskVars: Vars | undefined, extra: Vars = {}): Vars {
  const st = src.state(host);
  const role = inh.role;
  const shown = rolesShown(src);
  // Each layer may hold templates ('vars'), or is data ('data'; 'unsafe': data Ansible marks unsafe,
  // whose reading makes a template's result unsafe). A key's value is rendered lazily only if the
  // layer it finally came from may hold templates.
  const layers: [Vars | undefined, LayerKind | ((key: string) => LayerKind)][] = [
    // ansible_facts is always defined, {} before any gathering (Ansible's namespace_facts)
    [NO_FACTS, 'data'],
    [shown.defaults, 'vars'],
    [role?.defaults, 'vars'],
    [src.inventoryVars(host), 'vars'],
    [st.facts, 'unsafe'],
    [src.play.vars, 'vars'],
    [src.play.varsFiles, 'vars'],
    [shown.vars, 'vars'],
    [role?.vars, 'vars'],
    [inh.vars, 'vars'],
    [taskVars, 'vars'],
    [st.includeVars, 'vars'],
    // a set_fact value is rendered again when read, as Ansible does, unless it was made from an unsafe value
    [st.hostFacts, (key) => (st.templatedFacts.has(key) ? 'vars' : 'unsafe')],
    [role?.params, 'vars'],
    [inh.includeParams, 'vars'],
    [inh.hostIncludeVars?.get(host), 'data'],
    [src.extraVars, 'vars'],
    [inh.failedInfo.get(host), 'unsafe'],
    [extra, 'data'],
    [magicVars(src, host, role?.path), 'data'],
  ];
  const vars: Vars = {};
  const raw = new Set<string>();
  const unsafe = new Set<string>();
  for (const [layer, kindOf] of layers) {
    if (!layer) continue;
    for (const key of Object.keys(layer)) {
      vars[key] = layer[key];
      const kind = typeof kindOf === 'function' ? kindOf(key) : kindOf;
      if (kind === 'vars') raw.delete(key);
      else raw.add(key);
      if (kind === 'unsafe') unsafe.add(key);
      else unsafe.delete(key);
    }
  }
  return markData(vars, raw, unsafe);
}

type LayerKind = 'vars' | 'data' | 'unsafe';

/** The play's roles' defaults and vars, merged once per play (again when a public include_role adds one). */
const shownOf = new WeakMap<VarSources, { count: number; layers: ReturnType<typeof playRoleVars> }>();

function rolesShown(src: VarSources): ReturnType<typeof playRoleVars> {
  const roles = [...(src.play.roles ?? []), ...(src.publicRoles ?? [])];
  const known = shownOf.get(src);
  if (known && known.count === roles.length) return known.layers;
  const layers = playRoleVars(roles);
  shownOf.set(src, { count: roles.length, layers });
  return layers;
}

/**
 * One hostvars object per play: its getters read each host's current state when used. A host that
 * add_host puts in the inventory during the play gets its entry when next asked (Ansible has it at once).
 */
const hostvarsOf = new WeakMap<VarSources, { hv: Vars; count: number }>();

function hostvars(src: VarSources): Vars {
  let known = hostvarsOf.get(src);
  if (!known) hostvarsOf.set(src, (known = { hv: {}, count: 0 }));
  const hosts = src.allHosts();
  if (hosts.length !== known.count) {
    for (const h of hosts) {
      if (Object.prototype.hasOwnProperty.call(known.hv, h)) continue;
      Object.defineProperty(known.hv, h, {
        enumerable: true,
        get: () => ({ ...src.inventoryVars(h), ...src.state(h).facts, ...src.state(h).includeVars, ...src.state(h).hostFacts, inventory_hostname: h }),
      });
    }
    known.count = hosts.length;
  }
  return known.hv;
}

function magicVars(src: VarSources, host: string, rolePath?: string): Vars {
  const playHosts = src.playHosts();
  const magic: Vars = {
    inventory_hostname: host,
    inventory_hostname_short: host.split('.')[0],
    groups: src.groups(),
    group_names: src.groupNames(host),
    ansible_play_hosts: playHosts,
    ansible_play_hosts_all: src.playHostsAll?.() ?? playHosts,
    ansible_run_tags: src.runTags?.length ? src.runTags : ['all'],
    ansible_skip_tags: src.skipTags ?? [],
    ansible_play_batch: src.batchHosts(),
    ansible_check_mode: src.check,
    ansible_version: { ...ANSIBLE_VERSION },
    playbook_dir: src.play.dir,
    ansible_play_name: src.play.name,
  };
  if (rolePath) magic.role_path = rolePath;
  // hostvars: every host's inventory vars, facts and set_facts, computed when read.
  magic.hostvars = hostvars(src);
  return magic;
}
