import { ParseError } from '../../errors.js';
import type { ExecResult } from '../../connection/types.js';
import { accountProbeCommand, findGroup, homeProbeCommand, parseAccountProbe, parsePasswdLine, type AccountFacts } from '../../facts/accounts.js';
import { quote, quoteArgv } from '../../util/quote.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import { defaultFinish } from '../../executor/apply.js';
import type { ModuleDef, Outcome, Plan, Step } from '../types.js';

/** ansible.builtin.user on Linux with shadow-utils (useradd/usermod/userdel), as ansible-core 2.14 decides. */
export interface UserArgs {
  name: string;
  state: 'present' | 'absent';
  uid?: number;
  non_unique: boolean;
  group?: string;
  groups?: string[];
  append: boolean;
  comment?: string;
  home?: string;
  shell?: string;
  password?: string;
  update_password: 'always' | 'on_create';
  password_lock?: boolean;
  create_home: boolean;
  move_home: boolean;
  skeleton?: string;
  system: boolean;
  force: boolean;
  remove: boolean;
  expires?: number;
}

const specs: ArgSpecs = {
  name: { type: 'str', required: true, aliases: ['user'] },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  uid: { type: 'int' },
  non_unique: { type: 'bool', default: false },
  group: { type: 'str' },
  groups: { type: 'list', elements: 'str' },
  append: { type: 'bool', default: false },
  comment: { type: 'str' },
  home: { type: 'path' },
  shell: { type: 'str' },
  password: { type: 'str' },
  update_password: { type: 'str', default: 'always', choices: ['always', 'on_create'] },
  password_lock: { type: 'bool' },
  create_home: { type: 'bool', default: true, aliases: ['createhome'] },
  move_home: { type: 'bool', default: false },
  skeleton: { type: 'str' },
  system: { type: 'bool', default: false },
  force: { type: 'bool', default: false },
  remove: { type: 'bool', default: false },
  expires: { type: 'float' },
};

/** useradd/usermod take the expiry as a date (YYYY-MM-DD, UTC), an empty string to clear it. */
function expiryDate(epochSeconds: number): string {
  return new Date(Math.floor(epochSeconds) * 1000).toISOString().slice(0, 10);
}

/** Fails like Ansible when a named group is missing; returns the message or undefined. */
function missingGroup(args: UserArgs, facts: AccountFacts): string | undefined {
  if (args.group !== undefined && !findGroup(facts.groups, args.group)) return `Group ${args.group} does not exist`;
  for (const g of args.groups ?? []) if (g !== '' && !findGroup(facts.groups, g)) return `Group ${g} does not exist`;
  return undefined;
}

function wantedGroups(args: UserArgs): string[] {
  return [...new Set((args.groups ?? []).map((g) => g.trim()).filter(Boolean))];
}

export function useraddArgv(args: UserArgs, facts: AccountFacts): string[] {
  const cmd = ['useradd'];
  if (args.uid !== undefined) cmd.push('-u', String(args.uid), ...(args.non_unique ? ['-o'] : []));
  if (args.group !== undefined) cmd.push('-g', args.group);
  // A group named like the user already exists: -N, or useradd (USERGROUPS_ENAB) fails creating it.
  else if (facts.groups.some((g) => g.name === args.name)) cmd.push('-N');
  const groups = wantedGroups(args);
  if (groups.length > 0) cmd.push('-G', groups.join(','));
  if (args.comment !== undefined) cmd.push('-c', args.comment);
  if (args.home !== undefined) cmd.push('-d', args.home);
  if (args.shell !== undefined) cmd.push('-s', args.shell);
  if (args.expires !== undefined) cmd.push('-e', args.expires < 0 ? '' : expiryDate(args.expires));
  if (args.password !== undefined) cmd.push('-p', args.password_lock ? `!${args.password}` : args.password);
  if (args.create_home) {
    cmd.push('-m');
    if (args.skeleton !== undefined) cmd.push('-k', args.skeleton);
  } else cmd.push('-M');
  if (args.system) cmd.push('-r');
  cmd.push(args.name);
  return cmd;
}

/** usermod's options for what differs; just ['usermod'] when nothing does. */
export function usermodArgv(args: UserArgs, facts: AccountFacts): string[] {
  const user = facts.user!;
  const cmd = ['usermod'];
  if (args.uid !== undefined && user.uid !== args.uid) cmd.push('-u', String(args.uid), ...(args.non_unique ? ['-o'] : []));
  if (args.group !== undefined) {
    const g = findGroup(facts.groups, args.group)!;
    if (user.gid !== g.gid) cmd.push('-g', String(g.gid));
  }
  if (args.groups !== undefined) {
    const current = facts.groups.filter((g) => g.members.includes(args.name)).map((g) => g.name);
    const wanted = wantedGroups(args);
    let modify = false;
    if (wanted.length === 0) modify = current.length > 0 && !args.append;
    else {
      const diff = new Set([...current.filter((g) => !wanted.includes(g)), ...wanted.filter((g) => !current.includes(g))]);
      if (args.append) {
        if (wanted.some((g) => diff.has(g))) {
          cmd.push('-a');
          modify = true;
        }
      } else modify = diff.size > 0;
    }
    if (modify) cmd.push('-G', wanted.join(','));
  }
  if (args.comment !== undefined && user.comment !== args.comment) cmd.push('-c', args.comment);
  if (args.home !== undefined && user.home !== args.home) cmd.push('-d', args.home, ...(args.move_home ? ['-m'] : []));
  if (args.shell !== undefined && user.shell !== args.shell) cmd.push('-s', args.shell);
  if (args.expires !== undefined) {
    if (args.expires < 0) {
      if (facts.expires >= 0) cmd.push('-e', '');
    } else if (facts.expires < 0 || expiryDate(facts.expires * 86400) !== expiryDate(args.expires)) {
      cmd.push('-e', expiryDate(args.expires));
    }
  }
  const locked = facts.password.startsWith('!');
  let lock: string | undefined;
  if (args.password_lock === true && !locked) lock = '-L';
  else if (args.password_lock === false && locked) lock = '-U';
  if (args.update_password === 'always' && args.password !== undefined && facts.password.replace(/^!+/, '') !== args.password.replace(/^!+/, '')) {
    cmd.push('-p', args.password_lock ? `!${args.password}` : args.password);
  } else if (lock) cmd.push(lock);
  if (cmd.length > 1) cmd.push(args.name);
  return cmd;
}

