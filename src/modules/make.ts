import { quote } from '../util/quote.js';
import { parseArgs, type ArgSpecs } from './args.js';
import type { ModuleDef, Outcome, Plan } from './types.js';

export interface MakeArgs {
  chdir: string;
  target?: string;
  params?: Record<string, unknown>;
  jobs?: number;
  file?: string;
  make?: string;
}

const specs: ArgSpecs = {
  chdir: { type: 'path', required: true },
  target: { type: 'str' },
  params: { type: 'dict' },
  jobs: { type: 'int' },
  file: { type: 'path' },
  make: { type: 'path' },
};

/** community.general.make's command: make [--jobs=N] [--file F] [target] [K=V...], in chdir. */
export function makeCommand(args: MakeArgs): string[] {
  const cmd = [args.make ?? 'make'];
  if (args.jobs !== undefined) cmd.push(`--jobs=${args.jobs}`);
  if (args.file) cmd.push('--file', args.file);
  if (args.target) cmd.push(args.target);
  for (const [k, v] of Object.entries(args.params ?? {})) cmd.push(v === null || v === undefined ? k : `${k}=${String(v)}`);
  return cmd;
}

/** `make -q` answers 0 (up to date: nothing to do), 1 (the target must be made) or 2 (an error). */
export function planMake(args: MakeArgs, question: { rc: number; stderr: string }): Plan {
  const argv = makeCommand(args);
  const command = argv.join(' ');
  const result = { chdir: args.chdir, command, file: args.file ?? null, jobs: args.jobs ?? null, params: args.params ?? null, target: args.target ?? null };
  if (question.rc === 127) return { steps: [], failed: true, msg: `${argv[0]} was not found on the target`, result };
  if (question.rc === 0) return { steps: [], result };
  const cmd = `cd ${quote(args.chdir)} && ${argv.map((a) => quote(a)).join(' ')}`;
  return {
    steps: [{ cmd }],
    result,
    finish: (results, base): Outcome => {
      const r = results[0]!;
      const out = { ...base, rc: r.rc, stdout: r.stdout, stderr: r.stderr };
      return r.rc === 0 ? out : { ...out, failed: true, msg: r.stderr.trim().split('\n').pop() || `${command} failed with rc ${r.rc}` };
    },
  };
}

export const makeModule: ModuleDef<MakeArgs> = {
  targetPaths: ['chdir', 'file', 'make'],
  name: 'make',
  aliases: ['community.general.make'],
  parse: (raw, where, loadTime) => parseArgs<MakeArgs>('make', specs, raw, where, loadTime),
  async plan(args, ctx) {
    const argv = makeCommand(args);
    const q = await ctx.probe(
      `command -v ${quote(argv[0]!)} >/dev/null 2>&1 || exit 127; cd ${quote(args.chdir)} || exit 2; ${[argv[0]!, '-q', ...argv.slice(1)].map((a) => quote(a)).join(' ')} >/dev/null`,
    );
    return planMake(args, q);
  },
};
