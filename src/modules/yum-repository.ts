import { ParseError } from '../errors.js';
import { quote } from '../util/quote.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { parseMode } from './file-attrs.js';
import { planFiles, readFiles } from './source-files.js';
import type { ModuleDef } from './types.js';

const BOOLS = ['async', 'enabled', 'enablegroups', 'gpgcheck', 'module_hotfixes', 'keepalive', 'protect', 'repo_gpgcheck', 's3_enabled', 'skip_if_unavailable', 'ssl_check_cert_permissions', 'sslverify'];
const LISTS = ['baseurl', 'exclude', 'gpgkey', 'includepkgs'];
const STRS = [
  'bandwidth', 'cost', 'deltarpm_metadata_percentage', 'deltarpm_percentage', 'failovermethod', 'gpgcakey', 'http_caching', 'include', 'ip_resolve',
  'keepcache', 'metadata_expire', 'metadata_expire_filter', 'metalink', 'mirrorlist', 'mirrorlist_expire', 'password', 'priority', 'proxy',
  'proxy_password', 'proxy_username', 'retries', 'sslcacert', 'sslclientcert', 'sslclientkey', 'throttle', 'timeout', 'ui_repoid_vars', 'username',
];

const specs: ArgSpecs = {
  name: { type: 'str', required: true },
  description: { type: 'str' },
  file: { type: 'str' },
  reposdir: { type: 'path', default: '/etc/yum.repos.d' },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  mode: { type: 'raw' },
  owner: { type: 'str' },
  group: { type: 'str' },
  ...Object.fromEntries(BOOLS.map((k) => [k, { type: 'bool' }])),
  ...Object.fromEntries(LISTS.map((k) => [k, { type: 'list', elements: 'str' }])),
  ...Object.fromEntries(STRS.map((k) => [k, { type: 'str' }])),
};
specs.sslverify = { type: 'bool', aliases: ['validate_certs'] };
specs.sslcacert = { type: 'str', aliases: ['ca_cert'] };
specs.sslclientcert = { type: 'str', aliases: ['client_cert'] };
specs.sslclientkey = { type: 'str', aliases: ['client_key'] };

export type YumRepoArgs = Record<string, unknown> & { name: string; description?: string; file?: string; reposdir: string; state: 'present' | 'absent'; mode?: string; owner?: string; group?: string };

type Section = { name: string; entries: [string, string][] };

/** A .repo file as configparser reads it: sections, `key = value`, indented continuation lines. */
export function parseRepoFile(text: string): Section[] {
  const sections: Section[] = [];
  let cur: Section | undefined;
  for (const line of text.split('\n')) {
    if (/^\s*[#;]/.test(line) || line.trim() === '') continue;
    const sec = /^\[([^\]]+)\]/.exec(line);
    if (sec) sections.push((cur = { name: sec[1]!, entries: [] }));
    else if (/^\s/.test(line) && cur?.entries.length) cur.entries[cur.entries.length - 1]![1] += '\n' + line.trim();
    else if (cur) {
      const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
      if (m) cur.entries.push([m[1]!.toLowerCase(), m[2]!]);
    }
  }
  return sections;
}

/** Ansible compares sorted dumps: order alone is no change. */
export const dumpSorted = (s: Section[]) =>
  [...s].sort((a, b) => a.name.localeCompare(b.name)).map((x) => `[${x.name}]\n` + [...x.entries].sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => `${k} = ${v}\n`).join('') + '\n').join('');

/** Written as Python's configparser writes (continuation lines indented with a tab). */
export const writeRepoFile = (s: Section[]) => s.map((x) => `[${x.name}]\n` + x.entries.map(([k, v]) => `${k} = ${v.replace(/\n/g, '\n\t')}\n`).join('') + '\n').join('');

/** The repository's section from the arguments: the keys sorted, booleans as 0/1, as Ansible's YumRepo.add. */
export function repoSection(args: YumRepoArgs): Section {
  const values: Record<string, unknown> = { ...args, name: args.description };
  const entries: [string, string][] = [];
  for (const key of [...BOOLS, ...LISTS, ...STRS, 'name'].sort()) {
    let v = values[key];
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) v = key === 'baseurl' || key === 'gpgkey' ? v.join('\n') : v.join(' ');
    else if (typeof v === 'boolean') v = v ? '1' : '0';
    entries.push([key, String(v)]);
  }
  return { name: args.name, entries };
}

export const yumRepositoryModule: ModuleDef<YumRepoArgs> = {
  targetPaths: ['reposdir'],
  name: 'yum_repository',
  parse(raw, where, loadTime) {
    const args = parseArgs<YumRepoArgs>('yum_repository', specs, raw, where, loadTime);
    args.mode = parseMode('yum_repository', 'mode', args.mode, where, loadTime);
    if (args.state === 'present' && !loadTime) {
      if (args.baseurl === undefined && args.metalink === undefined && args.mirrorlist === undefined) {
        throw new ParseError("yum_repository: parameter 'baseurl', 'metalink' or 'mirrorlist' is required", where);
      }
      if (args.description === undefined) throw new ParseError("yum_repository: parameter 'description' is required", where);
    }
    return args;
  },
  async plan(args, ctx) {
    const dest = `${args.reposdir.replace(/\/+$/, '')}/${args.file ?? args.name}.repo`;
    const dir = await ctx.probe(`[ -d ${quote(args.reposdir)} ] && echo yes`);
    if (dir.stdout.trim() !== 'yes') return { steps: [], failed: true, msg: `Repo directory '${args.reposdir}' does not exist.` };
    const text = (await readFiles(ctx, [dest])).get(dest);
    const before = text === undefined ? [] : parseRepoFile(text);
    const after = before.filter((s) => s.name !== args.name);
    if (args.state === 'present') after.push(repoSection(args));
    const result = { repo: args.name, state: args.state };
    const changed = dumpSorted(before) !== dumpSorted(after);
    const attrs = { mode: args.mode, owner: args.owner, group: args.group };
    if (!changed) {
      if (text === undefined || (!args.mode && !args.owner && !args.group)) return { steps: [], result };
      return { ...(await planFiles('yum_repository', new Map([[dest, text]]), ctx, attrs)), result };
    }
    const plan = await planFiles('yum_repository', new Map([[dest, after.length ? writeRepoFile(after) : null]]), ctx, attrs);
    return { ...plan, result, diff: [{ path: dest, before: dumpSorted(before), after: dumpSorted(after) }] };
  },
};
