import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ParseError, TsplayError, type Source } from '../errors.js';
import { quote } from '../util/quote.js';
import { parseArgs, unrendered, type ArgSpecs } from './args.js';
import { parseMode } from './file-attrs.js';
import { pythonRegExp } from '../util/py-regex.js';
import type { ModuleContext, ModuleDef, Plan } from './types.js';
import { checkValidate, planFileWrite } from './write-file.js';
import { SELINUX_SPECS } from './selinux-args.js';

/** assemble: the files of a directory (on the target, or the controller with remote_src: false), concatenated into dest. */
export interface AssembleArgs {
  src: string;
  dest: string;
  delimiter?: string;
  backup: boolean;
  remote_src: boolean;
  regexp?: string;
  ignore_hidden: boolean;
  validate?: string;
  mode?: string;
  owner?: string;
  group?: string;
}

const specs: ArgSpecs = {
  ...SELINUX_SPECS,
  src: { type: 'path', required: true },
  dest: { type: 'path', required: true },
  delimiter: { type: 'str' },
  backup: { type: 'bool', default: false },
  remote_src: { type: 'bool', default: true },
  regexp: { type: 'str' },
  ignore_hidden: { type: 'bool', default: false },
  validate: { type: 'str' },
  decrypt: { type: 'bool', default: true },
  mode: { type: 'raw' },
  owner: { type: 'str' },
  group: { type: 'str' },
};

function parse(raw: unknown, where: Source, loadTime: boolean): AssembleArgs {
  const args = parseArgs<AssembleArgs & { decrypt?: boolean }>('assemble', specs, raw, where, loadTime);
  delete args.decrypt;
  args.mode = parseMode('assemble', 'mode', args.mode, where, loadTime);
  checkValidate('assemble', args.validate, where, loadTime);
  if (args.regexp !== undefined && !unrendered(args.regexp, loadTime)) {
    try {
      pythonRegExp(args.regexp);
    } catch (e) {
      throw new ParseError(`assemble: Invalid Regexp (${(e as Error).message}) in "${args.regexp}"`, where);
    }
  }
  return args;
}

/** Python's codecs.escape_decode of the delimiter: \n, \t, \\ and friends. */
function unescape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_all, c: string) => {
    if (c[0] === 'x') return String.fromCharCode(Number.parseInt(c.slice(1), 16));
    if (/^[0-7]+$/.test(c)) return String.fromCharCode(Number.parseInt(c, 8));
    return ({ n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' } as Record<string, string>)[c] ?? `\\${c}`;
  });
}

export interface Fragment {
  name: string;
  data: Buffer;
}

/** Ansible's assemble_from_fragments: sorted names, regexp filter, delimiter between, newline glue. */
export function assembleFragments(fragments: Fragment[], a: Pick<AssembleArgs, 'delimiter' | 'regexp' | 'ignore_hidden'>): Buffer {
  const re = a.regexp !== undefined ? pythonRegExp(a.regexp) : undefined;
  const parts: Buffer[] = [];
  let delimit = false;
  let addNewline = false;
  const sorted = [...fragments].sort((x, y) => (Buffer.from(x.name) < Buffer.from(y.name) ? -1 : x.name === y.name ? 0 : 1));
  for (const f of sorted) {
    if (re && !re.test(f.name)) continue;
    if (a.ignore_hidden && f.name.startsWith('.')) continue;
    if (addNewline) parts.push(Buffer.from('\n'));
    if (delimit && a.delimiter) {
      const d = unescape(a.delimiter);
      parts.push(Buffer.from(d, 'utf8'));
      if (!d.endsWith('\n')) parts.push(Buffer.from('\n'));
    }
    parts.push(f.data);
    delimit = true;
    addNewline = f.data.length === 0 || f.data[f.data.length - 1] !== 0x0a;
  }
  return Buffer.concat(parts);
}

const MARK = '@@tsplay-fragment@@';

/** The regular files directly in a directory on the target, with their content (one round trip). */
async function remoteFragments(ctx: ModuleContext, src: string): Promise<Fragment[] | string> {
  const s = quote(src);
  const r = await ctx.probe(
    `if [ ! -e ${s} ]; then echo missing; exit 0; fi; if [ ! -d ${s} ]; then echo notdir; exit 0; fi; echo ok; ` +
      `cd ${s} || exit 1; for f in * .[!.]* ..?*; do if [ -f "$f" ]; then printf '${MARK}%s\\n' "$(printf %s "$f" | base64 -w0)"; base64 < "$f" || exit 1; fi; done`,
  );
  if (r.rc !== 0) throw new TsplayError(`cannot read ${src}: ${r.stderr.trim() || `rc ${r.rc}`}`);
  const [head, ...chunks] = r.stdout.split(MARK);
  if (head!.trim() === 'missing') return `Source (${src}) does not exist`;
  if (head!.trim() === 'notdir') return `Source (${src}) is not a directory`;
  return chunks.map((c) => {
    const nl = c.indexOf('\n');
    return { name: Buffer.from(c.slice(0, nl), 'base64').toString(), data: Buffer.from(c.slice(nl + 1).replace(/\s+/g, ''), 'base64') };
  });
}

function localFragments(ctx: ModuleContext, src: string): Fragment[] | string {
  let dir: string;
  try {
    dir = ctx.findLocalFile('files', src);
  } catch (e) {
    if (e instanceof TsplayError) return `Source (${src}) does not exist`;
    throw e;
  }
  if (!statSync(dir).isDirectory()) return `Source (${src}) is not a directory`;
  return readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isFile())
    .map((name) => ({ name, data: readFileSync(join(dir, name)) }));
}

async function plan(a: AssembleArgs, ctx: ModuleContext): Promise<Plan> {
  const fragments = a.remote_src ? await remoteFragments(ctx, a.src) : localFragments(ctx, a.src);
  if (typeof fragments === 'string') return { steps: [], failed: true, msg: fragments };
  const data = assembleFragments(fragments, a);
  const p = await planFileWrite(
    { module: 'assemble', dest: a.dest, data, mode: a.mode, owner: a.owner, group: a.group, backup: a.backup, validate: a.validate, force: true, result: { src: a.src } },
    ctx,
  );
  return p.failed ? p : { ...p, msg: 'OK', result: { ...p.result, msg: 'OK' } };
}

export const assembleModule: ModuleDef<AssembleArgs> = { name: 'assemble', targetPaths: ['dest', { arg: 'src', when: 'remote_src' }], selinuxArgs: true, parse, plan };
