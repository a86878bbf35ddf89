import type { ExecResult } from '../connection/types.js';
import { quote } from '../util/quote.js';

/**
 * An argument that is a path on the target (Ansible's `type: path`): its name, or `{ arg, when }` for one
 * that is a target path only when the boolean argument `when` is true (copy's `src` with `remote_src`;
 * without it the path is the controller's and is left alone).
 */
export type TargetPath = string | { arg: string; when: string };

/** Python's posixpath.expandvars pattern (ASCII `\w`, as `re.ASCII`). */
const VAR = /\$(\w+|\{[^}]*\})/g;

/** What expanduser/expandvars would change: a leading `~`, or any `$`. */
const expandable = (v: string) => v.startsWith('~') || v.includes('$');

/** The user named by a leading `~name` (`''` for a bare `~`); undefined when the value has no tilde prefix. */
function tildeUser(v: string): string | undefined {
  if (!v.startsWith('~')) return undefined;
  const slash = v.indexOf('/', 1);
  return v.slice(1, slash < 0 ? v.length : slash);
}

/** An environment variable name the shell can ask for (Python would find no other in os.environ). */
const askable = (name: string) => name !== '' && !name.startsWith('-') && !/[=\0]/.test(name);

/** What the target told: env values, home directories by user name (`''`: the running user's). */
interface Known {
  env: Map<string, string | undefined>;
  home: Map<string, string | undefined>;
}

/** One shell script answering every question in order, each answer `S<value>\0` (found) or `U\0`. */
function questions(vars: string[], users: string[]): string {
  const lines = [
    // printenv sees exported variables only, as Python's os.environ; the `.` keeps trailing newlines
    `_tsp_v() { if _x=$(printenv "$1" && echo .); then printf 'S%s\\0' "\${_x%??}"; else printf 'U\\0'; fi; }`,
    `_tsp_u() { if _x=$(getent passwd "$1"); then printf 'S%s\\0' "$_x"; else printf 'U\\0'; fi; }`,
    // bare ~: $HOME, else the passwd entry of the uid (Python's expanduser)
    `_tsp_h() { if _x=$(printenv HOME && echo .); then printf 'H%s\\0' "\${_x%??}"; elif _x=$(getent passwd "$(id -u)"); then printf 'S%s\\0' "$_x"; else printf 'U\\0'; fi; }`,
  ];
  for (const n of vars) lines.push(`_tsp_v ${quote(n)}`);
  for (const u of users) lines.push(u === '' ? '_tsp_h' : `_tsp_u ${quote(u)}`);
  return lines.join('\n');
}

async function ask(probe: (cmd: string) => Promise<ExecResult>, known: Known, vars: string[], users: string[]): Promise<void> {
  if (vars.length === 0 && users.length === 0) return;
  const r = await probe(questions(vars, users));
  const answers = r.rc === 0 ? r.stdout.split('\0') : [];
  vars.forEach((n, i) => {
    const a = answers[i];
    known.env.set(n, a?.startsWith('S') ? a.slice(1) : undefined);
  });
  users.forEach((u, i) => {
    const a = answers[vars.length + i];
    let home: string | undefined;
    if (a?.startsWith('H')) home = a.slice(1);
    else if (a?.startsWith('S')) {
      const f = a.slice(1).split('\n')[0]!.split(':');
      // getent takes a number for a uid; Python's getpwnam only a name
      if (u === '' || f[0] === u) home = f[5];
    }
    known.home.set(u, home);
  });
}

/** Python's os.path.expandvars with the target's environment: unknown variables stay as written. */
function expandVars(v: string, env: Known['env']): string {
  if (!v.includes('$')) return v;
  return v.replace(VAR, (whole, name: string) => {
    const n = name.startsWith('{') ? name.slice(1, -1) : name;
    return env.get(n) ?? whole;
  });
}

/** Python's os.path.expanduser with the target's passwd and $HOME: an unknown user leaves the path as written. */
function expandUser(v: string, home: Known['home']): string {
  const user = tildeUser(v);
  if (user === undefined) return v;
  const h = home.get(user);
  if (h === undefined) return v;
  return h.replace(/\/+$/, '') + v.slice(1 + user.length) || '/';
}

const varNames = (v: string) => [...v.matchAll(VAR)].map((m) => (m[1]!.startsWith('{') ? m[1]!.slice(1, -1) : m[1]!));

/**
 * `~`, `~user` and `$VAR` in the arguments a module declares as target paths, expanded as Ansible's
 * AnsibleModule does for every `type: path` option (`expanduser(expandvars(value))`) — on the target, as
 * the user the task runs as (become included), with the task's environment. One probe answers every
 * variable and home directory of the task, and only when a value has a leading `~` or a `$` (a second
 * one only for a `~$USER`-style prefix whose user a variable names). Returns new arguments; the
 * originals when nothing is to expand.
 */
export async function expandTargetPaths<A>(args: A, declared: readonly TargetPath[] | undefined, probe: (cmd: string) => Promise<ExecResult>): Promise<A> {
  if (!declared || declared.length === 0 || args === null || typeof args !== 'object') return args;
  const a = args as Record<string, unknown>;
  const keys = declared.filter((d) => typeof d === 'string' || a[d.when] === true).map((d) => (typeof d === 'string' ? d : d.arg));
  const values = keys.flatMap((k) => {
    const v = a[k];
    return typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((e): e is string => typeof e === 'string') : [];
  }).filter(expandable);
  if (values.length === 0) return args;

  const known: Known = { env: new Map(), home: new Map() };
  const vars = [...new Set(values.flatMap(varNames))];
  for (const n of vars) if (!askable(n)) known.env.set(n, undefined);
  // the users whose homes can be asked now: a tilde prefix that no variable writes
  const users = [...new Set(values.map(tildeUser).filter((u): u is string => u !== undefined && !u.includes('$')))];
  await ask(probe, known, vars.filter(askable), users);
  const late = [...new Set(values.map((v) => tildeUser(expandVars(v, known.env))).filter((u): u is string => u !== undefined && !known.home.has(u)))];
  await ask(probe, known, [], late);

  const expand = (v: string) => (expandable(v) ? expandUser(expandVars(v, known.env), known.home) : v);
  const out: Record<string, unknown> = { ...a };
  for (const k of keys) {
    const v = out[k];
    if (typeof v === 'string') out[k] = expand(v);
    else if (Array.isArray(v)) out[k] = v.map((e) => (typeof e === 'string' ? expand(e) : e));
  }
  return out as A;
}
