import { ParseError, type Source } from '../errors.js';
import { quote } from '../util/quote.js';
import { parseArgs, type ArgSpecs } from './args.js';
import type { ModuleDef, Plan } from './types.js';
import { abortReason } from '../util/abortable.js';

/**
 * wait_for: wait on the target for a port, a file, or a line in a file — in ONE remote sh loop (no round
 * trip per poll), with the timeout enforced there. Never changes anything; runs in check mode too.
 *
 * How a port is checked (targets have sh + coreutils only):
 * - a local address (127.x, localhost, 0.0.0.0, ::1, or an address of the target itself): listening sockets
 *   are read from /proc/net/tcp and /proc/net/tcp6 — no connection is made;
 * - another host: `nc -z` when the target has nc, else bash's /dev/tcp; with neither the task fails.
 * `state: drained` counts ESTABLISHED connections on the local port in /proc/net/tcp{,6}.
 * `search_regex` is an extended regex (grep -E) matched against the lines of `path` (or, on a port, the
 * first bytes the server sends, which needs nc or bash); `match_groups` come from applying it as a
 * JavaScript regex to the matching line, so use the common subset of both.
 */
export interface WaitForArgs {
  host: string;
  port?: number;
  path?: string;
  state: 'started' | 'stopped' | 'present' | 'absent' | 'drained';
  search_regex?: string;
  timeout: number;
  delay: number;
  sleep: number;
  connect_timeout: number;
  msg?: string;
}

const specs: ArgSpecs = {
  host: { type: 'str', default: '127.0.0.1' },
  port: { type: 'int' },
  path: { type: 'path' },
  state: { type: 'str', default: 'started', choices: ['started', 'stopped', 'present', 'absent', 'drained'] },
  search_regex: { type: 'str' },
  timeout: { type: 'int', default: 300 },
  delay: { type: 'int', default: 0 },
  sleep: { type: 'int', default: 1 },
  connect_timeout: { type: 'int', default: 5 },
  msg: { type: 'str' },
};

function parse(raw: unknown, where: Source, loadTime: boolean): WaitForArgs {
  const a = parseArgs<WaitForArgs>('wait_for', specs, raw, where, loadTime);
  if (loadTime) return a;
  if (a.port !== undefined && a.path !== undefined) throw new ParseError(`wait_for: arguments 'port' and 'path' are mutually exclusive`, where);
  if (a.port !== undefined && (a.port < 1 || a.port > 65535)) throw new ParseError(`wait_for: argument 'port' must be 1-65535, got ${a.port}`, where);
  if (a.path !== undefined && (a.state === 'stopped' || a.state === 'drained')) {
    throw new ParseError(`wait_for: state '${a.state}' needs 'port', not 'path'`, where);
  }
  if (a.port === undefined && a.path === undefined && a.state !== 'started' && a.state !== 'present') {
    throw new ParseError(`wait_for: state '${a.state}' needs 'port' or 'path'`, where);
  }
  if (a.state === 'drained' && a.search_regex !== undefined) throw new ParseError(`wait_for: 'search_regex' does not apply to state drained`, where);
  for (const k of ['timeout', 'delay', 'sleep', 'connect_timeout'] as const) {
    if (a[k] < 0) throw new ParseError(`wait_for: argument '${k}' must not be negative`, where);
  }
  if (a.sleep === 0) a.sleep = 1;
  if (a.search_regex !== undefined) {
    try {
      new RegExp(a.search_regex);
    } catch (e) {
      throw new ParseError(`wait_for: argument 'search_regex' is not a valid regex: ${(e as Error).message}`, where);
    }
  }
  return a;
}

/** An IPv4 address as /proc/net/tcp writes it: little-endian hex, e.g. 127.0.0.1 → 0100007F. */
export function procHex(ipv4: string): string {
  return ipv4
    .split('.')
    .map((o) => Number(o).toString(16).toUpperCase().padStart(2, '0'))
    .reverse()
    .join('');
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|::1?)$/;

