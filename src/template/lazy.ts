import { TsplayError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { containsTemplate, renderDeep } from './render.js';
import { collectUnsafe, holdsText, noteTainted, noteUnsafe } from './unsafe.js';
import { dataKeys, RAW_KEYS } from './with-data.js';

export { RAW_KEYS, UNSAFE_KEYS, markData, withData } from './with-data.js';

/**
 * Variables evaluated lazily, as Ansible does: a var whose value holds a template
 * (`url: "http://{{ host }}:{{ port }}"`, or a dict/list with templates inside) is rendered the
 * first time it is read, in the scope of all the variables, so a var may reference another
 * (a → b → c) whatever order they were defined in. Each var is rendered at most once per
 * wrapper; build a new wrapper per host/task scope (loop variables like `item` included), since
 * a var may reference them. A cycle (a → b → a) is an error naming the chain.
 *
 * A var whose template reads an undefined variable is an error when read ("undefined variable
 * 'host' (in variable 'url')"); in `when:` expressions it counts as undefined instead, so
 * `url is defined` is false and `url | default(...)` applies, as in Ansible.
 *
 * The wrapper is a Proxy over an empty object: it reads like a plain object (own keys, `in`,
 * Object.keys, spread, JSON), never exposes prototype properties, and cannot be written to.
 */
export function lazyVars(vars: Vars, where?: Source): Vars {
  const done = new Map<string, unknown>();
  /** What each rendered var read of unsafe values: told again to whoever reads it from the cache. */
  const unsafeOf = new Map<string, { literals: string[]; tainted: boolean }>();
  const { raw, unsafe } = dataKeys(vars);
  const active: string[] = [];

  const value = (key: string): unknown => {
    if (done.has(key)) {
      const u = unsafeOf.get(key);
      if (u) {
        noteUnsafe(u.literals);
        if (u.tainted) noteTainted();
      }
      return done.get(key);
    }
    const v = vars[key];
    if (raw?.has(key)) {
      // Not cached: a data key may be a getter into an enclosing scope, which tells its own taint each read.
      if (unsafe?.has(key) && holdsText(v)) noteTainted();
      return v;
    }
    if (!containsTemplate(v)) {
      done.set(key, v);
      return v;
    }
    if (active.includes(key)) {
      const chain = [...active.slice(active.indexOf(key)), key].join(' → ');
      throw new TsplayError(`variable '${key}' refers to itself: ${chain}`, { where });
    }
    active.push(key);
    let rendered: unknown;
    try {
      const [r, literals, tainted] = collectUnsafe(() => renderDeep(v, proxy, where));
      rendered = r;
      if (literals.length || tainted) unsafeOf.set(key, { literals, tainted });
    } catch (e) {
      // Name the variable whose template failed (the innermost one only; errors get re-wrapped
      // on the way out, so the message itself is the mark).
      if (!(e instanceof TsplayError) || /refers to itself|\(in variable '/.test(e.message)) throw e;
      throw new TsplayError(`${e.message} (in variable '${key}')`, { code: e.code, where: e.where ?? where });
    } finally {
      active.pop();
    }
    done.set(key, rendered);
    return rendered;
  };

  const own = (key: string | symbol): key is string => typeof key === 'string' && Object.hasOwn(vars, key);
  const proxy: Vars = new Proxy({} as Vars, {
    // Every value read through the scope is final (rendered, or data): a scope built over this one
    // (withData) must not render them again.
    get: (_t, key) => (own(key) ? value(key) : key === RAW_KEYS ? new Set(Object.keys(vars)) : undefined),
    has: (_t, key) => own(key),
    ownKeys: () => Object.keys(vars),
    getOwnPropertyDescriptor: (_t, key) =>
      own(key) ? { get: () => value(key), enumerable: true, configurable: true } : undefined,
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
  return proxy;
}

