import test from 'ava';
import { mkdirSync, rmSync } from 'node:fs';
import { startFleet, type Fleet, type FleetOptions } from '../../src/fleet/fleet.js';

/** What each test finds fresh on every host (paths as the host sees them, under its private dirs). */
export interface FreshHosts {
  /** Removed before each test: files or whole directories. */
  remove?: string[];
  /** Removed, then made again empty, before each test. */
  empty?: string[];
  /** Runs after those, before each test: the files a test expects to find. */
  seed?: (fleet: Fleet) => void;
}

/**
 * The test file's fleet: started before its first test, stopped after its last (also when a test
 * failed), with `fresh` made anew before each test so that no test sees what the one before it left.
 * The returned fleet is usable inside tests and hooks (it throws if used before it started).
 */
export function freshFleet(options: FleetOptions, fresh: FreshHosts = {}): Fleet {
  let started: Fleet | undefined;
  test.before(async () => {
    started = await startFleet(options);
  });
  test.after.always(async () => {
    await started?.stop();
  });
  if (fresh.remove || fresh.empty || fresh.seed) {
    test.beforeEach(() => {
      for (const h of started!.hosts) {
        for (const p of [...(fresh.remove ?? []), ...(fresh.empty ?? [])]) rmSync(started!.path(h.name, p), { recursive: true, force: true });
        for (const p of fresh.empty ?? []) mkdirSync(started!.path(h.name, p), { recursive: true });
      }
      fresh.seed?.(started!);
    });
  }
  return new Proxy({} as Fleet, {
    get(_, key) {
      if (!started) throw new Error(`fleet.${String(key)} used before the fleet started: use it inside a test or hook`);
      const v: unknown = Reflect.get(started, key);
      return typeof v === 'function' ? v.bind(started) : v;
    },
  });
}
