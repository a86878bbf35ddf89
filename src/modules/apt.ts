import { ParseError } from '../errors.js';
import type { ExecResult } from '../connection/types.js';
import { aptSummary, parseDpkgQuery, parsePolicy, simulatedChanges, splitSpec, versionMatches, type AptPackage } from '../facts/apt.js';
import type { Predicted, Prediction } from '../facts/predicted.js';
import { quote } from '../util/quote.js';
import { exclusive, parseArgs, type ArgSpecs } from './args.js';
import type { ModuleContext, ModuleDef, Outcome, Plan, Step } from './types.js';

export interface AptArgs {
  name?: string[];
  state: 'present' | 'latest' | 'absent' | 'build-dep' | 'fixed';
  update_cache?: boolean;
  update_cache_retries: number;
  update_cache_retry_max_delay: number;
  cache_valid_time: number;
  purge: boolean;
  deb?: string;
  default_release?: string;
  install_recommends?: boolean;
  force: boolean;
  upgrade: 'no' | 'yes' | 'safe' | 'full' | 'dist';
  dpkg_options: string;
  autoremove: boolean;
  autoclean: boolean;
  fail_on_autoremove: boolean;
  only_upgrade: boolean;
  force_apt_get: boolean;
  clean: boolean;
  allow_unauthenticated: boolean;
  allow_downgrade: boolean;
  allow_change_held_packages: boolean;
  lock_timeout: number;
}

export const aptSpecs: ArgSpecs = {
  name: { type: 'list', elements: 'str', aliases: ['package', 'pkg'] },
  state: { type: 'str', default: 'present', choices: ['absent', 'build-dep', 'fixed', 'latest', 'present'] },
  update_cache: { type: 'bool', aliases: ['update-cache'] },
  update_cache_retries: { type: 'int', default: 5 },
  update_cache_retry_max_delay: { type: 'int', default: 12 },
  cache_valid_time: { type: 'int', default: 0 },
  purge: { type: 'bool', default: false },
  deb: { type: 'path' },
  default_release: { type: 'str', aliases: ['default-release'] },
  install_recommends: { type: 'bool', aliases: ['install-recommends'] },
  force: { type: 'bool', default: false },
  upgrade: { type: 'str', default: 'no', choices: ['dist', 'full', 'no', 'safe', 'yes'] },
  dpkg_options: { type: 'str', default: 'force-confdef,force-confold' },
  autoremove: { type: 'bool', default: false },
  autoclean: { type: 'bool', default: false },
  fail_on_autoremove: { type: 'bool', default: false },
  only_upgrade: { type: 'bool', default: false },
  force_apt_get: { type: 'bool', default: false },
  clean: { type: 'bool', default: false },
  allow_unauthenticated: { type: 'bool', default: false, aliases: ['allow-unauthenticated'] },
  allow_downgrade: { type: 'bool', default: false, aliases: ['allow-downgrade', 'allow_downgrades', 'allow-downgrades'] },
  allow_change_held_packages: { type: 'bool', default: false },
  lock_timeout: { type: 'int', default: 60 },
};

/** The .deb a `deb:` argument names, as read on the target. */
export interface DebFacts {
  package: string;
  version: string;
  arch: string;
  installed: string;
  /** The file's version is older than the installed one (dpkg --compare-versions). */
  older: boolean;
  error?: string;
}

export interface AptFacts {
  apt: boolean;
  /** mtime of update-success-stamp (or of /var/lib/apt/lists), seconds since the epoch; 0 when unknown. */
  stamp: number;
  now: number;
  packages: AptPackage[];
  deb?: DebFacts;
  /** Output of the `apt-get -s …` simulations (upgrade, autoremove, autoclean, build-dep, fixed). */
  simulated: Record<string, { rc: number; out: string }>;
}

const isUrl = (s: string) => s.includes('://');
const ENV = 'DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical LC_ALL=C';
const STAMP =
  'if [ -e /var/lib/apt/periodic/update-success-stamp ]; then stat -c %Y /var/lib/apt/periodic/update-success-stamp; ' +
  'elif [ -e /var/lib/apt/lists ]; then stat -c %Y /var/lib/apt/lists; else echo 0; fi';
const DPKG_QUERY = `dpkg-query -W -f='\${db:Status-Abbrev}\\t\${Version}\\n'`;

