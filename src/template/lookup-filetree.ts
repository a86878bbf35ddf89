import { existsSync, lstatSync, readdirSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pyStr } from './values.js';
import { searchDirs } from './lookups-lists.js';
import type { LookupCtx } from './lookups.js';

/**
 * community.general.filetree: every directory, file and symlink under a controller directory, as the
 * dicts its lookup returns (root, path, state, src, owner, group, uid, gid, mode, size, mtime, ctime),
 * walked top-down as Python's os.walk (a directory's entries, directories first, then each directory's).
 * Entries are sorted by name where os.walk keeps the file system's order. Several terms: the first
 * term that has a relative path wins it. SELinux contexts are left out (tsplay reads none on the controller).
 */
export function filetree(terms: unknown[], ctx: LookupCtx): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const term of terms.map((t) => pyStr(t))) {
    const root = path.isAbsolute(term) ? term : searchDirs('files', ctx).map((d) => path.join(d, term)).find(isDir);
    if (!root || !isDir(root)) continue;
    for (const rel of walk(root, '')) {
      if (seen.has(rel)) continue;
      const props = fileProps(root, rel);
      if (props) {
        seen.add(rel);
        out.push(props);
      }
    }
  }
  return out;
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/** os.walk(topdown=True, followlinks=False) flattened: each directory's subdirectories and files, then into each subdirectory. */
function walk(root: string, rel: string): string[] {
  const entries = readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const isSubdir = (e: (typeof entries)[number]): boolean => e.isDirectory() || (e.isSymbolicLink() && isDir(path.join(root, rel, e.name)));
  const dirs = entries.filter(isSubdir).map((e) => path.join(rel, e.name));
  const files = entries.filter((e) => !isSubdir(e)).map((e) => path.join(rel, e.name));
  const below = entries.filter((e) => e.isDirectory()).flatMap((e) => walk(root, path.join(rel, e.name)));
  return [...dirs, ...files, ...below];
}

function fileProps(root: string, rel: string): Record<string, unknown> | undefined {
  const abs = path.join(root, rel);
  let st: Stats;
  try {
    st = lstatSync(abs);
  } catch {
    return undefined;
  }
  const props: Record<string, unknown> = { root, path: rel };
  if (st.isSymbolicLink()) Object.assign(props, { state: 'link', src: readlinkSync(abs) });
  else if (st.isDirectory()) props.state = 'directory';
  else if (st.isFile()) Object.assign(props, { state: 'file', src: abs });
  else return undefined;
  return {
    ...props,
    uid: st.uid,
    gid: st.gid,
    owner: nameOf('passwd', st.uid),
    group: nameOf('group', st.gid),
    mode: `0${(st.mode & 0o7777).toString(8).padStart(3, '0')}`,
    size: st.size,
    mtime: st.mtimeMs / 1000,
    ctime: st.ctimeMs / 1000,
  };
}

const names = new Map<string, string | number>();

/** The user or group name of an id (the id itself when it has none, as the lookup); cached per run. */
export function nameOf(db: 'passwd' | 'group', id: number): string | number {
  const key = `${db}:${id}`;
  if (!names.has(key)) {
    let name: string | number = id;
    if (db === 'passwd' && id === userInfo().uid) name = userInfo().username;
    else {
      try {
        name = execFileSync('getent', [db, String(id)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[0] || id;
      } catch {
        name = id;
      }
    }
    names.set(key, name);
  }
  return names.get(key)!;
}
