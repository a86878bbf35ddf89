import { parseArgs } from '../args.js';
import type { ModuleDef, Plan } from '../types.js';

/** ansible.builtin.service_facts through systemctl: the fact `services`, keyed by unit name. */
export const LIST_UNITS = 'systemctl list-units --no-pager --type service --all --plain --no-legend';
export const LIST_UNIT_FILES = 'systemctl list-unit-files --no-pager --type service --plain --no-legend';

export interface ServiceRecord {
  name: string;
  state: 'running' | 'stopped' | 'failed' | 'unknown';
  status: string;
  source: 'systemd';
}

/** `list-units` gives the state of loaded units; `list-unit-files` the enablement of every unit file. Pure. */
export function parseServices(units: string, unitFiles: string): Record<string, ServiceRecord> {
  const services: Record<string, ServiceRecord> = {};
  for (const line of units.split('\n')) {
    const f = line.trim().replace(/^●\s*/, '').split(/\s+/);
    if (f.length < 4 || !f[0]!.endsWith('.service')) continue;
    const [name, load, active, sub] = f as [string, string, string, string];
    if (load === 'not-found') continue;
    const state = sub === 'running' ? 'running' : active === 'failed' ? 'failed' : ['exited', 'dead'].includes(sub) || active === 'inactive' ? 'stopped' : 'unknown';
    services[name] = { name, state, status: 'unknown', source: 'systemd' };
  }
  for (const line of unitFiles.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 2 || !f[0]!.endsWith('.service')) continue;
    const [name, status] = f as [string, string];
    if (services[name]) services[name]!.status = status;
    else if (!name.includes('@.')) services[name] = { name, state: 'stopped', status, source: 'systemd' };
  }
  return services;
}

export function planServiceFacts(units: string, unitFiles: string): Plan {
  return { steps: [], result: { ansible_facts: { services: parseServices(units, unitFiles) } } };
}

export const serviceFactsModule: ModuleDef<Record<string, never>> = {
  name: 'service_facts',
  returnsFacts: true,
  parse: (raw, where, loadTime) => parseArgs('service_facts', {}, raw, where, loadTime),
  async plan(_a, ctx) {
    const [u, f] = await Promise.all([ctx.probe(LIST_UNITS), ctx.probe(LIST_UNIT_FILES)]);
    if (u.rc !== 0) {
      return { steps: [], failed: true, msg: `Failed to find any services. Sometimes this is due to insufficient privileges. (${u.stderr.trim()})` };
    }
    return planServiceFacts(u.stdout, f.rc === 0 ? f.stdout : '');
  },
};