/** Packages named in the task, `*` left out (it means "upgrade all" with state latest). */
const packagesOf = (args: AptArgs) => (args.name ?? []).map((p) => p.trim()).filter((p) => p !== '*');

function dpkgOptions(opts: string): string[] {
  return opts
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
    .flatMap((o) => ['-o', quote(`Dpkg::Options::=--${o}`)]);
}

/** apt-get's flags from the task, as Ansible's apt builds them. */
function aptGet(args: AptArgs, verb: string, opts: { install?: boolean; simulate?: boolean } = {}): string {
  const w = [ENV, 'apt-get', '-y', '-o', `DPkg::Lock::Timeout=${args.lock_timeout}`, ...dpkgOptions(args.dpkg_options)];
  if (args.force) w.push('--force-yes');
  if (args.fail_on_autoremove) w.push('--no-remove');
  if (opts.install && args.only_upgrade) w.push('--only-upgrade');
  if (args.allow_unauthenticated) w.push('--allow-unauthenticated');
  if (args.allow_downgrade) w.push('--allow-downgrades');
  if (opts.install && args.allow_change_held_packages) w.push('--allow-change-held-packages');
  if (opts.install && args.install_recommends === false) w.push('-o', 'APT::Install-Recommends=no');
  if (opts.install && args.install_recommends === true) w.push('-o', 'APT::Install-Recommends=yes');
  if (args.default_release) w.push('-t', quote(args.default_release));
  if (opts.simulate) w.push('-s');
  w.push(verb);
  return w.join(' ');
}

function upgradeVerb(args: AptArgs, mode: string): string {
  const auto = args.autoremove ? ' --auto-remove' : '';
  return mode === 'dist' || mode === 'full' ? `dist-upgrade${auto}` : `upgrade --with-new-pkgs${auto}`;
}

/** The simulations a task needs: what apt-get would do, read without changing anything. */
function simulations(args: AptArgs): Record<string, string> {
  const sims: Record<string, string> = {};
  const pkgs = packagesOf(args).map((p) => quote(p)).join(' ');
  if (args.upgrade !== 'no') sims.upgrade = aptGet(args, upgradeVerb(args, args.upgrade), { simulate: true });
  else if (args.state === 'latest' && (args.name ?? []).includes('*')) sims.upgrade = aptGet(args, upgradeVerb(args, 'yes'), { simulate: true });
  if (packagesOf(args).length === 0 && !args.deb) {
    if (args.autoremove) sims.autoremove = aptGet(args, `${args.purge ? '--purge ' : ''}autoremove`, { simulate: true });
    if (args.autoclean) sims.autoclean = aptGet(args, 'autoclean', { simulate: true });
  }
  if (args.state === 'build-dep' && pkgs) sims['build-dep'] = aptGet(args, `build-dep ${pkgs}`, { simulate: true });
  if (args.state === 'fixed') sims.fixed = aptGet(args, `--fix-broken install ${pkgs}`.trim(), { simulate: true, install: true });
  return sims;
}

/** Read the host's state in one round trip; sections start with `@` lines. */
export function aptProbeCommand(args: AptArgs): string {
  const lines = ['export LC_ALL=C', 'command -v apt-get >/dev/null 2>&1 || { echo "@no-apt"; exit 0; }', `echo "@stamp $(${STAMP})"`, 'echo "@now $(date +%s)"'];
  const rel = args.default_release ? ` -o APT::Default-Release=${quote(args.default_release)}` : '';
  packagesOf(args).forEach((spec, i) => {
    const q = quote(splitSpec(spec).name);
    lines.push(`echo "@pkg ${i}"`, `${DPKG_QUERY} -- ${q} 2>/dev/null`);
    if (args.state !== 'absent') lines.push('echo "@policy"', `apt-cache${rel} policy -- ${q} 2>/dev/null`);
  });
  if (args.deb) {
    const fetch = isUrl(args.deb)
      ? `f=$(mktemp) || exit 1; trap 'rm -f "$f"' EXIT; ` +
        `{ if command -v curl >/dev/null 2>&1; then curl -fsSL -o "$f" ${quote(args.deb)}; else wget -q -O "$f" ${quote(args.deb)}; fi; } 2>&1 || echo "@download-failed"`
      : `f=${quote(args.deb)}`;
    lines.push(
      'echo "@deb"',
      fetch,
      'if [ ! -f "$f" ]; then echo "@missing"; else dpkg-deb -f "$f" Package Version Architecture 2>&1; ' +
        'p=$(dpkg-deb -f "$f" Package 2>/dev/null); v=$(dpkg-deb -f "$f" Version 2>/dev/null); ' +
        `i=$(${DPKG_QUERY} -- "$p" 2>/dev/null); echo "@installed"; printf '%s\\n' "$i"; ` +
        `iv=$(printf '%s\\n' "$i" | awk -F'\\t' '$1 ~ /^.i/ {print $2}'); ` +
        '[ -n "$iv" ] && dpkg --compare-versions "$v" lt "$iv" && echo "@older"; fi',
    );
  }
  for (const [key, cmd] of Object.entries(simulations(args))) lines.push(`echo "@sim ${key}"`, `${cmd} 2>&1; echo "@rc $?"`);
  return lines.join('\n') + '\ntrue';
}

