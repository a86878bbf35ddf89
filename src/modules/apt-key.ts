import { ParseError } from '../errors.js';
import { quote } from '../util/quote.js';
import { parseArgs, type ArgSpecs } from './args.js';
import type { ModuleDef, Plan } from './types.js';

export interface AptKeyArgs {
  id?: string;
  data?: string;
  file?: string;
  url?: string;
  keyserver?: string;
  keyring?: string;
  state: 'present' | 'absent';
  validate_certs: boolean;
}

const specs: ArgSpecs = {
  id: { type: 'str' },
  data: { type: 'str' },
  file: { type: 'path' },
  url: { type: 'str' },
  keyserver: { type: 'str' },
  keyring: { type: 'path' },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  validate_certs: { type: 'bool', default: true },
};

/** Fingerprints (and long ids) from `gpg --with-colons` output: the `fpr` line after each `pub`. */
export function parseFingerprints(colons: string): string[] {
  const out: string[] = [];
  let afterPub = false;
  for (const line of colons.split('\n')) {
    const f = line.split(':');
    if (f[0] === 'pub') afterPub = true;
    else if (f[0] === 'fpr' && afterPub) (out.push(f[9]!.toUpperCase()), (afterPub = false));
    else if (f[0] !== 'fpr') afterPub = afterPub && f[0] !== 'sub';
  }
  return out;
}

/** An id names a key when it is the end of its fingerprint (short, long or full id; 0x and spaces ignored). */
export const idMatches = (id: string, fpr: string) => {
  const clean = id.replace(/^0x/i, '').replace(/\s+/g, '').toUpperCase();
  return clean.length >= 8 && fpr.endsWith(clean);
};

export interface AptKeyFacts {
  aptKey: boolean;
  /** Fingerprints apt-key lists (in `keyring` when given). */
  installed: string[];
  /** Fingerprints in the key given by data/file/url. */
  offered: string[];
  offerError?: string;
}

const keyringOpt = (args: AptKeyArgs) => (args.keyring ? ` --keyring ${quote(args.keyring)}` : '');
const fetchKey = (url: string) =>
  `{ if command -v curl >/dev/null 2>&1; then curl -fsSL ${quote(url)}; else wget -q -O - ${quote(url)}; fi; }`;

export function aptKeyProbe(args: AptKeyArgs): string {
  const lines = [
    'command -v apt-key >/dev/null 2>&1 || { echo "@no-apt-key"; exit 0; }',
    'echo "@installed"',
    // apt-key creates a keyring it is asked to list: a missing one is simply empty.
    `${args.keyring ? `[ -e ${quote(args.keyring)} ] && ` : ''}APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE=1 apt-key${keyringOpt(args)} adv --list-public-keys --with-colons --with-fingerprint 2>/dev/null`,
  ];
  const source = args.file ? `cat ${quote(args.file)}` : args.url ? fetchKey(args.url) : undefined;
  if (source && args.state === 'present') lines.push('echo "@offered"', `${source} | gpg --batch --no-default-keyring --with-colons --show-keys 2>&1; echo "@rc $?"`);
  return lines.join('\n') + '\ntrue';
}

export function parseAptKeyProbe(stdout: string): AptKeyFacts {
  if (stdout.includes('@no-apt-key')) return { aptKey: false, installed: [], offered: [] };
  const installed = stdout.split('@offered')[0]!.replace('@installed', '');
  const offered = stdout.split('@offered')[1];
  const facts: AptKeyFacts = { aptKey: true, installed: parseFingerprints(installed), offered: [] };
  if (offered !== undefined) {
    if (!/@rc 0\s*$/.test(offered.trim() + '\n')) facts.offerError = offered.replace(/@rc \d+/, '').trim();
    facts.offered = parseFingerprints(offered);
  }
  return facts;
}

