import { quote } from '../util/quote.js';
import type { ModuleContext, Step } from './types.js';

/**
 * The file module's `attributes` (lsattr/chattr flags), as Ansible's set_attributes_if_different:
 * '+A' adds, '-A' removes (always run, so always changed), 'A' sets exactly ('' clears). Changed when
 * the flags lsattr shows (dashes dropped; none when lsattr fails) differ from the ones asked for, and
 * only where chattr is installed.
 */
export interface FlagsPlan {
  steps: Step[];
  before: Record<string, string | null>;
  after: Record<string, string>;
}

function split(attributes: string): { op: string; flags: string } {
  return attributes.startsWith('-') || attributes.startsWith('+') ? { op: attributes[0]!, flags: attributes.slice(1) } : { op: '=', flags: attributes };
}

/** chattr takes any word starting with -, + or = as flags: a relative path must not start so. */
function pathWord(path: string): string {
  return quote(/^[-+=]/.test(path) ? `./${path}` : path);
}

/** The flags of an existing path (lsattr -d) and whether chattr is there: one probe. */
export async function planFlags(path: string, attributes: string | undefined, ctx: Pick<ModuleContext, 'probe'>): Promise<FlagsPlan> {
  const plan: FlagsPlan = { steps: [], before: {}, after: {} };
  if (attributes === undefined) return plan;
  const r = await ctx.probe(
    `command -v chattr >/dev/null 2>&1 || { echo nochattr; exit 0; }; command -v lsattr >/dev/null 2>&1 || { echo flags=; exit 0; }; ` +
      `set -- $(lsattr -d ${pathWord(path)} 2>/dev/null); echo "flags=$1"`,
  );
  const out = r.stdout.trim();
  if (out === 'nochattr') return plan;
  const existing = out.replace(/^flags=/, '').replace(/-/g, '');
  const { op, flags } = split(attributes);
  if (existing === flags && op !== '-') return plan;
  plan.steps.push(chattrStep(pathWord(path), op, flags));
  plan.before.attributes = existing;
  plan.after.attributes = `${op}${flags}`;
  return plan;
}

/**
 * For a path this task makes: compare when the step runs (the new file's flags are not known before),
 * so the step needs no probe.
 */
export function freshFlagsStep(path: string, attributes: string | undefined, word = pathWord(path)): Step | undefined {
  if (attributes === undefined) return undefined;
  const { op, flags } = split(attributes);
  const chattr = chattrStep(word, op, flags).cmd;
  if (op === '-') return { cmd: `if command -v chattr >/dev/null 2>&1; then ${chattr}; fi` };
  return {
    cmd:
      `if command -v chattr >/dev/null 2>&1; then set -- $(lsattr -d ${word} 2>/dev/null); ` +
      `[ "$(printf '%s' "$1" | tr -d -)" = ${quote(flags)} ] || ${chattr}; fi`,
  };
}

/** chattr on a shell word, failing as Ansible does when it says anything on stderr. */
function chattrStep(word: string, op: string, flags: string): Step {
  return { cmd: `e=$(chattr ${quote(`${op}${flags}`)} ${word} 2>&1) && [ -z "$e" ] || { echo "chattr failed: $e" >&2; exit 1; }` };
}
