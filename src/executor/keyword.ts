import type { Source } from '../errors.js';
import { keywordValue } from '../playbook/keywords.js';
import { renderValue } from '../template/render.js';
import type { Vars } from '../types.js';

/**
 * A play/block/task keyword's value at run time: rendered, then checked against its type as at load
 * time (keywords.ts). A value that does not parse once rendered (`timeout: "{{ t }}"` with t=abc) is a
 * ParseError naming file:line and the key — never a silent default.
 */
export function renderedKeyword(key: string, raw: unknown, scope: Vars, where: Source, context?: string): unknown {
  const value = typeof raw === 'string' ? renderValue(raw, scope, where, context) : raw;
  return keywordValue(key, value, where, context);
}