export function planAptKey(args: AptKeyArgs, facts: AptKeyFacts, offeredData?: string[]): Plan {
  const fail = (msg: string): Plan => ({ steps: [], failed: true, msg });
  if (!facts.aptKey) return fail('apt-key is not on the target (removed in Debian 13 and Ubuntu 24.04): put the key in /etc/apt/keyrings and use deb822_repository signed_by');
  const env = 'APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE=1';
  const has = (id: string) => facts.installed.some((f) => idMatches(id, f));
  if (args.state === 'absent') {
    const ids = args.id ? [args.id] : facts.offered;
    const present = ids.filter(has);
    return { steps: present.map((id) => ({ cmd: `${env} apt-key${keyringOpt(args)} del ${quote(id.replace(/\s+/g, ''))}` })) };
  }
  const offered = offeredData ?? facts.offered;
  if (facts.offerError) return fail(`could not read the key: ${facts.offerError}`);
  const wanted = args.id ? [args.id] : offered;
  if (wanted.length > 0 && wanted.every(has)) return { steps: [] };
  if (args.id && !args.keyserver && offered.length > 0 && !offered.some((f) => idMatches(args.id!, f))) {
    return fail(`key id ${args.id} is not in the given key (it holds ${offered.join(', ')})`);
  }
  let cmd: string;
  if (args.keyserver) cmd = `${env} apt-key${keyringOpt(args)} adv --no-tty --keyserver ${quote(args.keyserver)} --recv ${quote(args.id!)}`;
  else if (args.data !== undefined) cmd = `${env} apt-key${keyringOpt(args)} add -`;
  else if (args.file) cmd = `${env} apt-key${keyringOpt(args)} add ${quote(args.file)}`;
  else cmd = `${fetchKey(args.url!)} | ${env} apt-key${keyringOpt(args)} add -`;
  return { steps: [{ cmd, stdin: args.data }] };
}

export const aptKeyModule: ModuleDef<AptKeyArgs> = {
  targetPaths: ['file', 'keyring'],
  name: 'apt_key',
  parse(raw, where, loadTime) {
    const args = parseArgs<AptKeyArgs>('apt_key', specs, raw, where, loadTime);
    const sources = (['data', 'file', 'keyserver', 'url'] as const).filter((k) => args[k] !== undefined);
    if (sources.length > 1) throw new ParseError(`apt_key: arguments ${sources.map((k) => `'${k}'`).join(' and ')} are mutually exclusive`, where);
    if (args.keyserver && !args.id) throw new ParseError("apt_key: 'keyserver' needs 'id'", where);
    if (args.state === 'present' && sources.length === 0 && !loadTime) throw new ParseError("apt_key: state present needs one of 'data', 'file', 'url', 'keyserver'", where);
    if (args.state === 'absent' && !args.id && !loadTime) throw new ParseError("apt_key: state absent needs 'id'", where);
    return args;
  },
  async plan(args, ctx) {
    // As Ansible's apt_key: under --check a key named by id that is not installed is changed without
    // fetching the key (an unreachable url is found when it runs).
    const lookOnly = ctx.check && args.id !== undefined && args.state === 'present';
    const r = await ctx.probe(aptKeyProbe(lookOnly ? { ...args, url: undefined, file: undefined } : args));
    const facts = parseAptKeyProbe(r.stdout);
    let offered: string[] | undefined;
    if (args.data !== undefined && args.state === 'present' && facts.aptKey && !lookOnly) {
      // The key text goes through stdin, never argv.
      const d = await ctx.probe('gpg --batch --no-default-keyring --with-colons --show-keys 2>&1; echo "@rc $?"', { stdin: args.data });
      if (!/@rc 0\s*$/.test(d.stdout)) return { steps: [], failed: true, msg: `could not read the key in 'data': ${d.stdout.replace(/@rc \d+/, '').trim()}` };
      offered = parseFingerprints(d.stdout);
    }
    return planAptKey(args, facts, offered);
  },
};
