import type { Vars } from '../types.js';
import type { Play } from '../playbook/types.js';
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
}

/**
 * A host's variables for one task, in Ansible's precedence order (low → high):
 * role defaults < inventory (group_vars < host_vars) < facts < play vars < vars_files < role vars
 * < block vars < task vars < set_fact/register < role params < include params < extra vars,
 * then the magic variables, which cannot be overridden.
 */
export function buildVars(src: VarSources, host: string, inh: Inherited, taskVars: Vars | undefined, extra: Vars = {}): Vars {
  const st = src.state(host);
  const role = inh.role;
  const vars: Vars = Object.assign(
    {},
    role?.defaults,
    src.inventoryVars(host),
    st.facts,
    src.play.vars,
    src.play.varsFiles,
    role?.vars,
    inh.vars,
    taskVars,
    st.hostFacts,
    role?.params,
    inh.includeParams,
    src.extraVars,
  );
  const failed = inh.failedInfo.get(host);
  Object.assign(vars, failed ?? {}, extra, magicVars(src, host, role?.path));
  return vars;
}

function magicVars(src: VarSources, host: string, rolePath?: string): Vars {
  const magic: Vars = {
    inventory_hostname: host,
    inventory_hostname_short: host.split('.')[0],
    groups: src.groups(),
    group_names: src.groupNames(host),
    ansible_play_hosts: src.playHosts(),
    ansible_play_hosts_all: src.playHosts(),
    ansible_play_batch: src.batchHosts(),
    ansible_check_mode: src.check,
    playbook_dir: src.play.dir,
    ansible_play_name: src.play.name,
  };
  if (rolePath) magic.role_path = rolePath;
  // hostvars: every host's inventory vars, facts and set_facts, computed when read.
  const hostvars: Vars = {};
  for (const h of src.allHosts()) {
    Object.defineProperty(hostvars, h, {
      enumerable: true,
      get: () => ({ ...src.inventoryVars(h), ...src.state(h).facts, ...src.state(h).hostFacts, inventory_hostname: h }),
    });
  }
  magic.hostvars = hostvars;
  return magic;
}
