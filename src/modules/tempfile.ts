import { ParseError, type Source } from '../errors.js';
import { quote } from '../util/quote.js';
import { parseArgs, unrendered, type ArgSpecs } from './args.js';
import type { ModuleDef, Plan } from './types.js';

/** tempfile: a new temporary file or directory (mktemp on the target); always changed, as in Ansible. */
export interface TempfileArgs {
  state: 'file' | 'directory';
  path?: string;
  prefix: string;
  suffix: string;
}

const specs: ArgSpecs = {
  state: { type: 'str', default: 'file', choices: ['file', 'directory'] },
  path: { type: 'path' },
  prefix: { type: 'str', default: 'ansible.' },
  suffix: { type: 'str', default: '' },
};

function parse(raw: unknown, where: Source, loadTime: boolean): TempfileArgs {
  const args = parseArgs<TempfileArgs>('tempfile', specs, raw, where, loadTime);
  for (const key of ['prefix', 'suffix'] as const) {
    if (!unrendered(args[key], loadTime) && args[key].includes('/')) throw new ParseError(`tempfile: argument '${key}' must not contain '/'`, where);
  }
  return args;
}

/** The mktemp command: Python's mkstemp names are prefix + 8 random characters + suffix. */
export function mktempCommand(a: TempfileArgs): string {
  const dir = a.path !== undefined ? `--tmpdir=${quote(a.path)}` : '--tmpdir';
  const suffix = a.suffix ? ` --suffix=${quote(a.suffix)}` : '';
  return `mktemp${a.state === 'directory' ? ' -d' : ''} ${dir}${suffix} -- ${quote(`${a.prefix}XXXXXXXX`)}`;
}

export const tempfileModule: ModuleDef<TempfileArgs> = {
  targetPaths: ['path'],
  name: 'tempfile',
  parse,
  async plan(a): Promise<Plan> {
    return {
      steps: [{ cmd: mktempCommand(a) }],
      // Ansible's tempfile has no check mode: the task is skipped there.
      unpredictable: true,
      finish(results, base) {
        const r = results[0]!;
        if (r.rc !== 0) return { ...base, changed: false, failed: true, rc: r.rc, msg: r.stderr.trim() || `mktemp failed (rc ${r.rc})` };
        return { ...base, changed: true, path: r.stdout.trim() };
      },
    };
  },
};