export function parseAptProbe(args: AptArgs, stdout: string): AptFacts {
  const facts: AptFacts = { apt: true, stamp: 0, now: 0, packages: [], simulated: {} };
  const sections = new Map<string, string[]>();
  let current = 'head';
  for (const line of stdout.split('\n')) {
    if (line === '@no-apt') facts.apt = false;
    else if (line.startsWith('@stamp ')) facts.stamp = Number(line.slice(7)) || 0;
    else if (line.startsWith('@now ')) facts.now = Number(line.slice(5)) || 0;
    else if (/^@(pkg \d+|deb|sim \S+)$/.test(line)) current = line.slice(1);
    else if (line === '@policy' || line === '@installed') current = `${current.split(' ', 2).join(' ')} ${line.slice(1)}`;
    else (sections.get(current) ?? sections.set(current, []).get(current)!).push(line);
  }
  const text = (k: string) => (sections.get(k) ?? []).join('\n');
  packagesOf(args).forEach((spec, i) => {
    const { name, version } = splitSpec(spec);
    const dpkg = parseDpkgQuery(text(`pkg ${i}`));
    const policy = parsePolicy(text(`pkg ${i} policy`));
    facts.packages.push({ spec, name, version, ...dpkg, ...policy });
  });
  if (args.deb) {
    const head = text('deb');
    const field = (f: string) => new RegExp(`^${f}:\\s*(.*)$`, 'm').exec(head)?.[1]?.trim() ?? '';
    const deb: DebFacts = { package: field('Package'), version: field('Version'), arch: field('Architecture'), installed: '', older: false };
    const inst = text('deb installed').split('\n').filter((l) => l !== '@older');
    deb.installed = parseDpkgQuery(inst.join('\n')).installed;
    deb.older = text('deb installed').split('\n').includes('@older');
    if (head.includes('@download-failed')) deb.error = `Failure downloading ${args.deb}: ${head.replace('@download-failed', '').trim()}`;
    else if (head.trim().startsWith('@missing')) deb.error = `Unable to install package: ${args.deb} does not exist`;
    else if (!deb.package || !deb.version) deb.error = `Unable to install package: ${args.deb} is not a Debian package: ${head.trim().split('\n').pop() ?? ''}`;
    facts.deb = deb;
  }
  for (const key of Object.keys(simulations(args))) {
    const lines = sections.get(`sim ${key}`) ?? [];
    const rc = lines.find((l) => l.startsWith('@rc '));
    facts.simulated[key] = { rc: rc ? Number(rc.slice(4)) : 1, out: lines.filter((l) => l !== rc).join('\n') };
  }
  return facts;
}

/**
 * Under --check: the facts as they would be after the earlier tasks of the host (`Predicted`): a package
 * an earlier task would install is installed (at the version it would get), one it would remove is not
 * (its configuration files kept unless it would be purged: a later purge then reports changed).
 */
