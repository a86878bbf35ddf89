import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { ConnectionPool } from '../connection/pool.js';
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { loadInventory, type Inventory } from '../inventory/inventory.js';
import { loadPlaybook } from '../playbook/load.js';
import type { Item, Play, Playbook, Task } from '../playbook/types.js';
import type { HostStats, Reporter } from '../report/events.js';
import { renderValue } from '../template/render.js';
import type { PlayContext } from './context.js';
import { checkItems } from './validate.js';
import type { ResumeState, RunOptions } from './options.js';
import { runPlay } from './play.js';
import { newHostState, type HostState } from './state.js';
import { countResult } from '../report/stats.js';
import type { RunChanges } from './result-keys.js';
import type { Vars } from '../types.js';

/** Load every playbook and the inventory, validating all of it before any host is contacted. */
export async function prepareRun(opts: RunOptions, warn: (m: string) => void): Promise<{ playbooks: Playbook[]; inventory: Inventory }> {
  const playbooks = opts.playbooks.map((p) => loadPlaybook(p, { extraVars: opts.extraVars }));
  for (const pb of playbooks) {
    pb.warnings.forEach(warn);
    for (const play of pb.plays) {
      const guardItems = play.guard ? [...play.guard.setup, ...play.guard.precheck, ...play.guard.teardown] : [];
      checkItems(play, [...play.preTasks, ...play.tasks, ...play.postTasks, ...play.handlers, ...guardItems], play.handlers, opts.errorOnMissingHandler !== false);
    }
  }
  const warnings: string[] = [];
  const inventory = await loadInventory(opts.inventory, { playbookDirs: playbookDirs(playbooks), warnings });
  warnings.forEach(warn);
  return { playbooks, inventory };
}

/** The plays' directories: their group_vars/host_vars apply too (read at start and by refresh_inventory). */
function playbookDirs(playbooks: Playbook[]): string[] {
  return [...new Set(playbooks.flatMap((p) => p.plays.map((pl) => pl.dir)))];
}


export function allTasks(items: Item[]): Task[] {
  return items.flatMap((i) => (i.kind === 'task' ? [i] : allTasks([...i.block, ...i.rescue, ...i.always])));
}

/** The hosts a play targets: its pattern, narrowed by --limit. */
export function playHosts(inventory: Inventory, play: Play, opts: RunOptions, warn: (m: string) => void): string[] {
  const pattern = Array.isArray(play.hosts) ? play.hosts.map((h) => String(renderValue(h, opts.extraVars, play.where))) : String(renderValue(play.hosts, opts.extraVars, play.where));
  const warnings: string[] = [];
  const hosts = inventory.select(pattern, warnings, opts.limit);
  warnings.forEach(warn);
  return hosts;
}

export interface RunOutcome {
  exitCode: ExitCodeValue;
  stats: Record<string, HostStats>;
  stoppedBy?: string;
}

