import { TsplayError } from '../errors.js';
import { globToRegExp } from '../util/glob.js';
import { parseAddress } from './address.js';

/**
 * Ansible host patterns as pure functions over an inventory index: `a:b` / `a,b` union,
 * `&` intersection and `!` exclusion (applied after all unions, whatever the written order),
 * globs, `~regex` (matched at the start, as Python's re.match), subscripts `g[0]`, `g[-1]`,
 * `g[1:]`, `g[0:2]` (inclusive). A pattern that matches nothing is a warning.
 */
export interface PatternIndex {
  /** Host names in the order hosts were created (Ansible's inventory.hosts). */
  readonly hostOrder: readonly string[];
  hasHost(name: string): boolean;
  /** Group names in the order groups were created, `all` and `ungrouped` included. */
  readonly groupOrder: readonly string[];
  /** Hosts of a group and its descendants, in Ansible's order. */
  groupHosts(name: string): readonly string[];
}

export const LOCALHOST_NAMES: readonly string[] = ['127.0.0.1', 'localhost', '::1'];

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/s;
const WORDS = /(?:[^\s:[\]]|\[[^\]]*\])+/g;

/** `'a,b[1], c[2:3] , d'` → `['a', 'b[1]', 'c[2:3]', 'd']`; `:` separates too unless the whole is one address. */
export function splitHostPattern(pattern: string | readonly string[]): string[] {
  if (typeof pattern !== 'string') return pattern.flatMap((p) => splitHostPattern(p));
  let parts: string[];
  if (pattern.includes(',')) parts = pattern.split(',');
  else if (parseAddress(pattern, true)) parts = [pattern];
  else parts = pattern.match(WORDS) ?? [];
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Unions first (or `all` if there are none), then intersections, then exclusions. */
export function orderPatterns(patterns: readonly string[]): string[] {
  const regular: string[] = [];
  const and: string[] = [];
  const not: string[] = [];
  for (const p of patterns) {
    if (!p) continue;
    if (p[0] === '!') not.push(p);
    else if (p[0] === '&') and.push(p);
    else regular.push(p);
  }
  return [...(regular.length ? regular : ['all']), ...and, ...not];
}

export type Subscript = { index: number } | { start: number; end: number };

export function splitSubscript(pattern: string, warnings?: string[]): { expr: string; subscript?: Subscript } {
  if (pattern[0] === '~') return { expr: pattern };
  const m = SUBSCRIPT.exec(pattern);
  if (!m) return { expr: pattern };
  if (m[2] !== undefined) return { expr: m[1]!, subscript: { index: Number(m[2]) } };
  if (m[4] === '-') warnings?.push(`Use [x:y] inclusive subscripts instead of [x-y] which has been removed`);
  return { expr: m[1]!, subscript: { start: Number(m[3]), end: m[5] ? Number(m[5]) : -1 } };
}

/** Python slicing as Ansible applies it: `[x:y]` inclusive, `[x:]` to the end; `[x:0]` acts as `[x]`. */
export function applySubscript<T>(hosts: readonly T[], sub: Subscript | undefined, pattern: string): T[] {
  if (!hosts.length || !sub) return [...hosts];
  const noMatch = () => new TsplayError(`no hosts matched the subscripted pattern '${pattern}'`, { code: 1 });
  const at = (i: number): T => {
    const j = i < 0 ? hosts.length + i : i;
    if (j < 0 || j >= hosts.length) throw noMatch();
    return hosts[j]!;
  };
  if ('index' in sub) return [at(sub.index)];
  if (sub.end === 0) return [at(sub.start)];
  const end = sub.end === -1 ? hosts.length - 1 : sub.end;
  return hosts.slice(sub.start, end + 1);
}

/** Check a pattern's regular expressions without an inventory: the message, or undefined when valid. */
export function hostPatternError(pattern: string | readonly string[]): string | undefined {
  for (const part of splitHostPattern(pattern)) {
    const bare = part.replace(/^[&!]/, '');
    if (bare[0] !== '~') continue;
    try {
      new RegExp(`^(?:${bare.slice(1)})`);
    } catch (e) {
      return `invalid regular expression in host pattern '${bare}': ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`;
    }
  }
  return undefined;
}

function compile(pattern: string): RegExp {
  try {
    return pattern[0] === '~' ? new RegExp(`^(?:${pattern.slice(1)})`) : globToRegExp(pattern);
  } catch {
    throw new TsplayError(`invalid host list pattern: ${pattern}`, { code: 1 });
  }
}

/** One pattern without its `&`/`!` prefix: the matching hosts (may repeat, as in Ansible). */
export function matchOne(index: PatternIndex, pattern: string, warnings?: string[]): string[] {
  const bare = pattern[0] === '&' || pattern[0] === '!' ? pattern.slice(1) : pattern;
  const { expr, subscript } = splitSubscript(bare, warnings);
  const re = compile(expr);
  const results: string[] = [];
  const groups = index.groupOrder.filter((g) => re.test(g));
  for (const g of groups) results.push(...index.groupHosts(g));
  if (groups.length === 0 || expr[0] === '~' || /[.?*[]/.test(expr)) {
    for (const h of index.hostOrder) if (re.test(h)) results.push(h);
  }
  if (results.length === 0 && LOCALHOST_NAMES.includes(expr)) results.push(expr);
  if (results.length === 0 && groups.length === 0 && expr !== 'all') {
    warnings?.push(`Could not match supplied host pattern, ignoring: ${expr}`);
  }
  return applySubscript(results, subscript, bare);
}

/** The hosts a pattern (string or list) selects, deduplicated, in Ansible's order. */
export function evaluatePatterns(index: PatternIndex, pattern: string | readonly string[], warnings?: string[]): string[] {
  let hosts: string[] = [];
  for (const p of orderPatterns(splitHostPattern(pattern))) {
    if (index.hasHost(p)) {
      hosts.push(p);
      continue;
    }
    const that = matchOne(index, p, warnings);
    if (p[0] === '!') {
      const drop = new Set(that);
      hosts = hosts.filter((h) => !drop.has(h));
    } else if (p[0] === '&') {
      const keep = new Set(that);
      hosts = hosts.filter((h) => keep.has(h));
    } else {
      const have = new Set(hosts);
      for (const h of that) if (!have.has(h)) hosts.push(h);
    }
  }
  return [...new Set(hosts)];
}

/** `--limit`: the selected hosts that the limit patterns also select. */
export function applyLimit(index: PatternIndex, hosts: readonly string[], limit: readonly string[], warnings?: string[]): string[] {
  const allowed = new Set(evaluatePatterns(index, limit, warnings));
  return hosts.filter((h) => allowed.has(h));
}
