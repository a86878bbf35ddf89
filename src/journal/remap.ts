import type { JournalRecord } from './records.js';
import { taskKey } from './task-index.js';

/** `site.yml:12>tasks/x.yml:3` → `site.yml:12>tasks/x.yml` (the file and include path, without the line). */
const placeOf = (id: string) => id.replace(/:[^:>]*$/, '');
const lineOf = (id: string) => Number(/:(\d+)(#\d+)?$/.exec(id)?.[1] ?? 0);

/**
 * Map a resumed run's task keys (`play:id`) to today's, when its sources changed (--force): a key whose
 * task is still written at the same place and does the same thing maps to itself; a task that moved
 * (lines shifted by an inserted task) maps to the task of today doing the same thing in the same file and
 * include path, matched in order; a task that is gone maps to nothing, so nothing of today inherits it.
 */
export function taskKeyMap(before: Record<string, string>, now: Record<string, string>): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const claimed = new Set<string>();
  for (const [key, fp] of Object.entries(before)) {
    if (now[key] === fp) {
      out.set(key, key);
      claimed.add(key);
    }
  }
  // the rest, per play, place and fingerprint, in line order on both sides
  const group = (prints: Record<string, string>, skip: (k: string) => boolean) => {
    const g = new Map<string, string[]>();
    for (const [key, fp] of Object.entries(prints)) {
      if (skip(key)) continue;
      const [play, ...rest] = key.split(':');
      const id = rest.join(':');
      const k = `${play}\0${placeOf(id)}\0${fp}`;
      g.set(k, [...(g.get(k) ?? []), key]);
    }
    for (const keys of g.values()) keys.sort((a, b) => lineOf(a) - lineOf(b));
    return g;
  };
  const oldGroups = group(before, (k) => out.has(k));
  const newGroups = group(now, (k) => claimed.has(k));
  for (const [k, keys] of oldGroups) {
    const targets = newGroups.get(k) ?? [];
    keys.forEach((key, i) => out.set(key, targets[i]));
  }
  return out;
}

/** The journal's records with task ids as today's playbooks name them (records of gone tasks keep a dead id). */
export function remapRecords(records: JournalRecord[], map: Map<string, string | undefined>): JournalRecord[] {
  let play = -1;
  const idOf = (p: number, id: string) => {
    const key = taskKey(p, id);
    if (!map.has(key)) return id;
    const to = map.get(key);
    return to === undefined ? `(gone) ${id}` : to.slice(to.indexOf(':') + 1);
  };
  return records.map((r) => {
    if (r.kind === 'play-start') play = r.index;
    if (r.kind === 'task-start' || r.kind === 'host-result') return { ...r, task: { ...r.task, id: idOf(play, r.task.id) } } as JournalRecord;
    if (r.kind === 'interrupted') return { ...r, inFlight: r.inFlight.map((f) => ({ ...f, task: { ...f.task, id: idOf(f.play, f.task.id) } })) };
    return r;
  });
}