export function predictedAptFacts(facts: AptFacts, predicted: Predicted | undefined): AptFacts {
  if (!predicted) return facts;
  const packages = facts.packages.map((p): AptPackage => {
    const x = predicted.package('dpkg', p.name);
    if (!x) return p;
    if (!x.present) return { ...p, installed: '', configOnly: x.configKept ?? (p.configOnly || p.installed !== '') };
    return { ...p, installed: x.version ?? (p.candidate || p.installed || 'unknown'), configOnly: false };
  });
  let deb = facts.deb;
  const x = deb && predicted.package('dpkg', deb.package);
  if (deb && x) deb = { ...deb, installed: x.present ? (x.version ?? deb.installed) : '', older: false };
  return { ...facts, packages, ...(deb ? { deb } : {}) };
}

/** A step that changes packages; `known` is whether planning already knows it changes something. */
interface AptStep extends Step {
  kind: 'update' | 'packages' | 'stamp';
  known: boolean;
}

/** Decide the apt-get commands from the facts. Pure: tests feed facts directly. */
export function planApt(args: AptArgs, facts: AptFacts, check: boolean): Plan {
  const fail = (msg: string, extra: Record<string, unknown> = {}): Plan => ({ steps: [], failed: true, msg, result: extra });
  if (!facts.apt) return fail('apt-get was not found on the target (apt works on Debian-family hosts)');
  const steps: AptStep[] = [];
  const result: Record<string, unknown> = { cache_updated: false, cache_update_time: facts.stamp };
  // For the later tasks under --check: the packages this one would install or remove.
  const creates: Prediction[] = [];
  const predict = (name: string, present: boolean, version?: string) =>
    creates.push({ kind: 'package', manager: 'dpkg', name, present, ...(version ? { version } : {}), ...(present ? {} : { configKept: !args.purge }) });

  const cacheDue = (args.update_cache === true || args.cache_valid_time > 0) && !(facts.stamp + args.cache_valid_time >= facts.now);
  if (cacheDue) {
    const wait = (i: number) => Math.min(2 ** i, args.update_cache_retry_max_delay);
    const tries = Math.max(1, args.update_cache_retries);
    const loop = Array.from({ length: tries }, (_, i) => i)
      .map((i) => `${ENV} apt-get -o DPkg::Lock::Timeout=${args.lock_timeout} update && exit 0${i < tries - 1 ? `; sleep ${wait(i)}` : ''}`)
      .join('; ');
    steps.push({ cmd: `${loop}; exit 1`, kind: 'update', known: true });
    result.cache_updated = true;
  }
  const packages = packagesOf(args);
  const somethingElse = packages.length > 0 || args.upgrade !== 'no' || args.deb !== undefined;
  const onlyCache = !somethingElse && !args.autoremove && !args.autoclean && !args.clean;
  // After a cache update the candidates may differ from what we read: a real run lets apt-get decide.
  const afterUpdate = cacheDue && !check;
  const changes = (sim: string) => {
    const s = facts.simulated[sim];
    if (!s) return false;
    if (s.rc !== 0) throw new SimulationFailed(sim, s.out);
    return sim === 'autoclean' ? /^Del /m.test(s.out) : simulatedChanges(s.out).length > 0;
  };
  try {
    if (args.clean) steps.push({ cmd: `${ENV} apt-get clean`, kind: 'packages', known: true });
    if (args.upgrade !== 'no' || (args.state === 'latest' && (args.name ?? []).includes('*'))) {
      if (args.state === 'latest' && (args.name ?? []).includes('*') && packages.length > 0) {
        return fail('unable to install additional packages when upgrading all installed packages');
      }
      const mode = args.upgrade === 'no' ? 'yes' : args.upgrade;
      if (changes('upgrade') || afterUpdate) steps.push({ cmd: aptGet(args, upgradeVerb(args, mode)), kind: 'packages', known: changes('upgrade') });
    }
    if (args.deb) {
      if (args.state !== 'present') return fail('deb only supports state=present');
      const deb = facts.deb!;
      if (deb.error) return fail(deb.error);
      if (deb.older && !args.allow_downgrade && !args.force) {
        return fail(`${deb.package} ${deb.installed} is installed and ${args.deb} holds the older ${deb.version}: set allow_downgrade: true to downgrade`);
      }
      if (deb.installed !== deb.version || args.force) {
        // A .deb is installed whatever version is there (dpkg -i semantics); the older-file check is above.
        const install = (file: string) => `${aptGet(args, 'install', { install: true })}${args.allow_downgrade ? '' : ' --allow-downgrades'} ${file}`;
        const cmd = isUrl(args.deb)
          ? `f=$(mktemp -d) || exit 1; trap 'rm -rf "$f"' EXIT; ` +
            `if command -v curl >/dev/null 2>&1; then curl -fsSL -o "$f/p.deb" ${quote(args.deb)}; else wget -q -O "$f/p.deb" ${quote(args.deb)}; fi || exit 1; ` +
            install('"$f/p.deb"')
          : install(quote(args.deb.startsWith('/') ? args.deb : `./${args.deb}`));
        steps.push({ cmd, kind: 'packages', known: true });
        predict(deb.package, true, deb.version);
        result.before = { [deb.package]: deb.installed || null };
        result.after = { [deb.package]: deb.version };
      }
    }
    if (packages.length > 0 && packages.some((p) => (p.match(/=/g) ?? []).length > 1)) {
      return fail(`invalid package spec: ${packages.find((p) => (p.match(/=/g) ?? []).length > 1)}`);
    }
    if (args.state === 'absent') {
      const remove = facts.packages.filter((p) => p.installed !== '' || (args.purge && p.configOnly)).map((p) => p.name);
      for (const name of remove) predict(name, false);
      if (remove.length) {
        const verb = `${args.purge ? '--purge ' : ''}${args.autoremove ? '--auto-remove ' : ''}remove`;
        steps.push({ cmd: `${aptGet(args, verb)} ${remove.map((p) => quote(p)).join(' ')}`, kind: 'packages', known: true });
      }
    } else if (args.state === 'build-dep') {
      if (packages.length && (changes('build-dep') || afterUpdate)) {
        steps.push({ cmd: aptGet(args, `build-dep ${packages.map((p) => quote(p)).join(' ')}`), kind: 'packages', known: changes('build-dep') });
      }
    } else if (args.state === 'fixed') {
      if (changes('fixed') || afterUpdate) {
        steps.push({ cmd: aptGet(args, `--fix-broken install ${packages.map((p) => quote(p)).join(' ')}`.trim(), { install: true }), kind: 'packages', known: changes('fixed') });
      }
    } else if (packages.length > 0) {
      const install: string[] = [];
      let known = false;
      for (const p of facts.packages) {
        if (args.only_upgrade && p.installed === '') continue;
        if (p.version !== undefined) {
          if (p.installed !== '' && versionMatches(p.version, p.installed)) continue;
          const avail = p.versions.filter((v) => versionMatches(p.version!, v));
          if (avail.length === 0 && !afterUpdate) return fail(`no available installation candidate for ${p.spec}`);
          // apt-get takes an exact version: the first (highest-priority) match of a wildcard.
          install.push(avail.length && p.version.includes('*') ? `${p.name}=${avail[0]}` : p.spec);
          predict(p.name, true, avail[0] ?? (/[*?]/.test(p.version) ? undefined : p.version));
          known = true;
          continue;
        }
        if (p.installed === '') {
          if (!p.candidate && !afterUpdate) return fail(`No package matching '${p.name}' is available`);
          install.push(p.name);
          predict(p.name, true, p.candidate || undefined);
          known = true;
        } else if (args.state === 'latest') {
          if (p.candidate && p.candidate !== p.installed) (install.push(p.name), predict(p.name, true, p.candidate), (known = true));
          else if (afterUpdate) install.push(p.name);
        }
      }
      if (install.length) {
        const verb = `${args.autoremove ? '--auto-remove ' : ''}install`;
        steps.push({ cmd: `${aptGet(args, verb, { install: true })} ${install.map((p) => quote(p)).join(' ')}`, kind: 'packages', known });
      }
    } else {
      if (args.autoremove && changes('autoremove')) steps.push({ cmd: aptGet(args, `${args.purge ? '--purge ' : ''}autoremove`), kind: 'packages', known: true });
      if (args.autoclean && changes('autoclean')) steps.push({ cmd: aptGet(args, 'autoclean'), kind: 'packages', known: true });
    }
  } catch (err) {
    if (err instanceof SimulationFailed) return fail(`'apt-get -s ${err.sim}' failed: ${err.out.trim().split('\n').filter((l) => /^E:/.test(l)).join(' ') || err.out.trim()}`);
    throw err;
  }
  const work = steps.filter((s) => s.kind === 'packages');
  if (work.length === 0 && !onlyCache) {
    // Nothing to change: the cache update (if any) alone does not make the task changed, as in Ansible.
    if (!cacheDue) return { steps: [], result };
  }
  if (cacheDue && !check) steps.push({ cmd: `echo "@stamp $(${STAMP})"`, kind: 'stamp', known: false });
  const changed = onlyCache ? cacheDue : work.some((s) => s.known);
  return { steps, changed, result, ...(creates.length ? { creates } : {}), finish: (results, base) => finishApt(results, base, steps, onlyCache) };
}

