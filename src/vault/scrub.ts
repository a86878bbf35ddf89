import { vaultValues } from './keyring.js';
import { MASK } from '../journal/redact.js';

/**
 * Mask decrypted vault values in one line of text: the top-level error line, which no run's redactor
 * sees (events and results go through the run's Redactor, which knows the vault values too).
 */
export function scrubVaultText(text: string): string {
  const values = [...vaultValues()];
  if (values.length === 0) return text;
  const escaped = values.sort((a, b) => b.length - a.length).map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return text.replace(new RegExp(escaped.join('|'), 'g'), MASK);
}
