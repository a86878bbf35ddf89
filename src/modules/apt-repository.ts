import { ParseError } from '../errors.js';
import { parseArgs, unrendered, type ArgSpecs } from './args.js';
import { parseMode } from './file-attrs.js';
import { aptUpdateStep, planFiles, readFiles } from './source-files.js';
import type { ModuleDef } from './types.js';

export interface AptRepositoryArgs {
  repo: string;
  state: 'present' | 'absent';
  mode?: string;
  update_cache: boolean;
  update_cache_retries: number;
  update_cache_retry_max_delay: number;
  filename?: string;
  validate_certs: boolean;
  codename?: string;
  install_python_apt: boolean;
}

const specs: ArgSpecs = {
  repo: { type: 'str', required: true },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  mode: { type: 'raw' },
  update_cache: { type: 'bool', default: true, aliases: ['update-cache'] },
  update_cache_retries: { type: 'int', default: 5 },
  update_cache_retry_max_delay: { type: 'int', default: 12 },
  filename: { type: 'str' },
  validate_certs: { type: 'bool', default: true },
  codename: { type: 'str' },
  install_python_apt: { type: 'bool', default: true },
};

const SOURCES = ['/etc/apt/sources.list', '/etc/apt/sources.list.d/*.list'];

/** A one-line source, normalised as Ansible's SourcesList does: options and words in canonical spacing. */
export function normalizeSource(line: string): string | undefined {
  const s = line.trim();
  if (!/^(deb|deb-src)(\s|$)/.test(s)) return undefined;
  const opts = /\[([^\]]*)\]/.exec(s);
  const rest = s.replace(/\[[^\]]*\]/, ' ').split(/\s+/).filter(Boolean);
  const options = opts ? `[${opts[1]!.trim().split(/\s+/).join(' ')}] ` : '';
  return `${rest[0]} ${options}${rest.slice(1).join(' ')}`;
}

/** Ansible's file name for a repository line: its first word after type, options and scheme, as letters and '_'. */
export function suggestFilename(repo: string): string {
  let line = repo.replace(/\[[^\]]+\]/g, '').replace(/\w+:\/\//g, '');
  const parts = line.split(/\s+/).filter((p) => p && p !== 'deb' && p !== 'deb-src');
  line = parts[0] ?? '';
  if (line.includes('@')) line = line.split('@').slice(1).join('@');
  return line.replace(/[^a-zA-Z0-9]/g, ' ').split(/\s+/).filter(Boolean).join('_');
}

/** One line of a sources file: an enabled source, a commented-out one, or anything else. */
function classify(line: string): { source?: string; enabled: boolean } {
  const m = /^\s*#\s*(.*)$/.exec(line);
  if (m) return { source: normalizeSource(m[1]!), enabled: false };
  return { source: normalizeSource(line.replace(/#.*$/, '')), enabled: true };
}

/** What changes where: file path → new content (null: remove the file). Pure. */
export function planSources(args: AptRepositoryArgs, files: Map<string, string>): { changes: Map<string, string | null>; added: string[]; removed: string[] } {
  const want = normalizeSource(args.repo)!;
  const changes = new Map<string, string | null>();
  const added: string[] = [];
  const removed: string[] = [];
  const enabledSomewhere = [...files.values()].some((text) => text.split('\n').some((l) => { const c = classify(l); return c.enabled && c.source === want; }));
  if (args.state === 'present') {
    if (enabledSomewhere) return { changes, added, removed };
    // A commented-out copy is enabled where it is, as Ansible does; else the line goes into its own file.
    for (const [path, text] of files) {
      const lines = text.split('\n');
      const at = lines.findIndex((l) => { const c = classify(l); return !c.enabled && c.source === want; });
      if (at >= 0) {
        lines[at] = args.repo.trim();
        changes.set(path, lines.join('\n'));
        added.push(want);
        return { changes, added, removed };
      }
    }
    const path = `/etc/apt/sources.list.d/${args.filename ?? suggestFilename(args.repo)}.list`;
    const old = files.get(path) ?? '';
    changes.set(path, `${old}${old && !old.endsWith('\n') ? '\n' : ''}${want}\n`);
    added.push(want);
    return { changes, added, removed };
  }
  for (const [path, text] of files) {
    const lines = text.split('\n');
    const kept = lines.filter((l) => { const c = classify(l); return !(c.enabled && c.source === want); });
    if (kept.length === lines.length) continue;
    removed.push(want);
    const body = kept.join('\n');
    changes.set(path, body.trim() === '' && path !== '/etc/apt/sources.list' ? null : body);
  }
  return { changes, added, removed };
}

export const aptRepositoryModule: ModuleDef<AptRepositoryArgs> = {
  name: 'apt_repository',
  parse(raw, where, loadTime) {
    const args = parseArgs<AptRepositoryArgs>('apt_repository', specs, raw, where, loadTime);
    args.mode = parseMode('apt_repository', 'mode', args.mode, where, loadTime);
    if (!unrendered(args.repo, loadTime)) {
      if (args.repo.startsWith('ppa:')) throw new ParseError('apt_repository: ppa: repositories are not supported (they need Launchpad); give the deb line and a key', where);
      if (!normalizeSource(args.repo)) throw new ParseError(`apt_repository: argument 'repo' must be a "deb ..." or "deb-src ..." line, got ${JSON.stringify(args.repo)}`, where);
    }
    return args;
  },
  async plan(args, ctx) {
    const files = await readFiles(ctx, SOURCES);
    const { changes, added, removed } = planSources(args, files);
    const result = { repo: args.repo, state: args.state, sources_added: added, sources_removed: removed };
    if (changes.size === 0) return { steps: [], result };
    const plan = await planFiles('apt_repository', changes, ctx, { mode: args.mode ?? (args.state === 'present' ? '0644' : undefined) });
    if (plan.failed) return plan;
    if (args.update_cache) plan.steps.push(aptUpdateStep(args.update_cache_retries, args.update_cache_retry_max_delay));
    return { ...plan, result };
  },
};
