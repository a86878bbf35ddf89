import { ParseError } from '../errors.js';
import { hostPkgMgr } from '../facts/pkg-mgr.js';
import { unrendered } from './args.js';
import { aptModule } from './apt.js';
import { expandTargetPaths } from './target-paths.js';
import { dnfModule } from './package.js';
import type { ModuleDef } from './types.js';

/** `package`: the arguments go to the host's package manager module (yum/dnf or apt), as Ansible's package does. */
export interface PackageAnyArgs {
  use: 'auto' | 'yum' | 'dnf' | 'apt';
  /** The arguments without `use`, for the chosen module. */
  rest: Record<string, unknown>;
}

const BACKENDS = ['auto', 'yum', 'dnf', 'apt'] as const;

/** apt spells two of package's states differently. */
function forApt(rest: Record<string, unknown>): Record<string, unknown> {
  const state = rest.state === 'installed' ? 'present' : rest.state === 'removed' ? 'absent' : rest.state;
  return state === undefined ? rest : { ...rest, state };
}

function parseFor(use: string, rest: Record<string, unknown>, where: Parameters<ModuleDef['parse']>[1], loadTime: boolean): unknown {
  return use === 'apt' ? aptModule.parse(forApt(rest), where, loadTime) : dnfModule.parse(rest, where, loadTime);
}


export const packageModule: ModuleDef<PackageAnyArgs> = {
  name: 'package',
  parse(raw, where, loadTime) {
    if (raw === null || raw === undefined) raw = {};
    if (typeof raw !== 'object' || Array.isArray(raw)) return dnfModule.parse(raw, where, loadTime) as never;
    const { use = 'auto', ...rest } = raw as Record<string, unknown>;
    if (!unrendered(use, loadTime) && !(BACKENDS as readonly unknown[]).includes(use)) {
      throw new ParseError(`package: argument 'use' must be one of ${BACKENDS.join(', ')}, got ${JSON.stringify(use)}`, where);
    }
    if (use !== 'auto' && !unrendered(use, loadTime)) parseFor(String(use), rest, where, loadTime);
    else {
      // Not known before the host is: the arguments must suit one of the managers.
      try {
        parseFor('yum', rest, where, loadTime);
      } catch (yumErr) {
        try {
          parseFor('apt', rest, where, loadTime);
        } catch {
          throw yumErr;
        }
      }
    }
    return { use: use as PackageAnyArgs['use'], rest };
  },
  async plan(args, ctx) {
    const use = args.use === 'auto' ? await hostPkgMgr(ctx) : args.use;
    // the chosen module's target paths (apt's `deb`) as runModule expands them for that module
    if (use === 'apt') return aptModule.plan(await expandTargetPaths(aptModule.parse(forApt(args.rest), ctx.where, false), aptModule.targetPaths, ctx.probe), ctx);
    if (use === 'yum' || use === 'dnf') return dnfModule.plan(dnfModule.parse(args.rest, ctx.where, false), ctx);
    return { steps: [], failed: true, msg: `package: no supported package manager (dnf, yum, apt) on this host (found: ${use})` };
  },
};
