import { ParseError } from '../errors.js';
import type { ExecResult } from '../connection/types.js';
import { quote } from '../util/quote.js';
import { parseArgs, unrendered, type ArgSpecs } from './args.js';
import type { ModuleDef, Outcome, Plan, Step } from './types.js';

export interface GitArgs {
  repo: string;
  dest?: string;
  version: string;
  remote: string;
  refspec?: string;
  force: boolean;
  depth?: number;
  clone: boolean;
  update: boolean;
  accept_hostkey: boolean;
  accept_newhostkey: boolean;
  key_file?: string;
  ssh_opts?: string;
  executable?: string;
  bare: boolean;
  recursive: boolean;
  single_branch: boolean;
  umask?: string;
}

const specs: ArgSpecs = {
  repo: { type: 'str', required: true, aliases: ['name'] },
  dest: { type: 'path' },
  version: { type: 'str', default: 'HEAD' },
  remote: { type: 'str', default: 'origin' },
  refspec: { type: 'str' },
  force: { type: 'bool', default: false },
  depth: { type: 'int' },
  clone: { type: 'bool', default: true },
  update: { type: 'bool', default: true },
  accept_hostkey: { type: 'bool', default: false },
  accept_newhostkey: { type: 'bool', default: false },
  key_file: { type: 'path' },
  ssh_opts: { type: 'str' },
  executable: { type: 'path' },
  bare: { type: 'bool', default: false },
  recursive: { type: 'bool', default: true },
  single_branch: { type: 'bool', default: false },
  umask: { type: 'raw' },
};

export interface GitFacts {
  git: boolean;
  /** dest holds a repository (its config file exists), is absent/empty, or holds something else. */
  dest: 'repo' | 'absent' | 'other';
  head?: string;
  remoteUrl?: string;
  /** `git status --porcelain --untracked-files=no` lines: tracked files changed locally. */
  mods: string[];
  /** `git ls-remote` lines: ref → sha. */
  refs: Map<string, string>;
  lsRemoteError?: string;
}

const isSha = (v: string) => /^[0-9a-f]{7,40}$/i.test(v);

/** The environment every git command runs with: no prompts; ssh options as Ansible sets them. */
function gitEnv(args: GitArgs): string {
  const ssh: string[] = [];
  if (args.key_file) ssh.push('-i', args.key_file, '-o', 'IdentitiesOnly=yes');
  if (args.accept_hostkey) ssh.push('-o', 'StrictHostKeyChecking=no');
  if (args.accept_newhostkey) ssh.push('-o', 'StrictHostKeyChecking=accept-new');
  const env = ['GIT_TERMINAL_PROMPT=0'];
  if (ssh.length || args.ssh_opts) env.push(`GIT_SSH_COMMAND=${quote(['ssh', ...ssh.map((w) => quote(w)), args.ssh_opts ?? ''].join(' ').trim())}`);
  return env.join(' ');
}

const gitBin = (args: GitArgs) => quote(args.executable ?? 'git');
const gitDirOf = (args: GitArgs) => (args.bare ? args.dest! : `${args.dest}/.git`);

export function gitProbeCommand(args: GitArgs): string {
  const git = gitBin(args);
  const d = args.dest ? quote(args.dest) : '';
  const lines = [`command -v ${git} >/dev/null 2>&1 || { echo "@no-git"; exit 0; }`];
  if (args.dest) {
    lines.push(
      `if [ -f ${quote(`${gitDirOf(args)}/config`)} ]; then echo "@repo"; ` +
        `echo "@head $(${git} -C ${d} rev-parse HEAD 2>/dev/null)"; ` +
        `echo "@url $(${git} -C ${d} config --get ${quote(`remote.${args.remote}.url`)})"; ` +
        (args.bare ? '' : `echo "@mods"; ${git} -C ${d} status --porcelain --untracked-files=no 2>/dev/null; `) +
        `elif [ ! -e ${d} ] || [ -z "$(ls -A ${d} 2>/dev/null)" ]; then echo "@absent"; else echo "@other"; fi`,
    );
  }
  const v = args.version;
  const wanted = v === 'HEAD' ? ['HEAD'] : ['HEAD', `refs/heads/${v}`, `refs/tags/${v}`, `refs/tags/${v}^{}`];
  lines.push('echo "@remote"', `${gitEnv(args)} ${git} ls-remote ${quote(args.repo)} ${wanted.map((r) => quote(r)).join(' ')} 2>&1; echo "@rc $?"`);
  return lines.join('\n') + '\ntrue';
}

