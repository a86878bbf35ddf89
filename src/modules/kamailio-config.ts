import { createTwoFilesPatch, structuredPatch } from 'diff';

/**
 * Pure text work on Kamailio configs: the merge that keeps a site's own lines, the differences that
 * matter, and `#!define` lines in kamailio-local.cfg.
 */

function lines(text: string): { list: string[]; finalNewline: boolean } {
  const finalNewline = text.endsWith('\n');
  const list = text === '' ? [] : (finalNewline ? text.slice(0, -1) : text).split('\n');
  return { list, finalNewline };
}

/** The first preserve pattern a line matches (a line belongs to one pattern only), or -1. */
function classOf(line: string, patterns: RegExp[]): number {
  return patterns.findIndex((re) => re.test(line));
}

/**
 * The shipped config with the live config's site-local lines kept. For each preserve pattern:
 * - the live lines matching it (in live order) replace the shipped lines matching it, at the place of the
 *   shipped's first such line (further shipped matches are dropped);
 * - when the shipped config has no line matching it, the live lines go at the top (after a leading
 *   `#!KAMAILIO`-style line);
 * - when the live config has no line matching it, the shipped lines stay (the package's default).
 * Merging the result again gives the same text, so installing is idempotent.
 */
export function mergePreserved(shipped: string, live: string | undefined, patterns: RegExp[]): string {
  const s = lines(shipped);
  if (live === undefined) return shipped;
  const liveByClass = new Map<number, string[]>();
  for (const line of lines(live).list) {
    const k = classOf(line, patterns);
    if (k >= 0) liveByClass.set(k, [...(liveByClass.get(k) ?? []), line]);
  }
  const out: string[] = [];
  const placed = new Set<number>();
  for (const line of s.list) {
    const k = classOf(line, patterns);
    if (k < 0 || !liveByClass.has(k)) {
      out.push(line);
    } else if (!placed.has(k)) {
      out.push(...liveByClass.get(k)!);
      placed.add(k);
    }
  }
  const top: string[] = [];
  for (const [k, ls] of [...liveByClass.entries()].sort((a, b) => a[0] - b[0])) if (!placed.has(k)) top.push(...ls);
  if (top.length > 0) {
    const at = out.length > 0 && /^#!(KAMAILIO|OPENSER|SER|MAXCOMPAT|ALL)\b/.test(out[0]!) ? 1 : 0;
    out.splice(at, 0, ...top);
  }
  if (out.length === 0) return '';
  return out.join('\n') + (s.finalNewline || s.list.length === 0 ? '\n' : '');
}

/** Changed lines ("-old" / "+new") between two configs, leaving out lines a preserve pattern matches. */
export function differences(before: string, after: string, patterns: RegExp[]): string[] {
  const patch = structuredPatch('before', 'after', before, after, '', '', { context: 0 });
  const out: string[] = [];
  for (const hunk of patch.hunks) {
    for (const l of hunk.lines) {
      if ((l.startsWith('-') || l.startsWith('+')) && classOf(l.slice(1), patterns) < 0) out.push(l);
    }
  }
  return out;
}

/** `diff -u live shipped` as text. */
export function unifiedDiff(beforePath: string, afterPath: string, before: string, after: string): string {
  return createTwoFilesPatch(beforePath, afterPath, before, after, '', '');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function defineLine(name: string): RegExp {
  return new RegExp(`^\\s*[#!]!(define|trydef|redefine)\\s+${escapeRe(name)}(\\s|$)`);
}

/**
 * kamailio-local.cfg with each of `defines` present once as `#!define NAME` (appended when missing; a
 * `#!define NAME value` already there counts) and no `#!define` line for any of `undefines`.
 */
export function applyDefines(
  text: string | undefined,
  defines: string[],
  undefines: string[],
): { text: string; added: string[]; removed: string[] } {
  const current = lines(text ?? '');
  const removed: string[] = [];
  let kept = current.list.filter((l) => {
    const hit = undefines.find((n) => defineLine(n).test(l));
    if (hit !== undefined && !removed.includes(hit)) removed.push(hit);
    return hit === undefined;
  });
  const added: string[] = [];
  for (const name of defines) {
    if (!kept.some((l) => defineLine(name).test(l))) {
      kept = [...kept, `#!define ${name}`];
      added.push(name);
    }
  }
  if (added.length === 0 && removed.length === 0) return { text: text ?? '', added, removed };
  return { text: kept.length === 0 ? '' : kept.join('\n') + '\n', added, removed };
}