/** Ansible's result fields for a present user, from its passwd entry. */
function presentFields(args: UserArgs, entry: { uid: number; gid: number; comment: string; home: string; shell: string }): Record<string, unknown> {
  const r: Record<string, unknown> = { uid: entry.uid, group: entry.gid, comment: entry.comment, home: entry.home, shell: entry.shell };
  if (args.groups !== undefined) r.groups = args.groups.join(',');
  return r;
}

/** Decide from what the host reports. Pure: tests feed it facts. */
export function planUser(args: UserArgs, facts: AccountFacts): Plan {
  const result: Record<string, unknown> = { name: args.name, state: args.state };
  const steps: Step[] = [];
  if (args.state === 'absent') {
    if (!facts.user) return { steps, result };
    steps.push({ cmd: quoteArgv(['userdel', ...(args.force ? ['-f'] : []), ...(args.remove ? ['-r'] : []), args.name]) });
    return { steps, result: { ...result, force: args.force, remove: args.remove }, finish: failWithStderr(args.name) };
  }
  const missing = missingGroup(args, facts);
  if (missing) return { steps, failed: true, msg: missing };
  if (args.password !== undefined) result.password = 'NOT_LOGGING_PASSWORD';
  if (!facts.user) {
    if (args.home !== undefined && args.create_home) {
      // useradd -m creates only the last component; Ansible creates the parents first.
      const parent = args.home.replace(/\/[^/]*\/?$/, '') || '/';
      steps.push({ cmd: `mkdir -p -- ${quote(parent)}` });
    }
    steps.push({ cmd: quoteArgv(useraddArgv(args, facts)) });
    Object.assign(result, { system: args.system, create_home: args.create_home });
  } else {
    const mod = usermodArgv(args, facts);
    if (mod.length > 1) steps.push({ cmd: quoteArgv(mod) });
    Object.assign(result, { append: args.append, move_home: args.move_home }, presentFields(args, facts.user));
    // A missing home is created (with the skeleton) when create_home, as Ansible does after the fact.
    const home = args.home ?? facts.user.home;
    if (args.create_home && facts.homeExists === false && !(args.home !== undefined && args.home !== facts.user.home && args.move_home)) {
      const skel = args.skeleton ?? '/etc/skel';
      steps.push({
        cmd: `mkdir -p -- ${quote(home)} && if [ -d ${quote(skel)} ]; then cp -a ${quote(skel)}/. ${quote(home)}; fi && chown -R -- ${quote(`${args.uid ?? facts.user.uid}:`)}"$(id -g -- ${quote(args.name)} 2>/dev/null || echo ${facts.user.gid})" ${quote(home)}`,
      });
    }
  }
  if (steps.length === 0) return { steps, result };
  const changing = steps.length;
  steps.push({ cmd: `getent passwd -- ${quote(args.name)}` });
  return {
    steps,
    changed: true,
    result,
    finish: (results, base) => {
      if (results.length < steps.length || results.some((r) => r.rc !== 0)) return failWithStderr(args.name)(results, base);
      const entry = parsePasswdLine(results[changing]!.stdout.trim());
      return entry ? { ...base, ...presentFields(args, entry) } : base;
    },
  };
}

/** Ansible reports a failed useradd/usermod/userdel with its stderr as `msg`. */
function failWithStderr(name: string) {
  return (results: ExecResult[], base: Outcome): Outcome => {
    const bad = results.find((r) => r.rc !== 0 || r.timedOut);
    if (!bad) return base;
    return { ...defaultFinish([bad], base), name, msg: bad.stderr.trim() || bad.stdout.trim() || `rc ${bad.rc}` };
  };
}

export const userModule: ModuleDef<UserArgs> = {
  targetPaths: ['home'],
  name: 'user',
  parse(raw, where, loadTime) {
    const args = parseArgs<UserArgs>('user', specs, raw, where, loadTime);
    if (!loadTime && args.name.trim() === '') throw new ParseError("user: argument 'name' must not be empty", where);
    return args;
  },
  async plan(args, ctx) {
    const r = await ctx.probe(accountProbeCommand(args.name));
    if (r.rc !== 0) return { steps: [], failed: true, msg: `reading the account database failed: ${r.stderr.trim()}` };
    const facts = parseAccountProbe(r.stdout);
    if (facts.user && args.state === 'present' && args.create_home) {
      const h = await ctx.probe(homeProbeCommand(args.home ?? facts.user.home));
      facts.homeExists = parseAccountProbe(h.stdout).homeExists;
    }
    return planUser(args, facts);
  },
};