export function parseGitProbe(stdout: string): GitFacts {
  const facts: GitFacts = { git: true, dest: 'absent', mods: [], refs: new Map() };
  let section = '';
  const remote: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '@no-git') facts.git = false;
    else if (line === '@repo') facts.dest = 'repo';
    else if (line === '@absent') facts.dest = 'absent';
    else if (line === '@other') facts.dest = 'other';
    else if (line.startsWith('@head ')) facts.head = line.slice(6).trim() || undefined;
    else if (line.startsWith('@url ')) facts.remoteUrl = line.slice(5).trim() || undefined;
    else if (line === '@mods' || line === '@remote') section = line;
    else if (line.startsWith('@rc ')) {
      if (line !== '@rc 0') facts.lsRemoteError = remote.join('\n').trim() || `git ls-remote exited ${line.slice(4)}`;
    } else if (section === '@mods' && line.trim()) facts.mods.push(line);
    else if (section === '@remote') remote.push(line);
  }
  for (const line of remote) {
    const m = /^([0-9a-f]{40})\t(\S+)$/.exec(line);
    if (m) facts.refs.set(m[2]!, m[1]!);
  }
  return facts;
}

/** What `version` is on the remote: a branch, a tag (peeled to its commit), HEAD, or a commit id. */
export function remoteTarget(version: string, refs: Map<string, string>): { kind: 'head' | 'branch' | 'tag' | 'sha'; sha: string } | undefined {
  if (version === 'HEAD') return refs.has('HEAD') ? { kind: 'head', sha: refs.get('HEAD')! } : undefined;
  if (refs.has(`refs/heads/${version}`)) return { kind: 'branch', sha: refs.get(`refs/heads/${version}`)! };
  const tag = refs.get(`refs/tags/${version}^{}`) ?? refs.get(`refs/tags/${version}`);
  if (tag) return { kind: 'tag', sha: tag };
  if (isSha(version)) return { kind: 'sha', sha: version };
  return undefined;
}

