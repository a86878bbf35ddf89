import test from 'ava';
import { ParseError } from '../../src/errors.js';
import { gitModule, gitProbeCommand, parseGitProbe, planGit, type GitArgs } from '../../src/modules/git.js';
import { where } from './helper.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const parse = (raw: Record<string, unknown>) => gitModule.parse({ repo: 'https://git.example/app.git', dest: '/opt/app', ...raw }, where, false);
const probe = (lines: string[]) => parseGitProbe([...lines, ''].join('\n'));
const remote = [`@remote`, `${B}\tHEAD`, `${B}\trefs/heads/main`, `${A}\trefs/tags/v1`, `@rc 0`];
const cmds = (args: GitArgs, out: string[], check = false) => planGit(args, probe(out), check).steps.map((s) => s.cmd);

test('the probe reads the checkout and asks ls-remote for the version as a branch, a tag and a peeled tag', (t) => {
  const p = gitProbeCommand(parse({ version: 'v1', accept_hostkey: true }));
  t.regex(p, /if \[ -f \/opt\/app\/\.git\/config \]/);
  t.regex(p, /GIT_TERMINAL_PROMPT=0 GIT_SSH_COMMAND='ssh -o StrictHostKeyChecking=no' git ls-remote https:\/\/git\.example\/app\.git HEAD refs\/heads\/v1 refs\/tags\/v1 'refs\/tags\/v1\^\{\}'/);
});

test('absent dest: clone at the branch or tag, checkout a commit id after cloning', (t) => {
  t.deepEqual(cmds(parse({ version: 'main' }), ['@absent', ...remote]), [
    'GIT_TERMINAL_PROMPT=0 git clone --origin origin --branch main -- https://git.example/app.git /opt/app',
    'GIT_TERMINAL_PROMPT=0 git -C /opt/app submodule update --init --recursive',
    'echo "@after $(git -C /opt/app rev-parse HEAD)"',
  ]);
  const sha = cmds(parse({ version: A.slice(0, 12), recursive: false, depth: 1 }), ['@absent', ...remote]);
  t.deepEqual(sha.slice(0, 2), [
    'GIT_TERMINAL_PROMPT=0 git clone --origin origin --depth 1 --no-single-branch -- https://git.example/app.git /opt/app',
    `GIT_TERMINAL_PROMPT=0 git -C /opt/app checkout --force ${A.slice(0, 12)}`,
  ]);
  const checked = planGit(parse({ version: 'v1' }), probe(['@absent', ...remote]), true);
  t.like(checked, { result: { before: null, after: A } });
  t.is(checked.steps.length, 2, 'check mode: no read-back step');
});

test('at the wanted commit: no steps; behind: fetch and move; a changed remote url is a change', (t) => {
  t.deepEqual(cmds(parse({ version: 'main' }), ['@repo', `@head ${B}`, '@url https://git.example/app.git', '@mods', ...remote]), []);
  const behind = cmds(parse({ version: 'main' }), ['@repo', `@head ${A}`, '@url https://git.example/app.git', '@mods', ...remote]);
  t.deepEqual(behind.slice(0, 2), [
    "GIT_TERMINAL_PROMPT=0 git -C /opt/app fetch --tags origin +refs/heads/main:refs/remotes/origin/main",
    'GIT_TERMINAL_PROMPT=0 git -C /opt/app checkout --force -B main origin/main && GIT_TERMINAL_PROMPT=0 git -C /opt/app reset --hard origin/main',
  ]);
  const moved = planGit(parse({ version: 'main' }), probe(['@repo', `@head ${B}`, '@url https://old.example/app.git', '@mods', ...remote]), false);
  t.is(moved.steps[0]!.cmd, 'GIT_TERMINAL_PROMPT=0 git -C /opt/app remote set-url origin https://git.example/app.git');
  t.like(moved.result, { remote_url_changed: true });
});

test('local modifications fail unless force, which resets them', (t) => {
  const out = ['@repo', `@head ${A}`, '@url https://git.example/app.git', '@mods', ' M VERSION', ...remote];
  t.like(planGit(parse({ version: 'v1' }), probe(out), false), { failed: true, msg: 'Local modifications exist in the destination: /opt/app (force=no).' });
  const forced = planGit(parse({ version: 'v1', force: true }), probe(out), false);
  t.is(forced.steps[0]!.cmd, 'GIT_TERMINAL_PROMPT=0 git -C /opt/app reset --hard HEAD');
});

test('failures: no git, ls-remote errors, unknown version, a non-empty dest that is no repository', (t) => {
  t.like(planGit(parse({}), probe(['@no-git']), false), { failed: true, msg: 'git was not found on the target' });
  t.like(planGit(parse({}), probe(['@absent', '@remote', 'fatal: repository not found', '@rc 128']), false), { failed: true, msg: 'Failed to read the remote https://git.example/app.git: fatal: repository not found' });
  t.like(planGit(parse({ version: 'nope' }), probe(['@absent', ...remote]), false), { failed: true });
  t.like(planGit(parse({}), probe(['@other', ...remote]), false), { failed: true, msg: "Destination path '/opt/app' already exists and is not an empty directory" });
});

test('argument checks', (t) => {
  t.throws(() => gitModule.parse({ dest: '/x' }, where, false), { instanceOf: ParseError, message: /missing required argument 'repo'/ });
  t.throws(() => gitModule.parse({ repo: 'r' }, where, false), { instanceOf: ParseError, message: /'dest' is required when clone is true/ });
  t.throws(() => parse({ accept_hostkey: true, accept_newhostkey: true }), { message: /mutually exclusive/ });
  t.is(gitModule.parse({ name: 'r', dest: '/x', clone: false }, where, false).repo, 'r');
});
