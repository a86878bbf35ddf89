import type { ExecResult } from '../connection/types.js';
import { ParseError, type Source } from '../errors.js';
import { readRemoteFile } from '../facts/file.js';
import { quote } from '../util/quote.js';
import { parseArgs, unrendered, type ArgSpecs } from './args.js';
import { atomicWriteSteps } from './atomic-write.js';
import { applyDefines, differences, mergePreserved, unifiedDiff } from './kamailio-config.js';
import type { FileDiff, ModuleDef, Outcome, Plan, Step } from './types.js';

/**
 * kamailio: compare the live Kamailio config with the one a package ships, or install the shipped one
 * keeping the site's own lines (see mergePreserved for the rule), validated with `kamailio -c -f` on a
 * temp file in the live file's directory before it replaces the live file. `defines`/`undefines` manage
 * `#!define NAME` lines in `local_cfg` (applied with state: installed, written before the main config so
 * that its validation sees them; reported as `defines_missing` with state: diff).
 */
export interface KamailioArgs {
  live: string;
  shipped: string;
  state: 'diff' | 'installed';
  preserve: string[];
  fail_on_diff: boolean;
  backup: boolean;
  local_cfg: string;
  defines: string[];
  undefines: string[];
  kamailio_bin: string;
}

const specs: ArgSpecs = {
  live: { type: 'path', default: '/etc/kamailio/kamailio.cfg', aliases: ['dest'] },
  shipped: { type: 'path', default: '/opt/sre/etc/kamailio/kamailio.cfg', aliases: ['src'] },
  state: { type: 'str', default: 'diff', choices: ['diff', 'installed'] },
  preserve: { type: 'list', elements: 'str', default: ['^listen=', '^alias=', '^advertise'] },
  fail_on_diff: { type: 'bool', default: false },
  backup: { type: 'bool', default: true },
  local_cfg: { type: 'path', default: '/etc/kamailio/kamailio-local.cfg' },
  defines: { type: 'list', elements: 'str', default: [] },
  undefines: { type: 'list', elements: 'str', default: [] },
  kamailio_bin: { type: 'str', default: 'kamailio' },
};

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
function parse(raw: unknown, where: Source, loadTime: boolean): KamailioArgs {
  const args = parseArgs<KamailioArgs>('kamailio', specs, raw, where, loadTime);
  // At load time a list may still be one template string: checked again once rendered.
  if (loadTime && ![args.preserve, args.defines, args.undefines].every(Array.isArray)) return args;
  args.preserve.forEach((p, i) => {
    if (unrendered(p, loadTime)) return;
    try {
      new RegExp(p);
    } catch (e) {
      throw new ParseError(`kamailio: argument 'preserve[${i}]' is not a valid regex: ${(e as Error).message}`, where);
    }
  });
  for (const key of ['defines', 'undefines'] as const) {
    args[key].forEach((n, i) => {
      if (!unrendered(n, loadTime) && !NAME.test(n)) {
        throw new ParseError(`kamailio: argument '${key}[${i}]' must be a name like WITH_REGISTER_CLIENT, got ${JSON.stringify(n)}`, where);
      }
    });
  }
  const both = args.defines.filter((n) => args.undefines.includes(n));
  if (both.length > 0) throw new ParseError(`kamailio: '${both[0]}' is in both 'defines' and 'undefines'`, where);
  if (args.fail_on_diff && args.state === 'installed') {
    throw new ParseError(`kamailio: argument 'fail_on_diff' applies to state: diff only`, where);
  }
  return args;
}

/** Kamailio's own error lines (its parser prints CRITICAL/ERROR lines) from a failed validation. */
export function validationMessage(r: ExecResult, live: string): string {
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const own = lines.filter((l) => /CRITICAL|ERROR|error/.test(l) && !l.startsWith('failed to validate'));
  const cleaned = (own.length > 0 ? own : lines).map((l) =>
    l
      .replace(/^\s*\d+\(\d+\)\s*/, '') // "0(1234) " process prefix
      .replace(/^(CRITICAL|ERROR): <\w+> \[[^\]]*\]: \w+\(\): /, '') // "<core> [core/cfg.y:3783]: yyerror_at(): "
      .replace(/\S*\/\.[^/\s]*\.tsplay\.[A-Za-z0-9]{6}\b/g, `new ${live}`),
  );
  // kamailio repeats a parse error without its last words: keep the fullest line of each.
  const why = [...new Set(cleaned)].filter((l, _i, all) => !all.some((o) => o !== l && o.startsWith(l.replace(/:$/, '')))).join('; ');
  return `kamailio config check failed, ${live} left unchanged: ${why || `rc ${r.rc}`}`;
}