/** Decide the git commands. Pure: tests feed it facts. */
export function planGit(args: GitArgs, facts: GitFacts, check: boolean): Plan {
  const result: Record<string, unknown> = { before: facts.head ?? null };
  const fail = (msg: string): Plan => ({ steps: [], failed: true, msg, result });
  if (!facts.git) return fail(`${args.executable ?? 'git'} was not found on the target`);
  if (facts.lsRemoteError) return fail(`Failed to read the remote ${args.repo}: ${facts.lsRemoteError}`);
  const target = remoteTarget(args.version, facts.refs);
  if (!target) return fail(`Failed to find version ${args.version} in ${args.repo} (not a branch, a tag or a commit id)`);
  const git = `${gitEnv(args)} ${gitBin(args)}`;
  const d = args.dest ? quote(args.dest) : '';
  const umask = args.umask !== undefined ? `umask ${quote(String(args.umask))} && ` : '';
  const steps: Step[] = [];
  const sameCommit = (a?: string) => a !== undefined && (a === target.sha || (target.kind === 'sha' && a.startsWith(target.sha.toLowerCase())));
  const afterSha = target.sha;

  if (!args.dest || facts.dest !== 'repo') {
    if (!args.dest || !args.clone) return { steps: [], result: { before: null, after: afterSha }, changed: true };
    if (facts.dest === 'other') return fail(`Destination path '${args.dest}' already exists and is not an empty directory`);
    const clone = [git, 'clone', '--origin', quote(args.remote)];
    if (args.bare) clone.push('--bare');
    if (args.depth) clone.push('--depth', String(args.depth), ...(args.single_branch ? [] : ['--no-single-branch']));
    else if (args.single_branch) clone.push('--single-branch');
    if (target.kind === 'branch' || target.kind === 'tag') clone.push('--branch', quote(args.version));
    clone.push('--', quote(args.repo), d);
    steps.push({ cmd: umask + clone.join(' ') });
    if (target.kind === 'sha' && !args.bare) steps.push({ cmd: `${umask}${git} -C ${d} checkout --force ${quote(args.version)}` });
    if (args.recursive && !args.bare) steps.push({ cmd: `${umask}${git} -C ${d} submodule update --init --recursive` });
  } else {
    if (!args.update) return { steps: [], result: { before: facts.head ?? null, after: facts.head ?? null } };
    if (facts.mods.length > 0 && !args.force) return fail(`Local modifications exist in the destination: ${args.dest} (force=no).`);
    const urlChanged = facts.remoteUrl !== undefined && facts.remoteUrl !== args.repo;
    result.remote_url_changed = urlChanged;
    if (facts.mods.length > 0) steps.push({ cmd: `${git} -C ${d} reset --hard HEAD` }), (result.msg = `Local modifications exist in the destination: ${args.dest}`);
    if (urlChanged) steps.push({ cmd: `${git} -C ${d} remote set-url ${quote(args.remote)} ${quote(args.repo)}` });
    if (!sameCommit(facts.head) || urlChanged) {
      const fetch = [git, '-C', d, 'fetch', ...(args.depth ? ['--depth', String(args.depth)] : []), '--tags', quote(args.remote)];
      if (args.refspec) fetch.push(quote(args.refspec));
      if (target.kind === 'branch') fetch.push(quote(`+refs/heads/${args.version}:refs/remotes/${args.remote}/${args.version}`));
      steps.push({ cmd: umask + fetch.join(' ') });
      if (!args.bare) {
        if (target.kind === 'branch') {
          // On the branch, at the remote's commit (Ansible's switch_version: checkout, then reset --hard).
          steps.push({
            cmd: `${umask}${git} -C ${d} checkout --force -B ${quote(args.version)} ${quote(`${args.remote}/${args.version}`)} && ${git} -C ${d} reset --hard ${quote(`${args.remote}/${args.version}`)}`,
          });
        } else if (target.kind === 'head') {
          steps.push({ cmd: `${umask}${git} -C ${d} reset --hard ${target.sha}` });
        } else {
          steps.push({ cmd: `${umask}${git} -C ${d} checkout --force ${quote(target.kind === 'tag' ? `refs/tags/${args.version}` : args.version)}` });
        }
        if (args.recursive) steps.push({ cmd: `${umask}${git} -C ${d} submodule update --init --recursive` });
      } else if (target.kind === 'head' || target.kind === 'branch') {
        // A bare repository's HEAD is what the remote's is: move the ref it points at.
        steps.push({ cmd: `${git} -C ${d} update-ref "$(${git} -C ${d} symbolic-ref HEAD)" ${target.sha}` });
      }
    }
  }
  if (steps.length === 0) return { steps, result: { ...result, after: facts.head ?? null } };
  result.after = afterSha;
  if (!check) steps.push({ cmd: `echo "@after $(${gitBin(args)} -C ${d} rev-parse HEAD)"` });
  return { steps, result, finish: (results, base) => finishGit(results, base, steps) };
}

/** After a real run `after` is what the repository's HEAD is, read back. */
function finishGit(results: ExecResult[], base: Outcome, steps: Step[]): Outcome {
  const failedAt = results.findIndex((r) => r.rc !== 0 || r.timedOut || r.aborted);
  if (failedAt >= 0) {
    const r = results[failedAt]!;
    return { ...base, failed: true, rc: r.rc, stdout: r.stdout, stderr: r.stderr, msg: `Failed to run ${steps[failedAt]!.cmd.replace(/^GIT_\S+ (GIT_SSH_COMMAND=\S+ )?/, '')}: ${r.stderr.trim()}` };
  }
  const after = /@after ([0-9a-f]{40})/.exec(results[results.length - 1]?.stdout ?? '')?.[1];
  return after ? { ...base, after } : base;
}

export const gitModule: ModuleDef<GitArgs> = {
  targetPaths: ['dest', 'key_file', 'executable'],
  name: 'git',
  parse(raw, where, loadTime) {
    const args = parseArgs<GitArgs>('git', specs, raw, where, loadTime);
    if (args.accept_hostkey && args.accept_newhostkey && !loadTime) {
      throw new ParseError("git: arguments 'accept_hostkey' and 'accept_newhostkey' are mutually exclusive", where);
    }
    if (args.dest === undefined && args.clone && !unrendered(args.repo, loadTime)) {
      throw new ParseError("git: argument 'dest' is required when clone is true", where);
    }
    return args;
  },
  async plan(args, ctx) {
    const r = await ctx.probe(gitProbeCommand(args));
    if (r.rc !== 0) return { steps: [], failed: true, msg: `probing git failed: ${r.stderr.trim() || r.stdout.trim()}` };
    return planGit(args, parseGitProbe(r.stdout), ctx.check);
  },
};
