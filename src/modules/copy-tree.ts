import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { TsplayError } from '../errors.js';
import { statFiles } from '../facts/file.js';
import { isVaultText } from '../vault/format.js';
import { decryptVault, vaultSecrets } from '../vault/keyring.js';
import { quote } from '../util/quote.js';
import { octal } from './file-attrs.js';
import type { FileDiff, ModuleContext, Plan, Step } from './types.js';
import { planFileWrite, type FileWrite } from './write-file.js';

/**
 * copy with a controller directory as `src`, as Ansible's copy action plugin does it (_walk_dirs, then
 * the copy module per file, the file module per directory and per symlink).
 */

/**
 * The bytes copy sends for a controller file: a vault-encrypted one decrypted with the run's vault
 * secrets (decrypt: no sends the ciphertext), or Ansible's failure message when there is none or none fits.
 */
export function controllerBytes(path: string, decrypt: boolean): { data: Buffer } | { error: string } {
  const data = readFileSync(path);
  if (!decrypt || !isVaultText(data)) return { data };
  if (vaultSecrets().length === 0) return { error: `A vault password or secret must be specified to decrypt ${path}` };
  try {
    return { data: decryptVault(data.toString('utf8'), path) };
  } catch (e) {
    if (e instanceof TsplayError) return { error: e.message };
    throw e;
  }
}

/** (controller path or link target, path relative to dest) of each entry to make on the host. */
export interface SourceTree {
  files: [string, string][];
  directories: [string, string][];
  symlinks: [string, string][];
}

const devIno = (p: string): string => {
  const s = statSync(p);
  return `${s.dev}:${s.ino}`;
};

/** Does `p` lead to a directory (following links)? A dangling link does not. */
function isDirFollowing(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Ansible's _walk_dirs: `src: dir` copies dir itself (its entries are `dir/...`), `src: dir/` its content.
 * With local_follow, a link to a file is copied as that file and a link to a directory is walked into,
 * unless it leads back into the tree (then it stays a link); without local_follow every link stays a link.
 */
export function walkDirs(topdir: string, localFollow: boolean): SourceTree {
  const tree: SourceTree = { files: [], directories: [], symlinks: [] };
  const trailing = topdir.endsWith('/');
  const top = topdir.replace(/\/+$/, '') || '/';
  const base = trailing ? top : dirname(top);
  const offset = base === '/' ? 1 : base.length + 1;
  const rel = (p: string, relBase: string, off: number) => join(relBase, p.slice(off));

  const recurse = (dir: string, off: number, parents: Set<string>, relBase: string): void => {
    // os.walk: this directory's entries, then each real (not linked) subdirectory, top-down
    const entries = readdirSync(dir).sort();
    const subdirs = entries.filter((e) => isDirFollowing(join(dir, e)));
    for (const name of entries.filter((e) => !subdirs.includes(e))) {
      const path = join(dir, name);
      const destPath = rel(path, relBase, off);
      if (lstatSync(path).isSymbolicLink()) {
        let real: string | undefined;
        try {
          real = realpathSync(path);
        } catch {
          real = undefined;
        }
        if (localFollow && real !== undefined && statSync(real).isFile()) tree.files.push([real, destPath]);
        else tree.symlinks.push([readlinkSync(path), destPath]);
      } else tree.files.push([path, destPath]);
    }
    for (const name of subdirs) {
      const path = join(dir, name);
      const destPath = rel(path, relBase, off);
      if (!lstatSync(path).isSymbolicLink()) {
        tree.directories.push([path, destPath]);
        recurse(path, off, parents, relBase);
        continue;
      }
      if (!localFollow) {
        tree.symlinks.push([readlinkSync(path), destPath]);
        continue;
      }
      const real = realpathSync(path);
      const id = devIno(real);
      if (parents.has(id)) {
        tree.symlinks.push([readlinkSync(path), destPath]);
        continue;
      }
      // the directories from this link's own parent up to the tree already known
      const newParents = new Set<string>();
      const parts = dirname(path).split('/');
      for (let n = parts.length; n > 0; n--) {
        const pid = devIno(parts.slice(0, n).join('/') || '/');
        if (parents.has(pid)) break;
        newParents.add(pid);
      }
      if (newParents.has(id)) {
        tree.symlinks.push([readlinkSync(path), destPath]);
        continue;
      }
      tree.directories.push([real, destPath]);
      recurse(real, real.length + 1, new Set([...parents, ...newParents]), destPath);
    }
  };
  recurse(top, offset, new Set([devIno(top)]), '');
  return tree;
}

/** Every directory from `dir` up to the root, deepest last. */
function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; d !== '/' && d !== '.' && d !== ''; d = posix.dirname(d)) out.unshift(d);
  return out;
}

export interface TreeCopy {
  /** the task's src, as given (a trailing slash copies the content) */
  src: string;
  /** the controller directory it names */
  local: string;
  dest: string;
  localFollow: boolean;
  directoryMode?: string;
  decrypt: boolean;
  /** what each file write shares (mode, owner, group, backup, force, validate) */
  write: Omit<FileWrite, 'dest' | 'data'>;
}

