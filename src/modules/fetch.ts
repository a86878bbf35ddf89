import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { Source } from '../errors.js';
import { readRemoteBytes, statFile } from '../facts/file.js';
import { quote } from '../util/quote.js';
import { parseArgs, type ArgSpecs } from './args.js';
import { atomicWriteSteps } from './atomic-write.js';
import type { ModuleContext, ModuleDef, Plan } from './types.js';
import { sha1 } from './write-file.js';

export interface FetchArgs {
  src: string;
  dest: string;
  flat: boolean;
  fail_on_missing: boolean;
  validate_checksum: boolean;
}

const specs: ArgSpecs = {
  src: { type: 'path', required: true },
  dest: { type: 'path', required: true },
  flat: { type: 'bool', default: false },
  fail_on_missing: { type: 'bool', default: true },
  validate_checksum: { type: 'bool', default: true },
};

export function parseFetch(raw: unknown, where: Source, loadTime: boolean): FetchArgs {
  return parseArgs<FetchArgs>('fetch', specs, raw, where, loadTime);
}

/** Where the file lands on the controller: DEST/HOST/SRC-PATH, or with `flat` DEST (or DEST/basename for `dest/`). */
export function fetchDestination(args: FetchArgs, host: string): string {
  if (args.flat) return args.dest.endsWith('/') ? posix.join(args.dest, posix.basename(args.src)) : args.dest;
  return posix.join(args.dest, host, posix.normalize(args.src).replace(/^\/+/, ''));
}

/**
 * Compare the remote file's SHA-1 with the controller copy; only when they differ is the file read
 * (base64 over the channel, so any bytes survive) and written on the controller by an atomic local step.
 */
export async function planFetch(args: FetchArgs, ctx: ModuleContext): Promise<Plan> {
  const dest = fetchDestination(args, ctx.host);
  const result: Record<string, unknown> = { file: args.src, dest };
  const st = await statFile(ctx, args.src, { follow: true, checksum: true });
  if (!st.exists || st.isDir) {
    const msg = st.isDir
      ? 'remote file is a directory, fetch cannot work on directories'
      : 'the remote file does not exist, not transferring, ignored';
    if (args.fail_on_missing) return { steps: [], failed: true, msg, result };
    return { steps: [], msg, result };
  }
  result.remote_checksum = st.sha1;
  const local = existsSync(dest) ? sha1(readFileSync(dest)) : undefined;
  if (local !== undefined && local === st.sha1) return { steps: [], result: { ...result, checksum: local } };
  const data = await readRemoteBytes(ctx, args.src);
  if (data === undefined) return { steps: [], failed: true, msg: `${args.src} vanished while being fetched`, result };
  const checksum = sha1(data);
  if (args.validate_checksum && checksum !== st.sha1) {
    return { steps: [], failed: true, msg: 'checksum mismatch: the remote file changed while it was read', result };
  }
  const write = atomicWriteSteps(dest, data, {});
  return {
    steps: [{ cmd: `mkdir -p -- ${quote(posix.dirname(dest))}`, local: true }, ...write.steps.map((s) => ({ ...s, local: true }))],
    result: { ...result, checksum },
  };
}

export const fetchModule: ModuleDef<FetchArgs> = {
  targetPaths: ['src'],
  name: 'fetch',
  parse: parseFetch,
  plan: planFetch,
};
