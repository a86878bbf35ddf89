/**
 * Ansible's `!unsafe` (AnsibleUnsafe): a YAML value so tagged is never templated; its `{{ }}`
 * stays literal wherever it goes (vars, task arguments, loop items, set_fact, registered results,
 * and text it is rendered into).
 *
 * A JavaScript string cannot carry a mark, so the YAML loader stores an unsafe text as a template
 * that renders to exactly that text: `{# !unsafe #}{% raw %}…{% endraw %}`. Every reader that
 * templates (render.ts, lazy vars) gives the literal, and since tsplay renders a value only where
 * Ansible does — a rendered result is never rendered again, registered results are data, and so is
 * a set_fact value whose template read an unsafe value (collectUnsafe's taint) — the literal is never
 * templated afterwards. A reader that does not template sees the
 * marked form, which still says what it is.
 *
 * Where a module must know that a rendered argument came from an unsafe value (`debug: var:`,
 * which Ansible evaluates as an expression unless it is unsafe), renderDeep marks that member of
 * the arguments it returns (isUnsafeMember): the rendered text contains an unsafe literal read
 * while rendering it.
 */

const OPEN = '{# !unsafe #}{% raw %}';
const CLOSE = '{% endraw %}';

/** The stored form of an unsafe text (what the YAML loader gives for `!unsafe 'text'`). */
export function unsafeText(text: string): string {
  return OPEN + text + CLOSE;
}

/** The literal of a stored unsafe text, or undefined for any other string. */
export function unsafeLiteral(s: string): string | undefined {
  return s.startsWith(OPEN) && s.endsWith(CLOSE) && s.length >= OPEN.length + CLOSE.length
    ? s.slice(OPEN.length, s.length - CLOSE.length) : undefined;
}

/** Every string inside a value made unsafe (`!unsafe` on a list or a mapping: its texts, keys untouched). */
export function unsafeDeep(v: unknown): unknown {
  if (typeof v === 'string') return unsafeLiteral(v) === undefined ? unsafeText(v) : v;
  if (Array.isArray(v)) return v.map(unsafeDeep);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unsafeDeep(x)]));
  return v;
}

/** A mark kept beside members of rendered objects (`obj[key]`), without changing the objects. */
function memberMark(): { mark(obj: object, key: string | number): void; has(obj: unknown, key: string | number): boolean } {
  const marks = new WeakMap<object, Set<string | number>>();
  return {
    mark(obj, key) {
      let set = marks.get(obj);
      if (!set) marks.set(obj, (set = new Set()));
      set.add(key);
    },
    has: (obj, key) => obj !== null && typeof obj === 'object' && marks.get(obj)?.has(key) === true,
  };
}

const unsafeMembers = memberMark();

/** Record that `obj[key]`, a rendered text, came (wholly or in part) from an unsafe value. */
export const markUnsafeMember = unsafeMembers.mark;

/** Did renderDeep make `obj[key]` from an unsafe value? */
export const isUnsafeMember = unsafeMembers.has;

/**
 * What the render in progress read: the literals of unsafe values, and whether it read any unsafe
 * value at all (`tainted`: Ansible's AnsibleContext.unsafe, set when a template resolves a variable
 * holding an unsafe value — a registered result, gathered facts, a with_ loop's item — or calls a
 * lookup). Undefined: nobody collects.
 */
interface Reads {
  literals: string[];
  tainted: boolean;
}
let reads: Reads | undefined;

/** An unsafe literal was read: tell the render in progress. */
export function noteUnsafe(literals: readonly string[]): void {
  if (reads && literals.length) {
    reads.literals.push(...literals);
    reads.tainted = true;
  }
}

/** An unsafe value (not a literal in the template text) was read: the render's result is unsafe. */
export function noteTainted(): void {
  if (reads) reads.tainted = true;
}

/**
 * Run a render and return what it read of unsafe values — the literals, and whether anything it
 * read was unsafe — also told to an enclosing collector.
 */
export function collectUnsafe<T>(render: () => T): [T, string[], boolean] {
  const outer = reads;
  const mine: Reads = { literals: [], tainted: false };
  reads = mine;
  try {
    return [render(), mine.literals, mine.tainted];
  } finally {
    reads = outer;
    if (outer) {
      outer.literals.push(...mine.literals);
      outer.tainted ||= mine.tainted;
    }
  }
}

const taintedMembers = memberMark();

/** Record that `obj[key]` was rendered by a template that read an unsafe value (Ansible wraps it unsafe). */
export const markTaintedMember = taintedMembers.mark;

/** Was `obj[key]` rendered by a template that read an unsafe value? */
export const isTaintedMember = taintedMembers.has;

/** Does a value hold a text anywhere inside (what Ansible's wrap_var marks unsafe: strings only)? */
export function holdsText(v: unknown): boolean {
  if (typeof v === 'string') return true;
  if (Array.isArray(v)) return v.some(holdsText);
  if (v !== null && typeof v === 'object') return Object.values(v).some(holdsText);
  return false;
}

/** A rendered value made from the unsafe literals read while rendering it. */
export function fromUnsafe(value: unknown, literals: readonly string[]): boolean {
  return typeof value === 'string' && literals.some((l) => l !== '' && value.includes(l));
}
