import { quote } from '../../util/quote.js';
import { parseArgs, type ArgSpecs } from '../args.js';
import type { ModuleDef, Plan } from '../types.js';

/** community.general.locale_gen on Debian: (un)comment the locale in /etc/locale.gen, run `locale-gen --purge` (as Ansible). */
export interface LocaleGenArgs {
  name: string;
  state: 'present' | 'absent';
}

const specs: ArgSpecs = {
  name: { type: 'str', required: true },
  state: { type: 'str', default: 'present', choices: ['present', 'absent'] },
};

export interface LocaleFacts {
  /** `locale -a` output. */
  available: string;
  /** /usr/share/i18n/SUPPORTED text. */
  supported: string;
}

/** en_US.UTF-8 and en_US.utf8 are the same locale (as `locale -a` spells it). */
export function normalizeLocale(name: string): string {
  const m = /^([^.@]+)(?:\.([^@]+))?(@.*)?$/.exec(name);
  if (!m) return name;
  const charset = m[2] ? '.' + m[2].toLowerCase().replace(/-/g, '') : '';
  return `${m[1]}${charset}${m[3] ?? ''}`;
}

const escapeSed = (s: string) => s.replace(/[\\/.*[\]^$&]/g, '\\$&');

export function planLocaleGen(a: LocaleGenArgs, f: LocaleFacts): Plan {
  const supported = f.supported.split('\n').some((l) => l.split(/\s+/)[0] === a.name);
  if (!supported) return { steps: [], failed: true, msg: "The locale you've entered is not available on your system." };
  const present = f.available.split('\n').some((l) => normalizeLocale(l.trim()) === normalizeLocale(a.name));
  const result = { name: a.name, msg: 'OK' };
  const n = escapeSed(a.name);
  if (a.state === 'present' && !present) {
    // Uncomment (or add) "NAME CHARSET" from SUPPORTED, then compile.
    const line = f.supported.split('\n').find((l) => l.split(/\s+/)[0] === a.name)!.trim();
    return {
      steps: [{ cmd: `if grep -Eq ${quote(`^#?\\s*${a.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `)} /etc/locale.gen; then sed -i -E ${quote(`s/^#?\\s*(${n} .+)$/\\1/`)} /etc/locale.gen; else printf '%s\\n' ${quote(line)} >> /etc/locale.gen; fi && locale-gen --purge` }],
      result,
    };
  }
  if (a.state === 'absent' && present) {
    return { steps: [{ cmd: `sed -i -E ${quote(`s/^(${n} .+)$/# \\1/`)} /etc/locale.gen && locale-gen --purge` }], result };
  }
  return { steps: [], result };
}

export const localeGenModule: ModuleDef<LocaleGenArgs> = {
  name: 'locale_gen',
  aliases: ['community.general.locale_gen'],
  parse: (raw, where, loadTime) => parseArgs<LocaleGenArgs>('locale_gen', specs, raw, where, loadTime),
  async plan(a, ctx) {
    const [avail, sup] = await Promise.all([ctx.probe('locale -a'), ctx.probe('cat /usr/share/i18n/SUPPORTED')]);
    return planLocaleGen(a, { available: avail.stdout, supported: sup.stdout });
  },
};
