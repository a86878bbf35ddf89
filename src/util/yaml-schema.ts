import jsyaml from 'js-yaml';
import { decryptVaultValue } from '../vault/keyring.js';
import { unsafeDeep, unsafeText } from '../template/unsafe.js';

/**
 * The YAML 1.1 scalars as PyYAML (and so Ansible) resolves them, for js-yaml:
 * - booleans: yes/no/on/off/true/false in the casings yes, Yes, YES (not y/n);
 * - ints: decimal without a leading zero, octal with one (0644 → 420), 0x hex, 0b binary, `_` ignored;
 *   08 or 0089 stay strings;
 * - floats need a dot, and an exponent needs a sign (1e3 stays a string); .inf, .nan;
 * - null: ~, null, Null, NULL, or nothing;
 * - no timestamp type: a date stays text, as Ansible templates it;
 * - `<<` merge keys;
 * - `!unsafe`: a text never templated (template/unsafe.ts), also every text of a tagged list or mapping;
 * - `!vault`: an inline Ansible Vault value, decrypted at load with the run's vault passwords
 *   (a missing or wrong password is an error naming the file) and remembered as a secret.
 */
const BOOL = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON|no|No|NO|false|False|FALSE|off|Off|OFF)$/;
const TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const INT = /^[-+]?(?:0|[1-9][0-9_]*|0[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const NULL = /^(?:~|null|Null|NULL|)$/;

const boolType = new jsyaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (d: string | null) => d !== null && BOOL.test(d),
  construct: (d: string) => TRUE.test(d),
  predicate: (o: unknown) => typeof o === 'boolean',
  represent: (o: object) => (o ? 'true' : 'false'),
});

function parseInt11(d: string): number {
  let s = d.replace(/_/g, '');
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  // sexagesimal (YAML 1.1): 1:20 → 80
  if (s.includes(':')) return sign * s.split(':').reduce((acc, part) => acc * 60 + parseInt(part, 10), 0);
  if (s.startsWith('0x')) return sign * parseInt(s.slice(2), 16);
  if (s.startsWith('0b')) return sign * parseInt(s.slice(2), 2);
  if (s.startsWith('0')) return sign * parseInt(s.slice(1), 8);
  return sign * parseInt(s, 10);
}

const intType = new jsyaml.Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (d: string | null) => d !== null && INT.test(d) && /[0-9]/.test(d),
  construct: parseInt11,
  predicate: (o: unknown) => typeof o === 'number' && Number.isInteger(o),
  represent: (o: object) => String(o),
});

const floatType = new jsyaml.Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (d: string | null) => d !== null && FLOAT.test(d) && d !== '.' && /[0-9]|inf|nan/i.test(d),
  construct: (d: string) => {
    const s = d.replace(/_/g, '').toLowerCase();
    if (s.endsWith('.inf')) return s.startsWith('-') ? -Infinity : Infinity;
    if (s === '.nan') return NaN;
    return parseFloat(s);
  },
  predicate: (o: unknown) => typeof o === 'number' && !Number.isInteger(o),
  represent: (o: object) => String(o),
});

const nullType = new jsyaml.Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (d: string | null) => d === null || NULL.test(d),
  construct: () => null,
  predicate: (o: unknown) => o === null,
  represent: () => 'null',
});

const unsafeTypes = [
  new jsyaml.Type('!unsafe', { kind: 'scalar', resolve: () => true, construct: (d: string | null) => unsafeText(d ?? '') }),
  new jsyaml.Type('!unsafe', { kind: 'sequence', resolve: () => true, construct: (d: unknown[] | null) => unsafeDeep(d ?? []) }),
  new jsyaml.Type('!unsafe', { kind: 'mapping', resolve: () => true, construct: (d: object | null) => unsafeDeep(d ?? {}) }),
];

/** The file being parsed, so that a `!vault` value that cannot be decrypted names it. */
let parsingFile = '';
export function withVaultFile<T>(file: string, parse: () => T): T {
  const before = parsingFile;
  parsingFile = file;
  try {
    return parse();
  } finally {
    parsingFile = before;
  }
}

const vaultType = new jsyaml.Type('!vault', {
  kind: 'scalar',
  resolve: () => true,
  construct: (d: string | null) => decryptVaultValue(d ?? '', parsingFile),
});

export const ANSIBLE_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({
  implicit: [nullType, boolType, intType, floatType, (jsyaml as unknown as { types: { merge: jsyaml.Type } }).types.merge],
  explicit: [...unsafeTypes, vaultType],
});
