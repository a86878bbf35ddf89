import { ParseError } from '../errors.js';
import type { ExecResult } from '../connection/types.js';
import { compareEvr, formatEvr, newest, parseEvr, parseRpmLines, RPM_QF, rpmQueryCommand, type RpmInfo } from '../facts/rpm.js';
import type { Predicted, Prediction } from '../facts/predicted.js';
import { hostPkgMgr } from '../facts/pkg-mgr.js';
import { quote } from '../util/quote.js';
import { parseArgs, type ArgSpecs } from './args.js';
import type { ModuleContext, ModuleDef, Outcome, Plan, Step } from './types.js';

export interface PackageArgs {
  name: string[];
  state: 'present' | 'installed' | 'latest' | 'absent' | 'removed';
  allow_downgrade: boolean;
  update_only: boolean;
  disable_gpg_check: boolean;
  update_cache: boolean;
  exclude: string[];
  enablerepo: string[];
  disablerepo: string[];
  security: boolean;
  bugfix: boolean;
}

export const yumSpecs: ArgSpecs = {
  name: { type: 'list', elements: 'str', default: [], aliases: ['pkg'] },
  state: { type: 'str', default: 'present', choices: ['present', 'installed', 'latest', 'absent', 'removed'] },
  allow_downgrade: { type: 'bool', default: false },
  update_only: { type: 'bool', default: false },
  disable_gpg_check: { type: 'bool', default: false },
  update_cache: { type: 'bool', default: false, aliases: ['expire-cache'] },
  exclude: { type: 'list', elements: 'str', default: [] },
  enablerepo: { type: 'list', elements: 'str', default: [] },
  disablerepo: { type: 'list', elements: 'str', default: [] },
  security: { type: 'bool', default: false },
  bugfix: { type: 'bool', default: false },
};

const yumOnlySpecs: ArgSpecs = { ...yumSpecs, use_backend: { type: 'str', default: 'auto', choices: ['auto', 'yum', 'yum4', 'dnf'] } };

/** Options every yum/dnf call of the task takes: repositories (disable first, as Ansible orders them), excludes. */
export function repoOptions(args: Pick<PackageArgs, 'disablerepo' | 'enablerepo' | 'exclude'>): string[] {
  const opts: string[] = [];
  if (args.disablerepo.length) opts.push(quote(`--disablerepo=${args.disablerepo.join(',')}`));
  if (args.enablerepo.length) opts.push(quote(`--enablerepo=${args.enablerepo.join(',')}`));
  if (args.exclude.length) opts.push(quote(`--exclude=${args.exclude.join(',')}`));
  return opts;
}

/** --security / --bugfix: only updates of that kind (state latest, name '*'). */
function advisoryOptions(args: PackageArgs): string[] {
  return [...(args.security ? ['--security'] : []), ...(args.bugfix ? ['--bugfix'] : [])];
}

/** What the probe learned about one `name` entry. */
export interface ItemFacts {
  spec: string;
  /** A local `.rpm` file on the target (as opposed to a package name resolved by the repositories). */
  isFile: boolean;
  /** The file's header (isFile only). */
  header?: RpmInfo;
  /** The file is missing or not an RPM: rpm's message. */
  fileError?: string;
  installed: RpmInfo[];
}

export interface PackageFacts {
  /** "dnf" or "yum", whichever the host has (dnf first, as on RHEL 8), or undefined. */
  pm?: string;
  rpm: boolean;
  items: ItemFacts[];
  /** `check-update` lines (state latest): package name → newest available version. */
  updates: Map<string, RpmInfo>;
  updatesError?: string;
  /** Every installed package (only probed for `name: '*'`). */
  allInstalled?: RpmInfo[];
}

const isFileSpec = (s: string) => s.endsWith('.rpm') || s.includes('/');

/**
 * One read-only round trip: which package manager, every entry's installed versions, each `.rpm` file's
 * header, and (for state latest) what the repositories would update. Sections are marked with `@` lines.
 */
