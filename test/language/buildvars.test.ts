import test from 'ava';
import { buildVars, type VarSources } from '../../src/executor/vars.js';
import { fromPlay, type Inherited } from '../../src/executor/inherit.js';
import { newHostState } from '../../src/executor/state.js';
import type { Play, RoleInstance } from '../../src/playbook/types.js';
import type { Vars } from '../../src/types.js';

/**
 * buildVars on its own: every level defines `x` (and its own marker), then levels are removed from
 * the top one at a time; `x` must always come from the highest level left. This pins the whole order
 * in one place (the fleet test checks each boundary end to end).
 */
const ORDER = ['role defaults', 'inventory', 'facts', 'play vars', 'vars_files', 'role vars', 'block vars', 'task vars', 'set_fact', 'role params', 'include params', 'extra vars'] as const;
type Level = (typeof ORDER)[number];

function scope(levels: ReadonlySet<Level>): Vars {
  const v = (l: Level): Vars => (levels.has(l) ? { x: l } : {});
  const role: RoleInstance = { name: 'r', path: '/roles/r', defaults: v('role defaults'), vars: v('role vars'), params: v('role params') };
  const play = { name: 'P', dir: '/pb', vars: v('play vars'), varsFiles: v('vars_files') } as unknown as Play;
  const state = newHostState('h1');
  Object.assign(state.facts, v('facts'));
  Object.assign(state.hostFacts, v('set_fact'));
  const src: VarSources = {
    play,
    extraVars: v('extra vars'),
    check: true,
    inventoryVars: () => ({ ...v('inventory'), ansible_host: '127.0.0.1' }),
    state: () => state,
    groups: () => ({ all: ['h1', 'h2'], web: ['h1'] }),
    groupNames: () => ['web'],
    allHosts: () => ['h1', 'h2'],
    playHosts: () => ['h1', 'h2'],
    batchHosts: () => ['h1'],
  };
  const inh: Inherited = { ...fromPlay({ ...play, tags: [] } as Play), role, vars: v('block vars'), includeParams: v('include params') };
  return buildVars(src, 'h1', inh, v('task vars'));
}

test('each level overrides every level below it (Ansible order)', (t) => {
  for (let top = ORDER.length - 1; top >= 0; top--) {
    t.is(scope(new Set(ORDER.slice(0, top + 1))).x, ORDER[top], `with levels up to ${ORDER[top]}`);
  }
});

test('each level alone is visible (none is dropped)', (t) => {
  for (const level of ORDER) t.is(scope(new Set([level])).x, level);
});

test('magic variables come last: inventory_hostname, groups, group_names, play hosts and batch, check mode, dirs', (t) => {
  const v = scope(new Set(ORDER));
  t.like(v, {
    inventory_hostname: 'h1',
    inventory_hostname_short: 'h1',
    group_names: ['web'],
    ansible_play_hosts: ['h1', 'h2'],
    ansible_play_batch: ['h1'],
    ansible_check_mode: true,
    playbook_dir: '/pb',
    role_path: '/roles/r',
  });
  t.deepEqual(v.groups, { all: ['h1', 'h2'], web: ['h1'] });
  t.deepEqual(Object.keys(v.hostvars as object), ['h1', 'h2']);
  t.is((v.hostvars as Record<string, Vars>).h1!.x, 'set_fact', 'hostvars: inventory vars, facts and set_facts of the host');
});
