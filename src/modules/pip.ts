import { ParseError } from '../errors.js';
import { quote } from '../util/quote.js';
import { parseArgs, type ArgSpecs } from './args.js';
import type { ModuleDef, Outcome, Plan, Step } from './types.js';

export interface PipArgs {
  name?: string[];
  version?: string;
  requirements?: string;
  virtualenv?: string;
  virtualenv_site_packages: boolean;
  virtualenv_command: string;
  virtualenv_python?: string;
  state: 'present' | 'absent' | 'latest' | 'forcereinstall';
  extra_args?: string;
  editable: boolean;
  chdir?: string;
  executable?: string;
  umask?: string;
}

const specs: ArgSpecs = {
  name: { type: 'list', elements: 'str' },
  version: { type: 'str' },
  requirements: { type: 'str' },
  virtualenv: { type: 'path', aliases: ['virtualenvs'] },
  virtualenv_site_packages: { type: 'bool', default: false },
  virtualenv_command: { type: 'path', default: 'virtualenv' },
  virtualenv_python: { type: 'str' },
  state: { type: 'str', default: 'present', choices: ['present', 'absent', 'latest', 'forcereinstall'] },
  extra_args: { type: 'str' },
  editable: { type: 'bool', default: false },
  chdir: { type: 'path' },
  executable: { type: 'path' },
  umask: { type: 'str' },
};

/** pip's own normalisation of a project name (PEP 503). */
export const canonical = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');

/** `pip freeze` lines → name → version. */
export function parseFreeze(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const x = /^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)/.exec(line.trim());
    if (x) m.set(canonical(x[1]!), x[2]!);
  }
  return m;
}

/** The pip command: the given executable, the virtualenv's pip, or pip3/pip on PATH (as Ansible looks). */
function pipCommand(args: PipArgs): string {
  if (args.executable) return quote(args.executable);
  if (args.virtualenv) return quote(`${args.virtualenv}/bin/pip`);
  return '"$(command -v pip3 || command -v pip)"';
}

/** The packages as pip takes them: `name` with `version` as `name==version`, as Ansible does for one name. */
function packageSpecs(args: PipArgs): string[] {
  const names = args.name ?? [];
  if (args.version && names.length === 1 && !/[<>=!~;]/.test(names[0]!)) return [`${names[0]}==${args.version}`];
  return names;
}

/** The words after `pip install`: upgrade/reinstall flags, the extra args (as written: they are pip options), packages, requirements. */
function installWords(args: PipArgs, dryRun: boolean): string {
  const w: string[] = [];
  if (dryRun) w.push('--dry-run');
  if (args.state === 'latest') w.push('-U');
  if (args.state === 'forcereinstall') w.push('-U', '--force-reinstall');
  if (args.extra_args) w.push(args.extra_args.split(/\s+/).filter(Boolean).map((a) => quote(a)).join(' '));
  for (const s of packageSpecs(args)) w.push(...(args.editable ? ['-e'] : []), quote(s));
  if (args.requirements) w.push('-r', quote(args.requirements));
  return w.join(' ');
}

const cd = (args: PipArgs) => (args.chdir ? `cd ${quote(args.chdir)} && ` : '');

export function pipProbe(args: PipArgs): string {
  const pip = pipCommand(args);
  const lines = [];
  if (args.virtualenv) lines.push(`[ -x ${quote(`${args.virtualenv}/bin/python`)} ] || { echo "@no-venv"; exit 0; }`);
  lines.push(`p=${pip}; [ -n "$p" ] && [ -x "$p" ] || { echo "@no-pip"; exit 0; }`);
  lines.push('echo "@freeze"', `"$p" freeze --all 2>/dev/null`);
  if (args.state !== 'absent') lines.push('echo "@dry"', `${cd(args)}PIP_DISABLE_PIP_VERSION_CHECK=1 "$p" install ${installWords(args, true)} 2>&1; echo "@rc $?"`);
  return lines.join('\n') + '\ntrue';
}

export interface PipFacts {
  venv: boolean;
  pip: boolean;
  freeze: Map<string, string>;
  /** `pip install --dry-run` said what it would install ("Would install a-1 b-2"), or failed. */
  wouldInstall?: string[];
  dryError?: string;
  /** This pip has no --dry-run (before 22.2): a real run decides from pip freeze before and after. */
  noDryRun: boolean;
}

export function parsePipProbe(stdout: string): PipFacts {
  const facts: PipFacts = { venv: !stdout.includes('@no-venv'), pip: !stdout.includes('@no-pip'), freeze: new Map(), noDryRun: false };
  const freeze = stdout.split('@freeze\n')[1]?.split('@dry')[0] ?? '';
  facts.freeze = parseFreeze(freeze);
  const dry = stdout.split('@dry\n')[1];
  if (dry !== undefined) {
    const rc = /@rc (\d+)/.exec(dry)?.[1];
    const text = dry.replace(/@rc \d+\s*$/, '').trim();
    if (/no such option: --dry-run/.test(text)) facts.noDryRun = true;
    else if (rc !== '0') facts.dryError = text.split('\n').filter((l) => /ERROR|error:/.test(l)).join('\n') || text;
    else facts.wouldInstall = (/^Would install (.*)$/m.exec(text)?.[1] ?? '').split(/\s+/).filter(Boolean);
  }
  return facts;
}

