import { ParseError, type Source } from '../errors.js';
import type { ExecResult } from '../connection/types.js';
import { isEnabled, isRunning, parseShow, parseUnitProbe, unitProbeCommand, unitShowCommand, type UnitFacts } from '../facts/unit.js';
import { quote } from '../util/quote.js';
import { parseArgs, unrendered, type ArgSpecs } from './args.js';
import type { ModuleContext, ModuleDef, Outcome, Plan, Step } from './types.js';

export interface ServiceArgs {
  /** Optional only for `daemon_reload`/`daemon_reexec` alone (the systemd module). */
  name?: string;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean;
  daemon_reload: boolean;
  daemon_reexec: boolean;
  sleep?: number;
  pattern?: string;
  runlevel?: string;
  arguments?: string;
  use?: string;
}

const specs: ArgSpecs = {
  name: { type: 'str', aliases: ['service', 'unit'] },
  state: { type: 'str', choices: ['started', 'stopped', 'restarted', 'reloaded'] },
  enabled: { type: 'bool' },
  daemon_reload: { type: 'bool', default: false, aliases: ['daemon-reload'] },
  daemon_reexec: { type: 'bool', default: false, aliases: ['daemon-reexec'] },
  // The service module's options that its systemd backend does not use: Ansible ignores them with a warning.
  sleep: { type: 'int' },
  pattern: { type: 'str' },
  runlevel: { type: 'str' },
  arguments: { type: 'str', aliases: ['args'] },
  // Ansible's service action plugin picks the backend module by `use` (`auto`: from the service manager fact).
  use: { type: 'str' },
};

/** The `use` values tsplay can honour: its one backend is systemd, which `auto` and the generic `service` reach too. */
const SYSTEMD_BACKENDS = new Set(['auto', 'systemd', 'service']);

/** `use: sysvinit` and the like name a backend tsplay lacks: refused rather than silently managed through systemd. */
function checkBackend(use: string, where: Source): void {
  const short = use.trim().toLowerCase().replace(/^ansible\.(builtin|legacy)\./, '');
  if (!SYSTEMD_BACKENDS.has(short)) {
    throw new ParseError(`service: use '${use}' is not supported: tsplay manages services through systemd (use: auto, systemd or service)`, where);
  }
}

/** Accepted for Ansible's `service`, unused by systemd (Ansible's service action plugin: UNUSED_PARAMS). */
const UNUSED_BY_SYSTEMD = ['sleep', 'pattern', 'runlevel', 'arguments'] as const;

/** `systemd: daemon_reload: true` without a unit: reload (and/or re-exec) the manager; never "changed", as Ansible. */
export function planDaemonOnly(args: ServiceArgs): Plan {
  const steps: Step[] = [];
  if (args.daemon_reload) steps.push({ cmd: 'systemctl daemon-reload' });
  if (args.daemon_reexec) steps.push({ cmd: 'systemctl daemon-reexec' });
  return { steps, changed: false };
}

/** The unit's state after the steps would have run, as `show` would report it. */
function predictedStatus(facts: UnitFacts, running: boolean, enabled: string): Record<string, string> {
  return {
    ...facts.status,
    ActiveState: running ? 'active' : 'inactive',
    SubState: running ? 'running' : 'dead',
    UnitFileState: enabled,
  };
}

