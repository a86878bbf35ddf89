import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ExitCode, TsplayError } from '../errors.js';
import { repoRoot } from './fleet.js';

interface Requirement {
  tool: string;
  pkg: string;
}

/** src/fleet/requirements.txt: the same list scripts/install-deps.sh installs from. */
function requirements(): Requirement[] {
  const text = readFileSync(join(repoRoot(), 'src/fleet/requirements.txt'), 'utf8');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [tool, pkg] = l.split(/\s+/);
      return { tool, pkg };
    });
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** An absolute path (one `*` segment allowed, for versioned dirs), or a command found in PATH. */
function present(tool: string, path: string): boolean {
  if (!tool.startsWith('/')) return path.split(delimiter).some((dir) => dir && executable(join(dir, tool)));
  const parts = tool.split('/');
  const star = parts.findIndex((p) => p.includes('*'));
  if (star < 0) return existsSync(tool);
  const parent = parts.slice(0, star).join('/') || '/';
  const re = new RegExp(`^${parts[star].split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  let entries: string[] = [];
  try {
    entries = readdirSync(parent);
  } catch {
    return false;
  }
  return entries.filter((e) => re.test(e)).some((e) => present([parent, e, ...parts.slice(star + 1)].join('/'), path));
}

/** The Debian packages whose tools are missing here (each package once). */
export function missingPackages(path = process.env.PATH ?? ''): string[] {
  const missing = requirements().filter((r) => !present(r.tool, path)).map((r) => r.pkg);
  return [...new Set(missing)];
}

/** One clear line instead of a spawn ENOENT deep inside the lab's start. */
export function assertLabRequirements(): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  throw new TsplayError(
    `the lab needs Debian packages that are missing: ${missing.join(' ')} (as root: bash scripts/install-deps.sh, or apt-get install ${missing.join(' ')})`,
    { code: ExitCode.error },
  );
}