/** Run loaded playbooks; every event goes to `emit`. */
export async function executeRun(opts: RunOptions, playbooks: Playbook[], inventory: Inventory, report: Reporter, signal: AbortSignal, kill: AbortSignal = signal): Promise<RunOutcome> {
  // Every command in flight listens to these two (one listener each, removed when it ends): with
  // --forks 25 that is more than EventTarget's default of 10, which is no leak.
  setMaxListeners(0, signal, kill);
  const emit: Reporter = (e) => {
    if (e.kind === 'host-result') {
      countResult(state(e.host).stats, e);
      // as Ansible's recap: a host is listed once something was counted for it (not an include_role's own ok)
      if (!e.uncounted && e.okCount !== 0) processed.add(e.host);
    }
    report(e);
  };
  const states = new Map<string, HostState>();
  const processed = new Set<string>();
  const state = (h: string) => {
    let s = states.get(h);
    if (!s) states.set(h, (s = newHostState(h)));
    return s;
  };
  const pool = new ConnectionPool();
  const forks = pLimit(Math.max(1, opts.forks));
  const stop: PlayContext['stop'] = {};
  const startAt = { name: opts.startAtTask, reached: opts.startAtTask === undefined };
  emit({ kind: 'run-start', playbooks: opts.playbooks, check: opts.check, time: new Date().toISOString() });
  let groups = inventory.groupsMap();
  // add_host and group_by change the inventory for the rest of the run (later plays' patterns, groups).
  // Each is kept, as Ansible's inventory manager keeps them (_cached_dynamic_hosts/_grouping), to be
  // applied again after a refresh_inventory: the added hosts first, then the groupings, each in order.
  const addedHosts: (() => boolean)[] = [];
  const groupings: (() => boolean)[] = [];
  const dynamic = (kept: (() => boolean)[], change: () => boolean): boolean => {
    kept.push(change);
    return change() ? ((groups = inventory.groupsMap()), true) : false;
  };
  const changes: RunChanges = {
    addHost: (name, g, vars) => dynamic(addedHosts, () => inventory.addDynamicHost(name, g, vars)),
    addGroup: (host, g, parents) => dynamic(groupings, () => inventory.addDynamicGroup(host, g, parents)),
    refreshInventory: async () => {
      const warnings: string[] = [];
      inventory.replaceWith(await loadInventory(opts.inventory, { playbookDirs: playbookDirs(playbooks), warnings }));
      warnings.forEach((m) => emit({ kind: 'warning', message: m }));
      // a grouping whose host the sources no longer have is passed by (addDynamicGroup: false), as Ansible
      for (const change of [...addedHosts, ...groupings]) change();
      groups = inventory.groupsMap();
    },
    customStats: new Map<string, Vars>(),
  };
  /** Hosts some play targeted (resume restores their facts once). */
  const played = new Set<string>();
  const restored = new Set<string>();
  // --resume: registered values and set_facts of every host come back, also of hosts that finished (hostvars).
  const restore = (h: string, resume: ResumeState): void => {
    Object.assign(state(h).hostFacts, resume.hostFacts(h));
    Object.assign(state(h).includeVars, resume.includeVars(h));
    resume.hidden(h).forEach((n) => state(h).hidden.add(n));
    resume.templated?.(h).forEach((n) => state(h).templatedFacts.add(n));
    restored.add(h);
  };
  for (const h of opts.resume ? inventory.hosts.keys() : []) restore(h, opts.resume!);
  let playIndex = 0;
  try {
    for (const pb of playbooks) {
      for (const play of pb.plays) {
        if (stop.run || signal.aborted) break;
        const hosts = playHosts(inventory, play, opts, (m) => emit({ kind: 'warning', message: m }))
          .filter((h) => !state(h).failed)
          .filter((h) => !opts.resume?.finishedPlay(h, playIndex));
        emit({ kind: 'play-start', index: playIndex, name: play.name, hosts, time: new Date().toISOString() });
        if (hosts.length === 0) {
          emit({ kind: 'no-hosts', play: play.name });
          playIndex++;
          continue;
        }
        for (const h of hosts) {
          played.add(h);
          if (opts.resume && !restored.has(h)) restore(h, opts.resume);
        }
        stop.play = false;
        const ctx: PlayContext = {
          play,
          opts,
          emit,
          pool,
          forks,
          signal,
          kill,
          stop,
          extraVars: opts.extraVars,
          check: opts.check,
          handlers: play.handlers,
          batch: [],
          lastFailure: new Map(),
          startAt,
          inventoryVars: (h) => (inventory.hosts.has(h) ? inventory.hostVars(h) : h === 'localhost' ? { ansible_connection: 'local' } : {}),
          state,
          groups: () => groups,
          groupNames: (h) => (inventory.hosts.has(h) ? inventory.groupNames(h) : []),
          allHosts: () => [...inventory.hosts.keys()],
          playHosts: () => hosts.filter((h) => !state(h).failed),
          playHostsAll: () => hosts,
          runTags: opts.tags,
          publicRoles: [],
          skipTags: opts.skipTags,
          batchHosts: () => ctx.batch.filter((h) => !state(h).failed),
          hostExists: (h) => inventory.hosts.has(h),
          hostSignal: () => kill,
          changes,
          playIndex,
        };
        await runPlay(ctx, playIndex, hosts);
        if (stop.afterPlay) stop.run ??= stop.afterPlay;
        emit({ kind: 'play-end', index: playIndex, time: new Date().toISOString() });
        playIndex++;
      }
    }
  } finally {
    await pool.closeAll();
  }
  // An interrupt is the reason, whatever its effects set meanwhile ("all hosts of batch 1 failed").
  if (signal.aborted) stop.run = signal.reason instanceof Error && !/^SIG[A-Z]+: stopping$/.test(signal.reason.message) ? `interrupted (${signal.reason.message})` : 'interrupted';
  if (stop.run) emit({ kind: 'stopped', reason: stop.run });
  const stats: Record<string, HostStats> = {};
  // The recap lists the hosts that had a result, as Ansible's does.
  for (const h of processed) stats[h] = state(h).stats;
  const customStats = changes.customStats.size > 0 ? Object.fromEntries(changes.customStats) : undefined;
  emit({ kind: 'recap', stats, time: new Date().toISOString(), ...(customStats ? { customStats } : {}) });
  let exitCode: ExitCodeValue = ExitCode.ok;
  if (signal.aborted) exitCode = ExitCode.interrupted;
  else if (Object.values(stats).some((s) => s.unreachable > 0)) exitCode = ExitCode.unreachableOrParse;
  // a host whose errors a meta: clear_host_errors cleared does not fail the run (as Ansible's failed-hosts list)
  else if (Object.entries(stats).some(([h, s]) => s.failures > 0 && !state(h).errorsCleared) || [...states.values()].some((s) => s.failed) || stop.afterPlay) exitCode = ExitCode.hostFailed;
  return { exitCode, stats, stoppedBy: stop.run };
}