export function planPip(args: PipArgs, facts: PipFacts): Plan {
  const fail = (msg: string): Plan => ({ steps: [], failed: true, msg });
  const steps: Step[] = [];
  const umask = args.umask ? `umask ${quote(args.umask)} && ` : '';
  const result: Record<string, unknown> = { cmd: '', name: args.name ?? [], requirements: args.requirements ?? null, version: args.version ?? null, virtualenv: args.virtualenv ?? null, state: args.state };
  if (args.virtualenv && !facts.venv) {
    const v = [args.virtualenv_command.split(/\s+/).map((w) => quote(w)).join(' ')];
    if (args.virtualenv_site_packages) v.push('--system-site-packages');
    if (args.virtualenv_python && !/-m venv$/.test(args.virtualenv_command)) v.push('-p', quote(args.virtualenv_python));
    v.push(quote(args.virtualenv));
    steps.push({ cmd: `${umask}${cd(args)}${v.join(' ')}` });
  } else if (!facts.pip) {
    return fail(`Unable to find any of ${args.executable ?? (args.virtualenv ? `${args.virtualenv}/bin/pip` : 'pip3, pip')} to use. pip needs to be installed.`);
  }
  const pip = pipCommand(args);
  const env = 'PIP_DISABLE_PIP_VERSION_CHECK=1';
  if (args.state === 'absent') {
    const names = (args.name ?? []).map((n) => n.split(/[<>=!~;[ ]/)[0]!);
    const present = names.filter((n) => facts.freeze.has(canonical(n)));
    if (args.requirements && facts.venv) steps.push({ cmd: `${cd(args)}${env} ${pip} uninstall -y -r ${quote(args.requirements)}` });
    else if (present.length) steps.push({ cmd: `${cd(args)}${env} ${pip} uninstall -y ${present.map((n) => quote(n)).join(' ')}` });
  } else {
    const install = { cmd: `${umask}${cd(args)}${env} ${pip} install ${installWords(args, false)}` };
    result.cmd = install.cmd;
    if (!facts.venv || args.state === 'forcereinstall' || facts.noDryRun) steps.push(install);
    else if (facts.dryError) return fail(`pip cannot install ${[...packageSpecs(args), ...(args.requirements ? [`-r ${args.requirements}`] : [])].join(' ')}: ${facts.dryError}`);
    else if ((facts.wouldInstall ?? []).length) steps.push(install);
  }
  if (steps.length === 0) return { steps, result };
  const known = !(facts.noDryRun && facts.venv && args.state !== 'forcereinstall' && args.state !== 'absent');
  // Read pip freeze afterwards: with a pip that cannot dry-run, "changed" is whether it differs.
  steps.push({ cmd: `${pip} freeze --all 2>/dev/null; true` });
  return {
    steps,
    result,
    changed: known ? true : undefined,
    finish: (results, base): Outcome => {
      const failedAt = results.findIndex((r) => r.rc !== 0 || r.timedOut || r.aborted);
      if (failedAt >= 0) {
        const r = results[failedAt]!;
        return { ...base, failed: true, rc: r.rc, stdout: r.stdout, stderr: r.stderr, msg: `${failedAt === 0 && args.virtualenv && !facts.venv ? 'Failed to create the virtualenv' : 'pip failed'}: ${r.stderr.trim().split('\n').slice(-3).join('\n')}` };
      }
      const after = parseFreeze(results[results.length - 1]!.stdout);
      const changed = known || [...after].some(([k, v]) => facts.freeze.get(k) !== v) || after.size !== facts.freeze.size;
      return { ...base, changed, stdout: results.slice(0, -1).map((r) => r.stdout).join('') };
    },
  };
}

export const pipModule: ModuleDef<PipArgs> = {
  targetPaths: ['virtualenv', 'virtualenv_command', 'chdir', 'executable'],
  name: 'pip',
  parse(raw, where, loadTime) {
    const args = parseArgs<PipArgs>('pip', specs, raw, where, loadTime);
    if (!args.name && !args.requirements && !loadTime) throw new ParseError("pip: one of 'name', 'requirements' is required", where);
    if (args.name && args.requirements) throw new ParseError("pip: arguments 'name' and 'requirements' are mutually exclusive", where);
    if (args.virtualenv && args.executable) throw new ParseError("pip: arguments 'executable' and 'virtualenv' are mutually exclusive", where);
    if (args.version && (args.name?.length ?? 0) > 1) throw new ParseError("pip: 'version' is only allowed with one 'name'", where);
    return args;
  },
  async plan(args, ctx) {
    const r = await ctx.probe(pipProbe(args));
    return planPip(args, parsePipProbe(r.stdout));
  },
};