export const kamailioModule: ModuleDef<KamailioArgs> = {
  name: 'kamailio',
  aliases: ['kamailio_config'],
  parse,
  async plan(args, ctx): Promise<Plan> {
    const patterns = args.preserve.map((p) => new RegExp(p));
    const wantLocal = args.defines.length > 0 || args.undefines.length > 0;
    const [live, shipped, local] = await Promise.all([
      readRemoteFile(ctx, args.live),
      readRemoteFile(ctx, args.shipped),
      wantLocal ? readRemoteFile(ctx, args.local_cfg) : Promise.resolve(undefined),
    ]);
    if (shipped === undefined) return { steps: [], failed: true, msg: `shipped config ${args.shipped} not found` };
    const before = live ?? '';
    const diffText = unifiedDiff(args.live, args.shipped, before, shipped);
    const diffs = differences(before, shipped, patterns);
    const localPlan = wantLocal ? applyDefines(local, args.defines, args.undefines) : undefined;
    const result: Record<string, unknown> = {
      live: args.live,
      shipped: args.shipped,
      live_exists: live !== undefined,
      diff_text: diffText,
      differences: diffs,
    };

    if (args.state === 'diff') {
      if (localPlan) result.defines_missing = localPlan.added;
      const diff: FileDiff[] =
        before === shipped ? [] : [{ path: args.live, before, after: shipped, beforeHeader: args.live, afterHeader: args.shipped }];
      if (args.fail_on_diff && diffs.length > 0) {
        return {
          steps: [],
          diff,
          result,
          failed: true,
          msg: `${args.live} differs from ${args.shipped} in ${diffs.length} line(s) beyond the preserved ones: ${diffs.slice(0, 5).join(' | ')}`,
        };
      }
      const msg = diffs.length === 0 ? 'no differences beyond the preserved lines' : `${diffs.length} differing line(s)`;
      return { steps: [], changed: false, diff, result, msg };
    }

    const steps: Step[] = [];
    const diff: FileDiff[] = [];
    if (localPlan && localPlan.text !== (local ?? '')) {
      steps.push(...atomicWriteSteps(args.local_cfg, localPlan.text, { backup: args.backup }).steps);
      diff.push({ path: args.local_cfg, before: local ?? '', after: localPlan.text });
      result.defines_added = localPlan.added;
      result.defines_removed = localPlan.removed;
    }
    const merged = mergePreserved(shipped, live, patterns);
    const cfgStepIndex = steps.length;
    if (merged !== before || live === undefined) {
      const write = atomicWriteSteps(args.live, merged, {
        backup: args.backup,
        validate: `${quote(args.kamailio_bin)} -c -f %s`,
      });
      steps.push(...write.steps);
      diff.push({ path: args.live, before, after: merged });
      if (write.backupFile && live !== undefined) result.backup_file = write.backupFile;
    }
    return {
      steps,
      diff,
      result,
      msg: steps.length === 0 ? 'live config already matches the shipped one' : undefined,
      finish: (results, base): Outcome => {
        const failedAt = results.findIndex((r) => r.rc !== 0 || r.timedOut);
        if (failedAt < 0) return base;
        const r = results[failedAt]!;
        const { backup_file: _b, ...rest } = base;
        const msg =
          failedAt === cfgStepIndex && /failed to validate/.test(r.stderr)
            ? validationMessage(r, args.live)
            : `writing ${failedAt === cfgStepIndex ? args.live : args.local_cfg} failed: ${r.stderr.trim() || `rc ${r.rc}`}`;
        return { ...rest, changed: failedAt > 0, failed: true, rc: r.rc, stderr: r.stderr, msg };
      },
    };
  },
};