class SimulationFailed extends Error {
  constructor(
    readonly sim: string,
    readonly out: string,
  ) {
    super(sim);
  }
}

/** After a real run: failures name the command (as Ansible does); "changed" comes from what apt-get printed. */
function finishApt(results: ExecResult[], base: Outcome, steps: AptStep[], onlyCache: boolean): Outcome {
  const out: Outcome = { ...base };
  let changed = onlyCache && results.length > 0;
  results.forEach((r, i) => {
    const step = steps[i]!;
    if (step.kind === 'stamp') {
      const m = /@stamp (\d+)/.exec(r.stdout);
      if (m) out.cache_update_time = Number(m[1]);
      return;
    }
    if (step.kind === 'update') return;
    out.stdout = r.stdout;
    out.stderr = r.stderr;
    const summary = aptSummary(r.stdout);
    if (summary ? summary.upgraded + summary.installed + summary.removed > 0 : step.known) changed = true;
  });
  const failedAt = results.findIndex((r) => r.rc !== 0 || r.timedOut || r.aborted);
  if (failedAt >= 0) {
    const r = results[failedAt]!;
    const step = steps[failedAt]!;
    const what = step.kind === 'update' ? 'Failed to update apt cache' : `'${step.cmd.replace(`${ENV} `, '')}' failed`;
    const err = r.stderr.split('\n').filter((l) => /^E:/.test(l)).join('\n') || r.stderr.trim() || r.stdout.trim().split('\n').pop();
    return { ...out, changed, failed: true, rc: r.rc, stdout: r.stdout, stderr: r.stderr, msg: `${what}: ${err ?? ''}` };
  }
  return { ...out, changed };
}

