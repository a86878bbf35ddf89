import { ParseError } from '../../errors.js';
import { parseAddress } from '../../inventory/address.js';
import type { Vars } from '../../types.js';
import type { ModuleDef } from '../types.js';

interface AddHostArgs {
  name: string;
  groups: string[];
  vars: Vars;
}

/** Ansible's add_host: these are options; every other argument is a variable of the new host. */
const SPECIAL = new Set(['name', 'hostname', 'groupname', 'groups']);

/**
 * ansible.builtin.add_host: a host (name, aliases host/hostname; `name:port` sets ansible_ssh_port) in
 * `groups` (groupname/group; a list or comma-separated), with the other arguments as its variables.
 * The executor applies the result's `add_host` to the run's inventory: later plays reach the host.
 */
export const addHostModule: ModuleDef<AddHostArgs> = {
  name: 'add_host',
  controllerOnly: true,
  bypassHostLoop: true,
  parse(raw, where) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ParseError('add_host: arguments must be a dictionary', where);
    const r = raw as Record<string, unknown>;
    const given = r.name ?? r.hostname ?? r.host;
    if (given === undefined || given === null || given === '') throw new ParseError('add_host: name, host or hostname needs to be provided', where);
    if (typeof given !== 'string' && typeof given !== 'number') throw new ParseError(`add_host: 'name' must be a string, got ${JSON.stringify(given)}`, where);
    const vars: Vars = {};
    for (const [k, v] of Object.entries(r)) if (!SPECIAL.has(k)) vars[k] = v;
    // not a parsable address: used as given, as Ansible does
    const { host, port } = parseAddress(String(given), false) ?? { host: String(given) };
    if (port !== undefined) vars.ansible_ssh_port = port;
    const g = r.groupname ?? r.groups ?? r.group ?? '';
    let list: unknown[];
    if (Array.isArray(g)) list = g;
    else if (typeof g === 'string') list = g === '' ? [] : g.split(',');
    else throw new ParseError('add_host: Groups must be specified as a list.', where);
    const groups: string[] = [];
    for (const x of list) {
      if (typeof x !== 'string') throw new ParseError(`add_host: a group name must be a string, got ${JSON.stringify(x)}`, where);
      if (!groups.includes(x.trim()) && x.trim() !== '') groups.push(x.trim());
    }
    return { name: host, groups, vars };
  },
  async plan(args) {
    return { steps: [], result: { add_host: { host_name: args.name, groups: args.groups, host_vars: args.vars } } };
  },
};