export function probeCommand(args: PackageArgs): string {
  const lines = [
    'pm=$(command -v dnf 2>/dev/null || command -v yum 2>/dev/null); echo "@pm ${pm##*/}"',
    'command -v rpm >/dev/null 2>&1 && echo "@rpm-ok"',
  ];
  // Refreshing the metadata changes no package; Ansible does it in check mode too, so the plan sees fresh data.
  if (args.update_cache) lines.push(`[ -n "$pm" ] && "$pm" -q ${[...repoOptions(args), 'makecache'].join(' ')} >/dev/null 2>&1`);
  args.name.forEach((spec, i) => {
    if (spec === '*') return;
    lines.push(`echo "@item ${i}"`);
    if (isFileSpec(spec)) {
      const q = quote(spec);
      lines.push(
        `if [ -f ${q} ]; then rpm -qp --qf ${quote(RPM_QF)} -- ${q} 2>&1; ` +
          `n=$(rpm -qp --qf '%{NAME}' -- ${q} 2>/dev/null) && { echo "@installed"; rpm -q --qf ${quote(RPM_QF)} -- "$n" 2>/dev/null; }; ` +
          `else echo "@missing"; fi`,
      );
    } else {
      lines.push(`echo "@installed"; ${rpmQueryCommand([spec])}`);
    }
  });
  if (args.state === 'latest') {
    const names = args.name.filter((s) => s !== '*' && !isFileSpec(s));
    const all = args.name.includes('*');
    if (all) lines.push(`echo "@all"; rpm -qa --qf ${quote(RPM_QF)}`);
    if (all || names.length > 0) {
      const which = all ? '' : ` -- ${names.map((n) => quote(n)).join(' ')}`;
      const opts = [...repoOptions(args), ...advisoryOptions(args)].map((o) => ` ${o}`).join('');
      lines.push(`echo "@updates"; [ -n "$pm" ] && { "$pm" -q${opts} check-update${which} 2>&1; echo "@rc $?"; }`);
    }
  }
  return lines.join('\n') + '\ntrue';
}

/** Parse what `probeCommand` printed. */
export function parseProbe(args: PackageArgs, stdout: string): PackageFacts {
  const facts: PackageFacts = { rpm: false, items: [], updates: new Map() };
  const sections = new Map<string, string[]>();
  let current = 'head';
  for (const line of stdout.split('\n')) {
    if (line.startsWith('@pm')) facts.pm = line.slice(3).trim() || undefined;
    else if (line === '@rpm-ok') facts.rpm = true;
    else if (/^@(item \d+|updates|all)$/.test(line)) current = line.slice(1);
    else if (line === '@installed') current += ' installed';
    else (sections.get(current) ?? sections.set(current, []).get(current)!).push(line);
  }
  args.name.forEach((spec, i) => {
    if (spec === '*') return;
    const head = (sections.get(`item ${i}`) ?? []).join('\n');
    const item: ItemFacts = { spec, isFile: isFileSpec(spec), installed: parseRpmLines((sections.get(`item ${i} installed`) ?? []).join('\n')) };
    if (item.isFile) {
      item.header = parseRpmLines(head)[0];
      if (head.trim() === '@missing') item.fileError = `No RPM file found at ${spec}`;
      else if (!item.header) item.fileError = `${spec} is not a readable RPM package: ${head.trim().split('\n').pop() ?? ''}`;
    }
    facts.items.push(item);
  });
  if (sections.has('all')) facts.allInstalled = parseRpmLines(sections.get('all')!.join('\n'));
  const upd = sections.get('updates') ?? [];
  const rc = upd.find((l) => l.startsWith('@rc '));
  if (rc && rc !== '@rc 0' && rc !== '@rc 100') facts.updatesError = upd.filter((l) => l.trim() && l !== rc).join('\n').trim();
  for (const line of upd) {
    const m = /^(\S+)\.([A-Za-z0-9_]+)\s+(\S+)\s+\S+\s*$/.exec(line);
    if (!m) continue;
    const evr = parseEvr(m[3]!);
    const known = facts.updates.get(m[1]!);
    if (!known || compareEvr(evr, known) > 0) facts.updates.set(m[1]!, { name: m[1]!, arch: m[2]!, ...evr });
  }
  return facts;
}

type Versions = Record<string, string | null>;

/** What the plan says when it cannot know the version the repositories will give. */
const LATEST = 'latest available';

/**
 * Under --check: the facts as they would be after the earlier tasks of the host (`Predicted`), so a
 * package an earlier task would install is seen as installed, and one it would remove as missing.
 */