export async function planTreeCopy(t: TreeCopy, ctx: ModuleContext): Promise<Plan> {
  const tree = walkDirs(t.src.endsWith('/') ? `${t.local.replace(/\/+$/, '')}/` : t.local.replace(/\/+$/, ''), t.localFollow);
  const dest = t.dest.endsWith('/') ? t.dest : `${t.dest}/`;
  const at = (r: string) => posix.join(dest, r);
  // directories that must exist: the file and link parents (made with the module's makedirs, so with
  // directory_mode) and the tree's own directories (the file module, state=directory, mode=directory_mode)
  const needed = new Set<string>();
  for (const [, r] of [...tree.files, ...tree.symlinks]) for (const d of ancestors(posix.dirname(at(r)))) needed.add(d);
  for (const [, r] of tree.directories) for (const d of ancestors(at(r))) needed.add(d);
  const dirs = [...needed].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  const dirStats = await statFiles(ctx, dirs, { follow: true });
  const exists = new Map(dirs.map((d, i) => [d, dirStats[i]!]));
  const steps: Step[] = [];
  const diff: FileDiff[] = [];
  const mode = t.directoryMode !== undefined ? octal(Number.parseInt(String(t.directoryMode), 8)) : undefined;
  for (const d of dirs) {
    const st = exists.get(d)!;
    if (!st.exists) steps.push({ cmd: `mkdir ${mode ? `-m ${mode} ` : ''}-- ${quote(d)}` });
    else if (!st.isDir) return { steps: [], failed: true, msg: `${d} exists and is not a directory`, result: { dest: d } };
  }
  // the file module sets directory_mode on each directory of the tree, new or not
  if (mode) {
    for (const [, r] of tree.directories) {
      const st = exists.get(at(r))!;
      if (st.exists && st.mode !== mode) steps.push({ cmd: `chmod ${mode} -- ${quote(at(r))}` });
    }
  }
  let single: Plan | undefined;
  for (const [path, r] of tree.files) {
    const read = controllerBytes(path, t.decrypt);
    if ('error' in read) return { steps: [], failed: true, msg: read.error };
    const data = read.data;
    const plan = await planFileWrite(
      { ...t.write, follow: false, dest: at(r), data, srcMode: octal(statSync(path).mode & 0o7777), parentWillExist: true, noReadBack: true, result: { src: path } },
      ctx,
    );
    if (plan.failed) return plan;
    steps.push(...plan.steps);
    diff.push(...(plan.diff ?? []));
    single = plan;
  }
  if (tree.symlinks.length > 0) {
    const links = await statFiles(ctx, tree.symlinks.map(([, r]) => at(r)), { follow: false });
    tree.symlinks.forEach(([target, r], i) => {
      const st = links[i]!;
      if (st.exists && st.isLink && st.linkTarget === target) return;
      steps.push({ cmd: `ln -sfn -- ${quote(target)} ${quote(at(r))}` });
    });
  }
  // one file: the result is that file's (as the copy module returned it); else dest, src, changed
  if (tree.files.length === 1 && single) return { ...single, steps, diff, finishAsync: undefined, finish: undefined };
  return { steps, diff, result: { dest, src: t.src.endsWith('/') ? `${t.local.replace(/\/+$/, '')}/` : t.local } };
}

export interface RemoteTreeCopy {
  /** the source directory on the host, as given (a trailing slash copies its content) */
  src: string;
  dest: string;
  /** undefined (not given): links are copied as links, as the module's copytree does */
  localFollow?: boolean;
  owner?: string;
  group?: string;
}

/**
 * remote_src with a directory, as the copy module does it on the host: a new target directory is a
 * copy of the tree (copytree); an existing one gets the entries it lacks and the files whose content
 * differs (dircmp), and is changed only then. `src: dir` lands in dest/dir, `src: dir/` in dest.
 */
export async function planRemoteTreeCopy(t: RemoteTreeCopy, ctx: ModuleContext): Promise<Plan> {
  const src = t.src.replace(/\/+$/, '') || '/';
  const [destSt] = await statFiles(ctx, [t.dest], { follow: true });
  if (destSt!.exists && !destSt!.isDir) return { steps: [], failed: true, msg: `Destination ${t.dest} is not a directory`, result: { dest: t.dest, src: t.src } };
  const target = t.src.endsWith('/') ? t.dest : posix.join(t.dest, posix.basename(src));
  const [targetSt] = target === t.dest ? [destSt!] : await statFiles(ctx, [target], { follow: true });
  const cp = `cp -R ${t.localFollow === true ? '-L' : '-P'} --preserve=mode,timestamps -- ${quote(`${src}/.`)} ${quote(`${target}/`)}`;
  const chown = t.owner !== undefined || t.group !== undefined ? `chown -R${t.localFollow === true ? '' : 'h'} -- ${quote(`${t.owner ?? ''}${t.group !== undefined ? `:${t.group}` : ''}`)} ${quote(target)}` : undefined;
  const result = { dest: target, src: t.src };
  if (!targetSt!.exists) {
    return { steps: [{ cmd: `mkdir -p -- ${quote(target)}` }, { cmd: cp }, ...(chown ? [{ cmd: chown }] : [])], changed: true, result };
  }
  // what the merge would copy: an entry the target lacks, a regular file whose content differs, an owner to fix
  const owned = chown
    ? `find ${quote(target)} \\( ${[t.owner !== undefined ? `! -user ${quote(t.owner)}` : '', t.group !== undefined ? `! -group ${quote(t.group)}` : ''].filter(Boolean).join(' -o ')} \\) -print -quit | grep -q . && echo owner; `
    : '';
  const r = await ctx.probe(
    // the target made absolute first: it may be relative to the login directory, as src may
    `${owned}T=$(cd -- ${quote(target)} && pwd) && cd -- ${quote(src)} && find . -mindepth 1 | while IFS= read -r p; do ` +
      `t="$T/$p"; if [ ! -e "$t" ] && [ ! -L "$t" ]; then echo new; break; fi; ` +
      `if [ -f "$p" ] && [ -f "$t" ] && ! cmp -s -- "$p" "$t"; then echo differs; break; fi; done; true`,
  );
  if (r.stdout.trim() === '') return { steps: [], result };
  return { steps: [...(/new|differs/.test(r.stdout) ? [{ cmd: cp }] : []), ...(chown ? [{ cmd: chown }] : [])], changed: true, result };
}
