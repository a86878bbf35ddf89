import { ParseError } from '../errors.js';
import { quote } from '../util/quote.js';
import { parseArgs, unrendered, type ArgSpecs } from './args.js';
import { parseFingerprints } from './apt-key.js';
import type { ModuleDef, Plan } from './types.js';

export interface RpmKeyArgs {
  key: string;
  state: 'present' | 'absent';
  fingerprint?: string;
  validate_certs: boolean;
}

const specs: ArgSpecs = {
  key: { type: 'str', required: true, aliases: ['name'] },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
  fingerprint: { type: 'str' },
  validate_certs: { type: 'bool', default: true },
};

const isUrl = (k: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(k);
/** A key id as rpm_key accepts one: 8 or 16 hex digits, optionally 0x. */
export const isKeyId = (k: string) => /^(0x)?([0-9a-f]{8}|[0-9a-f]{16})$/i.test(k);
/** rpm names an imported key gpg-pubkey-<the last 8 hex digits of its id, lower case>. */
export const pubkeyName = (id: string) => `gpg-pubkey-${id.replace(/^0x/i, '').slice(-8).toLowerCase()}`;

export function rpmKeyProbe(args: RpmKeyArgs): string {
  const lines = ['command -v rpm >/dev/null 2>&1 || { echo "@no-rpm"; exit 0; }'];
  if (isKeyId(args.key)) lines.push(`echo "@id ${args.key.replace(/^0x/i, '')}"`);
  else {
    const src = isUrl(args.key)
      ? `{ if command -v curl >/dev/null 2>&1; then curl -fsSL ${quote(args.key)}; else wget -q -O - ${quote(args.key)}; fi; }`
      : `cat ${quote(args.key)}`;
    lines.push('echo "@key"', `${src} | gpg --batch --no-default-keyring --with-colons --show-keys 2>&1; echo "@rc $?"`);
  }
  lines.push('echo "@imported"', `rpm -q --qf '%{NAME}-%{VERSION}\\n' gpg-pubkey 2>/dev/null`);
  return lines.join('\n') + '\ntrue';
}

export function planRpmKey(args: RpmKeyArgs, stdout: string): Plan {
  const fail = (msg: string): Plan => ({ steps: [], failed: true, msg });
  if (stdout.includes('@no-rpm')) return fail('rpm was not found on the target');
  const [head, imported = ''] = stdout.split('@imported');
  const have = new Set(imported.split('\n').map((l) => l.trim()).filter(Boolean));
  let id = /@id (\S+)/.exec(head!)?.[1];
  if (!id) {
    const keyOut = head!.split('@key')[1] ?? '';
    if (!/@rc 0\s*$/.test(keyOut)) return fail(`could not read the key ${args.key}: ${keyOut.replace(/@rc \d+/, '').trim()}`);
    const fprs = parseFingerprints(keyOut);
    if (fprs.length === 0) return fail(`${args.key} does not hold a public key`);
    const fpr = fprs[0]!;
    if (args.fingerprint && args.fingerprint.replace(/\s+/g, '').toUpperCase() !== fpr) {
      return fail(`The specified fingerprint, '${args.fingerprint}', does not match the key fingerprint '${fpr}'`);
    }
    id = fpr.slice(-16);
  }
  const name = pubkeyName(id);
  if (args.state === 'absent') return { steps: have.has(name) ? [{ cmd: `rpm --erase --allmatches ${quote(name)}` }] : [] };
  if (have.has(name)) return { steps: [] };
  if (isKeyId(args.key)) return fail(`key ${args.key} is not imported, and an id alone cannot import it: give a file or URL`);
  const cmd = isUrl(args.key)
    ? `f=$(mktemp) && trap 'rm -f "$f"' EXIT && { if command -v curl >/dev/null 2>&1; then curl -fsSL -o "$f" ${quote(args.key)}; else wget -q -O "$f" ${quote(args.key)}; fi; } && rpm --import "$f"`
    : `rpm --import ${quote(args.key)}`;
  return { steps: [{ cmd }] };
}

export const rpmKeyModule: ModuleDef<RpmKeyArgs> = {
  name: 'rpm_key',
  parse(raw, where, loadTime) {
    const args = parseArgs<RpmKeyArgs>('rpm_key', specs, raw, where, loadTime);
    if (!unrendered(args.key, loadTime) && args.state === 'present' && isKeyId(args.key)) {
      throw new ParseError(`rpm_key: a key id alone (${args.key}) can only be removed; give a file or URL to import`, where);
    }
    return args;
  },
  async plan(args, ctx) {
    const r = await ctx.probe(rpmKeyProbe(args));
    return planRpmKey(args, r.stdout);
  },
};