/** The sh condition that is true when the wait is over (exported for the pure tests). */
export function condition(a: WaitForArgs): string {
  const P = a.port !== undefined ? a.port.toString(16).toUpperCase().padStart(4, '0') : '';
  if (a.path !== undefined) {
    const p = quote(a.path);
    if (a.search_regex !== undefined) {
      const found = `grep -E -m 1 -e ${quote(a.search_regex)} -- ${p} 2>/dev/null`;
      // The matching line is printed for match_groups; absent = the file has no such line (or is gone).
      return a.state === 'absent' ? `! ${found} >/dev/null` : `line=$(${found}) && printf '%s\\n' "$line" >"$out"`;
    }
    return a.state === 'absent' ? `[ ! -e ${p} ]` : `[ -e ${p} ]`;
  }
  // Neither port nor path: just wait `timeout` seconds, as Ansible does.
  if (a.port === undefined) return `[ $(( $(date +%s) - start )) -ge ${a.timeout} ]`;
  if (a.state === 'drained') {
    // st 01 = ESTABLISHED; local port in field 2 after the colon.
    return `! cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4=="01" && $2 ~ /:${P}$/ {f=1} END {exit !f}'`;
  }
  const host = a.host === 'localhost' ? '127.0.0.1' : a.host;
  if (a.search_regex === undefined && LOOPBACK.test(host)) {
    const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? procHex(host) : '00000000';
    const addrs = v4 === '00000000' ? ['00000000'] : ['00000000', v4];
    const re = addrs.map((x) => `^${x}:${P}$`).join('|');
    // st 0A = LISTEN; an IPv6 wildcard listener (all zeros) also accepts IPv4.
    const listening = `cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4=="0A" && ($2 ~ /${re}/ || $2 ~ /^0{32}:${P}$/) {f=1} END {exit !f}'`;
    return a.state === 'stopped' ? `! ${listening}` : listening;
  }
  const h = quote(host);
  const ct = a.connect_timeout;
  let probe: string;
  if (a.search_regex !== undefined) {
    const read =
      `if command -v nc >/dev/null 2>&1; then timeout ${ct} nc -w ${ct} ${h} ${a.port} </dev/null; ` +
      `elif command -v bash >/dev/null 2>&1; then timeout ${ct} bash -c 'exec 3<>/dev/tcp/$0/$1 && timeout 1 cat <&3' ${h} ${a.port}; ` +
      `else echo 'wait_for: neither nc nor bash on this host to read from a port' >&2; exit 2; fi`;
    probe = `line=$( { ${read} ; } 2>/dev/null | head -c 65536 | grep -E -m 1 -e ${quote(a.search_regex)}) && printf '%s\\n' "$line" >"$out"`;
  } else {
    probe =
      `if command -v nc >/dev/null 2>&1; then nc -z -w ${ct} ${h} ${a.port} 2>/dev/null; ` +
      `elif command -v bash >/dev/null 2>&1; then timeout ${ct} bash -c 'exec 3<>/dev/tcp/$0/$1' ${h} ${a.port} 2>/dev/null; ` +
      `else echo 'wait_for: neither nc nor bash on this host to test a remote port' >&2; exit 2; fi`;
  }
  return a.state === 'stopped' ? `! { ${probe} ; }` : `{ ${probe} ; }`;
}

/** The whole wait as one sh script: prints `elapsed=N` and `status=ok|timeout`, the matching line after. */
export function waitScript(a: WaitForArgs): string {
  return [
    `out=$(mktemp) || exit 1; trap 'rm -f "$out"' EXIT`,
    `start=$(date +%s)`,
    a.delay > 0 ? `sleep ${a.delay}` : ':',
    `while :; do`,
    `  if ${condition(a)}; then st=ok; break; fi`,
    `  now=$(date +%s)`,
    `  if [ $((now - start)) -ge ${a.timeout} ]; then st=timeout; break; fi`,
    `  sleep ${a.sleep}`,
    `done`,
    `echo "elapsed=$(( $(date +%s) - start ))"`,
    `echo "status=$st"`,
    `cat "$out"`,
  ].join('\n');
}

function describe(a: WaitForArgs): string {
  if (a.path !== undefined) return a.search_regex !== undefined ? `${a.search_regex} in ${a.path}` : `${a.path} to be ${a.state}`;
  if (a.port !== undefined) return `${a.host}:${a.port} to be ${a.state}${a.search_regex !== undefined ? ` with ${a.search_regex}` : ''}`;
  return `${a.timeout} seconds`;
}

export const waitForModule: ModuleDef<WaitForArgs> = {
  targetPaths: ['path'],
  name: 'wait_for',
  parse,
  async plan(a, ctx): Promise<Plan> {
    // the wait runs on the host: the task's signal (deadline, timeout, Ctrl-C) kills it there
    const r = await ctx.probe(waitScript(a), { timeoutMs: (a.timeout + a.delay + a.connect_timeout + 30) * 1000, signal: ctx.signal });
    if (ctx.signal.aborted) return { steps: [], failed: true, msg: abortReason(ctx.signal) };
    const lines = r.stdout.split('\n');
    const elapsed = Number(lines.find((l) => l.startsWith('elapsed='))?.slice(8) ?? NaN);
    const status = lines.find((l) => l.startsWith('status='))?.slice(7);
    const result: Record<string, unknown> = { elapsed: Number.isNaN(elapsed) ? 0 : elapsed, state: a.state };
    if (a.port !== undefined) result.port = a.port;
    if (a.path !== undefined) result.path = a.path;
    if (r.rc !== 0 || status === undefined) {
      return { steps: [], result, failed: true, msg: r.stderr.trim() || (r.timedOut ? 'wait_for: timed out' : `wait_for failed (rc ${r.rc})`) };
    }
    if (status === 'timeout') {
      return { steps: [], result, failed: true, msg: a.msg ?? `Timeout when waiting for ${describe(a)}` };
    }
    const statusAt = lines.findIndex((l) => l.startsWith('status='));
    const matched = lines.slice(statusAt + 1).join('\n').replace(/\n$/, '');
    if (a.search_regex !== undefined && a.state !== 'absent' && matched !== '') {
      const m = new RegExp(a.search_regex).exec(matched);
      result.match_line = matched;
      result.match_groups = m ? m.slice(1) : [];
      result.match_groupdict = m?.groups ? { ...m.groups } : {};
    }
    return { steps: [], changed: false, result };
  },
};