/** Decide the systemctl commands from the unit's state. Pure: tests feed it facts directly. */
export function planService(args: ServiceArgs, facts: UnitFacts): Plan {
  const name = args.name!;
  if (facts.missing && (args.state !== undefined || args.enabled !== undefined)) {
    return { steps: [], failed: true, msg: `Could not find the requested service ${name}: ${facts.missing}` };
  }
  const q = quote(name);
  const steps: Step[] = [];
  const running = isRunning(facts.active);
  let willRun = running;
  let enabled = facts.enabled;
  if (args.daemon_reload) steps.push({ cmd: 'systemctl daemon-reload' });
  if (args.daemon_reexec) steps.push({ cmd: 'systemctl daemon-reexec' });
  const changing = steps.length;
  if (args.enabled === true && !isEnabled(facts.enabled)) {
    steps.push({ cmd: `systemctl enable -- ${q}` });
    enabled = 'enabled';
  } else if (args.enabled === false && (facts.enabled === 'enabled' || facts.enabled === 'enabled-runtime')) {
    steps.push({ cmd: `systemctl disable -- ${q}` });
    enabled = 'disabled';
  }
  switch (args.state) {
    case 'started':
      if (!running) steps.push({ cmd: `systemctl start -- ${q}` });
      willRun = true;
      break;
    case 'stopped':
      if (running) steps.push({ cmd: `systemctl stop -- ${q}` });
      willRun = false;
      break;
    case 'restarted':
      steps.push({ cmd: `systemctl restart -- ${q}` });
      willRun = true;
      break;
    case 'reloaded':
      // As Ansible: a stopped unit is started rather than reloaded.
      steps.push({ cmd: `systemctl ${running ? 'reload' : 'start'} -- ${q}` });
      willRun = true;
      break;
  }
  // daemon-reload alone does not count as a change (as in Ansible); it still runs outside check mode.
  const changed = steps.length > changing;
  if (steps.length > 0) steps.push({ cmd: `${unitShowCommand(name)}; echo "@is-enabled=$(systemctl is-enabled -- ${q} 2>/dev/null)"` });
  const result: Record<string, unknown> = {
    name,
    state: willRun ? 'started' : 'stopped',
    enabled: isEnabled(enabled),
    status: predictedStatus(facts, willRun, enabled),
  };
  if (facts.missing) result.status = facts.status;
  return {
    steps,
    changed,
    result,
    finish: steps.length > 0 ? (results, base) => finishService(results, base, steps) : undefined,
  };
}

/** After a real run the returned status is read back from systemctl (the last step). */
function finishService(results: ExecResult[], base: Outcome, steps: Step[]): Outcome {
  const bad = results.findIndex((r) => r.rc !== 0 || r.timedOut || r.aborted);
  if (bad >= 0 || results.length < steps.length) {
    const r = results[bad] ?? results[results.length - 1]!;
    const msg = r.stderr.trim().split('\n').pop() || r.stdout.trim().split('\n').pop() || `${steps[bad]?.cmd} failed with rc ${r.rc}`;
    return { ...base, failed: true, rc: r.rc, stdout: r.stdout, stderr: r.stderr, msg };
  }
  const last = results[results.length - 1]!.stdout;
  const status = parseShow(last);
  const enabledLine = last.split('\n').find((l) => l.startsWith('@is-enabled='));
  const enabled = enabledLine ? enabledLine.slice('@is-enabled='.length).trim() : '';
  return { ...base, status, state: isRunning(status.ActiveState ?? '') ? 'started' : 'stopped', enabled: isEnabled(enabled) };
}

async function planUnit(args: ServiceArgs, ctx: ModuleContext): Promise<Plan> {
  if (args.name === undefined) return planDaemonOnly(args);
  const r = await ctx.probe(unitProbeCommand(args.name));
  if (r.rc !== 0) return { steps: [], failed: true, msg: `probing unit ${args.name} failed: ${r.stderr.trim() || r.stdout.trim()}` };
  return planService(args, parseUnitProbe(r.stdout));
}

export const serviceModule: ModuleDef<ServiceArgs> = {
  name: 'service',
  aliases: ['systemd', 'systemd_service'],
  parse(raw, where, loadTime) {
    const args = parseArgs<ServiceArgs>('service', specs, raw, where, loadTime);
    if (args.use !== undefined && !unrendered(args.use, loadTime)) checkBackend(args.use, where);
    if (!loadTime && args.name !== undefined && args.name.trim() === '') throw new ParseError("service: argument 'name' must not be empty", where);
    if (args.state === undefined && args.enabled === undefined && !args.daemon_reload && !args.daemon_reexec && !loadTime) {
      throw new ParseError("service: one of 'state', 'enabled', 'daemon_reload' or 'daemon_reexec' is required", where);
    }
    if (!loadTime && args.name === undefined && (args.state !== undefined || args.enabled !== undefined)) {
      throw new ParseError(`service: missing required argument 'name' (needed by '${args.state !== undefined ? 'state' : 'enabled'}')`, where);
    }
    return args;
  },
  async plan(args: ServiceArgs, ctx: ModuleContext) {
    const plan = await planUnit(args, ctx);
    const unused = UNUSED_BY_SYSTEMD.filter((k) => args[k] !== undefined);
    if (unused.length > 0) plan.result = { ...plan.result, warnings: unused.map((k) => `Ignoring "${k}" as it is not used in "systemd"`) };
    return plan;
  },
};
