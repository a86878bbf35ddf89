import { ParseError } from '../errors.js';
import { quote } from '../util/quote.js';
import { parseArgs, unrendered, type ArgSpecs } from './args.js';
import { parseMode } from './file-attrs.js';
import { planFiles, readFiles } from './source-files.js';
import type { ModuleDef, Plan, Step } from './types.js';

export interface Deb822Args {
  name: string;
  state: 'present' | 'absent';
  mode: string;
  types: string[];
  uris?: string[];
  suites?: string[];
  components?: string[];
  signed_by?: string;
  [field: string]: unknown;
}

const bool = { type: 'bool' } as const;
const list = { type: 'list', elements: 'str' } as const;
/** In Ansible's order: the file's fields come out in this order. */
const specs: ArgSpecs = {
  allow_downgrade_to_insecure: bool,
  allow_insecure: bool,
  allow_weak: bool,
  architectures: list,
  by_hash: bool,
  check_date: bool,
  check_valid_until: bool,
  components: list,
  date_max_future: { type: 'int' },
  enabled: bool,
  inrelease_path: { type: 'str' },
  languages: list,
  name: { type: 'str', required: true },
  pdiffs: bool,
  signed_by: { type: 'str' },
  suites: list,
  targets: list,
  trusted: bool,
  types: { type: 'list', elements: 'str', default: ['deb'] },
  uris: list,
  mode: { type: 'raw', default: '0644' },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  install_python_debian: { type: 'bool', default: false },
};

/** Ansible's slug: lower case, spaces and '_' to '-', anything else but [a-z0-9-] dropped. */
export const slugOf = (name: string) => name.toLowerCase().replace(/[_\s]+/g, '-').replace(/[^a-z0-9-]+/g, '');

function fieldName(k: string): string {
  if (k === 'name') return 'X-Repolib-Name';
  if (k === 'uris') return 'URIs';
  return k.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('-');
}

const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
const isKeyText = (s: string) => s.includes('\n');

/** The .sources file as Ansible's deb822 dump writes it. `signedBy` replaces signed_by (a key file path or the key). */
export function sourcesText(args: Deb822Args, signedBy?: string): string {
  const out: string[] = [];
  for (const key of Object.keys(specs)) {
    if (['mode', 'state', 'install_python_debian'].includes(key)) continue;
    let v = key === 'signed_by' ? signedBy : args[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'boolean') v = v ? 'yes' : 'no';
    else if (Array.isArray(v)) v = v.join(' ');
    let text = String(v);
    if (text.includes('\n')) text = '\n' + text.trim().split('\n').map((l) => `    ${l.trim() || '.'}`).join('\n');
    out.push(`${fieldName(key)}: ${text}`);
  }
  return out.join('\n') + '\n';
}

export const deb822RepositoryModule: ModuleDef<Deb822Args> = {
  name: 'deb822_repository',
  parse(raw, where, loadTime) {
    const args = parseArgs<Deb822Args>('deb822_repository', specs, raw, where, loadTime);
    args.mode = parseMode('deb822_repository', 'mode', args.mode, where, loadTime) ?? '0644';
    for (const t of args.types) {
      if (!unrendered(t, loadTime) && t !== 'deb' && t !== 'deb-src') {
        throw new ParseError(`deb822_repository: argument 'types' must hold deb or deb-src, got ${JSON.stringify(t)}`, where);
      }
    }
    return args;
  },
  async plan(args, ctx) {
    const slug = slugOf(args.name);
    const dest = `/etc/apt/sources.list.d/${slug}.sources`;
    const keyFiles = ['asc', 'gpg'].map((e) => `/etc/apt/keyrings/${slug}.${e}`);
    const result: Record<string, unknown> = { dest };
    if (args.state === 'absent') {
      const present = await readFiles(ctx, [dest, ...keyFiles]);
      result.repo = null;
      result.key_filename = keyFiles.find((f) => present.has(f)) ?? keyFiles[1];
      return { steps: [...present.keys()].map((f) => ({ cmd: `rm -f -- ${quote(f)}` })), result };
    }
    const steps: Step[] = [];
    let signedBy = args.signed_by;
    if (signedBy !== undefined && isUrl(signedBy)) {
      // The key is fetched on the target (curl or wget) and compared with the one in /etc/apt/keyrings.
      const r = await ctx.probe(
        `f=$(mktemp) || exit 1; trap 'rm -f "$f"' EXIT; ` +
          `{ if command -v curl >/dev/null 2>&1; then curl -fsSL -o "$f" ${quote(signedBy)}; else wget -q -O "$f" ${quote(signedBy)}; fi; } || exit 1; ` +
          `if grep -q 'BEGIN PGP PUBLIC KEY BLOCK' "$f"; then e=asc; else e=gpg; fi; echo "ext=$e"; ` +
          `echo "new=$(sha256sum < "$f" | cut -d' ' -f1)"; ` +
          `k=/etc/apt/keyrings/${slug}.$e; [ -f "$k" ] && echo "old=$(sha256sum < "$k" | cut -d' ' -f1)"; true`,
      );
      if (r.rc !== 0) return { steps: [], failed: true, msg: `Could not fetch signed_by key: ${r.stderr.trim() || `rc ${r.rc}`}` };
      const kv = Object.fromEntries(r.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      const keyFile = `/etc/apt/keyrings/${slug}.${kv.ext}`;
      if (kv.new !== kv.old) {
        steps.push({
          cmd:
            `install -d -m 0755 /etc/apt/keyrings && t=$(mktemp /etc/apt/keyrings/.tsplay.XXXXXX) && ` +
            `{ if command -v curl >/dev/null 2>&1; then curl -fsSL -o "$t" ${quote(signedBy)}; else wget -q -O "$t" ${quote(signedBy)}; fi; } && ` +
            `chmod 0644 "$t" && mv -f "$t" ${quote(keyFile)}`,
        });
      }
      signedBy = keyFile;
      result.key_filename = keyFile;
    } else if (signedBy !== undefined && !isKeyText(signedBy)) {
      result.key_filename = signedBy;
    }
    const repo = sourcesText(args, signedBy);
    result.repo = repo;
    const write: Plan = await planFiles('deb822_repository', new Map([[dest, repo]]), ctx, { mode: args.mode });
    if (write.failed) return write;
    return { steps: [...steps, ...write.steps], diff: write.diff, result };
  },
};