export function predictedPackageFacts(facts: PackageFacts, predicted: Predicted | undefined): PackageFacts {
  if (!predicted) return facts;
  const items = facts.items.map((item): ItemFacts => {
    const name = item.header?.name ?? item.installed[0]?.name ?? item.spec;
    const p = predicted.package('rpm', name);
    if (!p) return item;
    if (!p.present) return { ...item, installed: [] };
    const arch = item.header?.arch ?? item.installed[0]?.arch ?? '';
    return { ...item, installed: [{ name, arch, ...parseEvr(p.version ?? LATEST) }] };
  });
  return { ...facts, items };
}

/** Decide the yum/dnf commands from the facts. Pure: the tests feed it facts directly. */
export function planPackages(args: PackageArgs, facts: PackageFacts): Plan {
  const fail = (msg: string): Plan => ({ steps: [], failed: true, msg });
  if (!facts.rpm) return fail('rpm is not installed on the target');
  if (!facts.pm) return fail('neither dnf nor yum was found on the target');
  if (facts.updatesError) return fail(`${facts.pm} check-update failed: ${facts.updatesError}`);
  const absent = args.state === 'absent' || args.state === 'removed';
  const before: Versions = {};
  const after: Versions = {};
  const install: string[] = [];
  const update: string[] = [];
  const downgrade: string[] = [];
  const remove: string[] = [];
  for (const item of facts.items) {
    if (item.fileError) return fail(item.fileError);
    const name = item.header?.name ?? item.installed[0]?.name ?? item.spec;
    const cur = newest(item.installed);
    const curText = cur ? formatEvr(cur) : null;
    before[name] = curText;
    after[name] = curText;
    if (absent) {
      if (cur) (remove.push(name), (after[name] = null));
      continue;
    }
    if (item.header) {
      const cmp = cur ? compareEvr(item.header, cur) : 1;
      if (cmp === 0 || (!cur && args.update_only)) continue;
      if (cmp < 0 && !args.allow_downgrade) {
        return fail(
          `${name} ${curText} is installed and ${item.spec} holds the older ${formatEvr(item.header)}: set allow_downgrade: true to downgrade`,
        );
      }
      (cmp < 0 ? downgrade : install).push(item.spec);
      after[name] = formatEvr(item.header);
      continue;
    }
    if (!cur) {
      if (args.update_only) continue;
      install.push(item.spec);
      const avail = facts.updates.get(item.spec);
      after[name] = avail ? formatEvr(avail) : LATEST;
    } else if (args.state === 'latest') {
      const avail = facts.updates.get(name);
      if (avail && compareEvr(avail, cur) > 0) (update.push(item.spec), (after[name] = formatEvr(avail)));
    }
  }
  const updateAll = args.state === 'latest' && args.name.includes('*') && facts.updates.size > 0;
  if (updateAll) {
    const installed = facts.allInstalled ?? [];
    for (const [n, v] of facts.updates) {
      const cur = newest(installed.filter((p) => p.name === n));
      before[n] = cur ? formatEvr(cur) : null;
      after[n] = formatEvr(v);
    }
  }

  const pm = (verb: string, items: string[]) =>
    [
      facts.pm!,
      '-y',
      ...(args.disable_gpg_check && verb !== 'remove' ? ['--nogpgcheck'] : []),
      ...repoOptions(verb === 'remove' ? { ...args, exclude: [] } : args),
      ...(verb === 'update' ? advisoryOptions(args) : []),
      verb,
    ].join(' ') +
    (items.length ? ` -- ${items.map((s) => quote(s)).join(' ')}` : '');
  const steps: Step[] = [];
  if (remove.length) steps.push({ cmd: pm('remove', remove) });
  if (install.length) steps.push({ cmd: pm('install', install) });
  if (update.length || updateAll) steps.push({ cmd: pm('update', updateAll ? [] : update) });
  if (downgrade.length) steps.push({ cmd: pm('downgrade', downgrade) });
  const names = Object.keys(after);
  if (steps.length > 0) steps.push({ cmd: `${rpmQueryCommand(names)}; true` });
  // For the later tasks under --check: what this one would install or remove.
  const creates: Prediction[] = names
    .filter((n) => steps.length > 0 && after[n] !== before[n])
    .map((n) => ({ kind: 'package', manager: 'rpm', name: n, present: after[n] !== null, ...(after[n] && after[n] !== LATEST ? { version: after[n] } : {}) }));
  return {
    steps,
    result: { before, after, pm: facts.pm },
    ...(creates.length ? { creates } : {}),
    finish: steps.length > 0 ? (results, base) => finishPackages(results, base, steps, names) : undefined,
  };
}

