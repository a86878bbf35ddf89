/**
 * Where the cases' files come from, and how one case is run: ansible/ansible's
 * test/integration/targets at the recorded commit, extracted (git archive) from a checkout into a
 * temp dir once per commit (the cases' targets are committed: targets/, for a run without a checkout); the inventory of a case, with each fleet host's connection variables.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fleet, FleetOptions } from '../../src/fleet/fleet.js';
import { FLEET_NAMES, INVENTORIES, type TargetCase } from './cases.js';

/** The git dir of an ansible/ansible checkout: $ANSIBLE_SOURCE_GIT, else the mirror this project fetched. */
export function ansibleGitDir(): string {
  const dir = process.env.ANSIBLE_SOURCE_GIT ?? '/work/.mirror/ansible+ansible/repo';
  if (!existsSync(dir)) {
    throw new Error(`no ansible/ansible checkout at ${dir}: set ANSIBLE_SOURCE_GIT to the git dir of a clone that has the recorded commit`);
  }
  return dir;
}

/** The commit a ref names in the checkout. */
export function resolveCommit(ref: string): string {
  const r = spawnSync('git', ['--git-dir', ansibleGitDir(), 'rev-parse', '--verify', `${ref}^{commit}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${ref} is not in ${ansibleGitDir()}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** The targets the cases use, committed (scripts/vendor-ansible-targets.sh): no checkout, no network. */
const VENDORED = join(dirname(fileURLToPath(import.meta.url)), 'targets');

/**
 * test/integration/targets of that commit: the committed copy when it is of that commit, else
 * extracted once from a checkout (the recorder, for a newer commit).
 */
export function targetsDir(commit: string): string {
  if (existsSync(join(VENDORED, '.commit')) && readFileSync(join(VENDORED, '.commit'), 'utf8').trim() === commit) return VENDORED;
  const dest = join(tmpdir(), `tsplay-ansible-targets-${commit.slice(0, 12)}`);
  const dir = join(dest, 'test', 'integration', 'targets');
  if (existsSync(join(dest, '.complete'))) return dir;
  const partial = mkdtempSync(join(tmpdir(), 'tsplay-ansible-targets-partial-'));
  const r = spawnSync('sh', ['-c', `git --git-dir "$0" archive "$1" test/integration/targets | tar -x -C "$2"`, ansibleGitDir(), commit, partial], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot extract the targets of ${commit}: ${r.stderr.trim()}`);
  writeFileSync(join(partial, '.complete'), commit + '\n');
  rmSync(dest, { recursive: true, force: true });
  try {
    renameSync(partial, dest);
  } catch (e) {
    // another process extracted it meanwhile
    if (!existsSync(join(dest, '.complete'))) throw e;
    rmSync(partial, { recursive: true, force: true });
  }
  return dir;
}

/**
 * The fleet a run of the cases needs: one SSH host per inventory host name but localhost. The role
 * targets create users and groups (file, setup_nobody): each host has its own /etc (overlay) and /home.
 */
export const TARGETS_FLEET: FleetOptions = { names: FLEET_NAMES, overlays: ['/etc'], privateDirs: ['/home'] };

/**
 * Write the case's inventory into `dir`: each fleet host's line gets its connection variables, plus
 * `extraHostVars` (the recorder's python interpreter for Ansible).
 */
export function writeInventory(c: TargetCase, fleet: Fleet, dir: string, extraHostVars: Record<string, string> = {}): string {
  const lines = INVENTORIES[c.inventory].split('\n').map((line) => {
    const name = line.trim().split(/\s+/)[0];
    if (!name || !FLEET_NAMES.includes(name)) return line;
    const vars = { ...fleet.connectionVars(name), ...extraHostVars };
    return `${line} ${Object.entries(vars).map(([k, v]) => `${k}=${v}`).join(' ')}`;
  });
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${c.name}.ini`);
  writeFileSync(path, lines.join('\n'));
  return path;
}

/**
 * The playbook of a case and the directory it runs from (runme.sh runs in the target's directory).
 * A role target gets the playbook ansible-test writes, in `dir`; its roles are found through the
 * roles path (the targets directory, as ansible-test sets it).
 */
export function playbookOf(c: TargetCase, targets: string, dir: string): { playbook: string; cwd: string } {
  if (c.playbook !== undefined) return { playbook: join(targets, c.target, c.playbook), cwd: join(targets, c.target) };
  // ansible-test's play also sets output_dir, a directory it makes on the controller
  const outputDir = join(dir, 'output_dir');
  mkdirSync(outputDir, { recursive: true });
  const playbook = join(dir, `${c.target}.yml`);
  writeFileSync(playbook, `- hosts: testhost\n  gather_facts: true\n  vars:\n    output_dir: ${outputDir}\n  roles:\n    - role: ${c.target}\n`);
  return { playbook, cwd: join(targets, c.target) };
}

/** Environment both tools run a case with: the roles path ansible-test or the runme.sh step sets, and the step's settings. */
export function caseEnv(c: TargetCase, targets: string): NodeJS.ProcessEnv {
  return { ANSIBLE_ROLES_PATH: c.rolesPath === undefined ? targets : join(targets, c.target, c.rolesPath), ...c.env };
}

/**
 * Ready the hosts and the targets for one run of a case (both tools): the fleet's client key in each
 * host's private /root/.ssh/authorized_keys when the target copies it to a user it logs in as, and the
 * targets directory the run uses: a fresh temporary copy for a case that writes into its own target
 * (removed by `done`), so the committed targets stay as committed.
 */
export function prepareRun(c: TargetCase, fleet: Fleet, targets: string, work: string): { targets: string; done: () => void } {
  if (c.rootAuthorizedKeys) {
    for (const h of fleet.hosts) {
      const ssh = fleet.path(h.name, '/root/.ssh');
      mkdirSync(ssh, { recursive: true, mode: 0o700 });
      copyFileSync(join(fleet.dir, 'authorized_keys'), join(ssh, 'authorized_keys'));
      chmodSync(join(ssh, 'authorized_keys'), 0o600);
    }
  }
  const leftovers = () => {
    for (const p of c.controllerLeftovers ?? []) rmSync(p, { recursive: true, force: true });
  };
  leftovers();
  if (!c.copyTargets) return { targets, done: leftovers };
  const copy = mkdtempSync(join(work, `${c.name}-targets-`));
  cpSync(targets, copy, { recursive: true, verbatimSymlinks: true });
  return {
    targets: copy,
    done: () => {
      rmSync(copy, { recursive: true, force: true });
      leftovers();
    },
  };
}