export const aptModule: ModuleDef<AptArgs> = {
  targetPaths: ['deb'],
  name: 'apt',
  parse(raw, where, loadTime) {
    // `upgrade: yes` is a YAML boolean; Ansible maps booleans onto the yes/no choices.
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      const r = raw as Record<string, unknown>;
      if (typeof r.upgrade === 'boolean') raw = { ...r, upgrade: r.upgrade ? 'yes' : 'no' };
    }
    const args = parseArgs<AptArgs>('apt', aptSpecs, raw, where, loadTime);
    const given = (k: keyof AptArgs) => args[k] !== undefined && !(k === 'upgrade' && args.upgrade === 'no');
    const excl = (['deb', 'name', 'upgrade'] as const).filter(given);
    if (excl.length > 1) throw new ParseError(`apt: arguments ${excl.map((k) => `'${k}'`).join(' and ')} are mutually exclusive`, where);
    const rawKeys = Object.keys((raw ?? {}) as object);
    const named = (k: string) => rawKeys.some((r) => r === k || (aptSpecs[k]!.aliases ?? []).includes(r));
    if (!(['autoremove', 'deb', 'name', 'update_cache'] as const).some(named) && !given('upgrade')) {
      if (!args.clean && !args.autoclean && args.cache_valid_time === 0) {
        throw new ParseError("apt: one of 'name', 'deb', 'upgrade', 'update_cache', 'autoremove' is required", where);
      }
    }
    exclusive('apt', args as unknown as Record<string, unknown>, ['deb', 'name'], where, false);
    return args;
  },
  async plan(args, ctx: ModuleContext) {
    const r = await ctx.probe(aptProbeCommand(args));
    if (r.rc !== 0) return { steps: [], failed: true, msg: `probing apt failed: ${r.stderr.trim() || r.stdout.trim()}` };
    return planApt(args, predictedAptFacts(parseAptProbe(args, r.stdout), ctx.predicted), ctx.check);
  },
};