/** After a real run, `after` comes from rpm itself (the last step), not from the plan. */
function finishPackages(results: ExecResult[], base: Outcome, steps: Step[], names: string[]): Outcome {
  const output = results.slice(0, -1).map((r) => r.stdout).join('');
  const failedAt = results.findIndex((r) => r.rc !== 0 || r.timedOut || r.aborted);
  if (failedAt >= 0 || results.length < steps.length) {
    const r = results[failedAt] ?? results[results.length - 1]!;
    // yum/dnf's "Error: …" (to the end: a package name may span lines), else the last line it printed.
    const err = r.stderr.trim();
    const at = err.search(/^Error\b/m);
    const msg = at >= 0 ? err.slice(at) : err.split('\n').pop();
    return { ...base, failed: true, rc: r.rc, stdout: output, stderr: r.stderr, msg: msg || `${steps[failedAt]?.cmd} failed` };
  }
  const after: Versions = Object.fromEntries(names.map((n) => [n, null]));
  for (const p of parseRpmLines(results[results.length - 1]!.stdout)) {
    const known = after[p.name];
    if (!known || compareEvr(p, parseEvr(known)) > 0) after[p.name] = formatEvr(p);
  }
  return { ...base, after, stdout: output };
}

function parseRpm<A extends PackageArgs>(specs: ArgSpecs, raw: unknown, where: Parameters<ModuleDef['parse']>[1], loadTime: boolean): A {
  const args = parseArgs<A>('package', specs, raw, where, loadTime);
  if (!loadTime && args.name.length === 0 && !args.update_cache) throw new ParseError("package: one of 'name', 'update_cache' is required", where);
  if (!loadTime && args.name.some((n) => n.trim() === '')) throw new ParseError("package: argument 'name' has an empty entry", where);
  if (args.name.includes('*') && !loadTime && args.state !== 'latest') {
    throw new ParseError("package: name '*' is only valid with state: latest", where);
  }
  return args;
}

async function planRpm(args: PackageArgs, ctx: ModuleContext): Promise<Plan> {
  const r = await ctx.probe(probeCommand(args));
  if (r.rc !== 0) return { steps: [], failed: true, msg: `probing packages failed: ${r.stderr.trim() || r.stdout.trim()}` };
  const plan = planPackages(args, predictedPackageFacts(parseProbe(args, r.stdout), ctx.predicted));
  if (args.name.length === 0 && !plan.failed) plan.msg = 'Cache updated';
  return plan;
}

/** `dnf`: yum/dnf on the target, whatever its pkg_mgr. */
export const dnfModule: ModuleDef<PackageArgs> = {
  name: 'dnf',
  parse: (raw, where, loadTime) => parseRpm(yumSpecs, raw, where, loadTime),
  plan: planRpm,
};

const YUM_BACKENDS = ['yum', 'yum4', 'dnf'];

/**
 * `yum`: as Ansible's yum action, `use_backend: auto` takes the host's pkg_mgr and refuses a host whose
 * manager is not yum or dnf (an apt host with a stray yum binary), with Ansible's message.
 */
export const yumModule: ModuleDef<PackageArgs & { use_backend: string }> = {
  name: 'yum',
  parse: (raw, where, loadTime) => parseRpm(yumOnlySpecs, raw, where, loadTime),
  async plan(args, ctx) {
    const pkgMgr = args.use_backend === 'auto' ? await hostPkgMgr(ctx) : args.use_backend;
    if (!YUM_BACKENDS.includes(pkgMgr)) {
      // Ansible's result: the pkg_mgr its setup call found, and its message as the tuple (a list) it is
      return {
        steps: [],
        failed: true,
        result: {
          ...(pkgMgr !== 'auto' ? { ansible_facts: { pkg_mgr: pkgMgr } } : {}),
          msg: [
            'Could not detect which major revision of yum is in use, which is required to determine module backend.',
            'You should manually specify use_backend to tell the module whether to use the yum (yum3) or dnf (yum4) backend})',
          ],
        },
      };
    }
    return planRpm(args, ctx);
  },
};
