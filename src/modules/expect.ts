import { ParseError } from '../errors.js';
import { quote } from '../util/quote.js';
import { parseArgs, unrendered, type ArgSpecs } from './args.js';
import type { ModuleDef, Outcome, Plan } from './types.js';

export interface ExpectArgs {
  command: string;
  responses: Record<string, unknown>;
  creates?: string;
  removes?: string;
  chdir?: string;
  timeout: number | null;
  echo: boolean;
}

const specs: ArgSpecs = {
  command: { type: 'str', required: true },
  responses: { type: 'dict', required: true },
  creates: { type: 'path' },
  removes: { type: 'path' },
  chdir: { type: 'path' },
  timeout: { type: 'raw', default: 30 },
  echo: { type: 'bool', default: false },
};

/** A Tcl word holding any text: base64-decoded at run time, so no quoting rule of Tcl can be broken. */
const tcl = (s: string) => `[encoding convertfrom utf-8 [binary decode base64 ${Buffer.from(s, 'utf8').toString('base64')}]]`;

/**
 * The expect(1) script: spawn the command through sh, answer each prompt (a regular expression) with its
 * response — a list answers successive matches, as in Ansible — and exit with the command's status.
 */
export function expectScript(args: ExpectArgs): string {
  const lines = [
    'log_user 1',
    `set timeout ${args.timeout === null ? -1 : args.timeout}`,
    ...(args.chdir ? [`cd ${tcl(args.chdir)}`] : []),
    `spawn -noecho /bin/sh -c ${tcl(args.command)}`,
    ...(args.echo ? [] : ['catch {stty -echo}']),
  ];
  const arms: string[] = [];
  Object.entries(args.responses).forEach(([pattern, response], i) => {
    const list = Array.isArray(response) ? response.map(String) : [String(response)];
    lines.push(`set r${i} [list ${list.map(tcl).join(' ')}]`, `set n${i} 0`);
    const more = Array.isArray(response)
      ? `if {$n${i} >= [llength $r${i}]} { puts stderr "No remaining responses for '[binary decode base64 ${Buffer.from(pattern).toString('base64')}]'"; exit 3 }; `
      : `set n${i} 0; `;
    arms.push(`  -re ${tcl(pattern)} { ${more}send -- "[lindex $r${i} $n${i}]\\n"; incr n${i}; exp_continue }`);
  });
  lines.push('expect {', ...arms, '  timeout { puts stderr "command exceeded timeout"; exit 124 }', '  eof', '}');
  lines.push('lassign [wait] pid spawnid oserr status', 'exit $status');
  return lines.join('\n') + '\n';
}

export function planExpect(args: ExpectArgs, probe: string): Plan {
  if (probe.includes('@no-expect')) {
    return { steps: [], failed: true, msg: 'the expect module needs the expect(1) program on the target (Debian/RHEL package "expect"); it is not installed' };
  }
  if (args.creates && probe.includes('@creates-exists')) return { steps: [], result: { cmd: args.command, stdout: `skipped, since ${args.creates} exists`, rc: 0 } };
  if (args.removes && probe.includes('@removes-missing')) return { steps: [], result: { cmd: args.command, stdout: `skipped, since ${args.removes} does not exist`, rc: 0 } };
  const script = expectScript(args);
  // The script (responses may be secrets) goes through stdin into a 0600 file, never on argv.
  const cmd = `umask 077; t=$(mktemp) || exit 1; trap 'rm -f "$t"' EXIT; cat > "$t"; expect -f "$t" < /dev/null`;
  const start = new Date();
  return {
    steps: [{ cmd, stdin: script, ...(args.timeout !== null ? { timeoutMs: (args.timeout + 30) * 1000 * Math.max(1, Object.keys(args.responses).length) } : {}) }],
    changed: true,
    unpredictable: true,
    result: { cmd: args.command },
    finish: (results, base): Outcome => {
      const r = results[0]!;
      const end = new Date();
      const stdout = r.stdout.replace(/\r\n/g, '\n').replace(/\n+$/, '');
      const out: Outcome = { ...base, rc: r.rc, stdout, stdout_lines: stdout ? stdout.split('\n') : [], start: start.toISOString(), end: end.toISOString() };
      if (r.rc === 124 && /command exceeded timeout/.test(r.stderr)) return { ...out, failed: true, rc: null, msg: 'command exceeded timeout' };
      if (r.rc === 3 && /No remaining responses/.test(r.stderr)) return { ...out, failed: true, msg: `${r.stderr.trim()}, output was '${stdout}'` };
      return r.rc === 0 ? out : { ...out, failed: true, msg: 'non-zero return code' };
    },
  };
}

export const expectModule: ModuleDef<ExpectArgs> = {
  targetPaths: ['chdir', 'creates', 'removes'],
  name: 'expect',
  parse(raw, where, loadTime) {
    const args = parseArgs<ExpectArgs>('expect', specs, raw, where, loadTime);
    // `timeout: null` (no time limit) is a value here, not "unset".
    if (raw && typeof raw === 'object' && (raw as Record<string, unknown>).timeout === null) args.timeout = null;
    const t = args.timeout as unknown;
    if (t !== null && !unrendered(t, loadTime)) {
      const n = typeof t === 'string' && /^\s*\d+\s*$/.test(t) ? Number(t) : t;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new ParseError(`expect: argument 'timeout' must be an integer or null, got ${JSON.stringify(t)}`, where);
      args.timeout = n;
    }
    if (!loadTime && args.command.trim() === '') throw new ParseError("expect: no command given", where);
    return args;
  },
  async plan(args, ctx) {
    const checks = ['command -v expect >/dev/null 2>&1 || echo "@no-expect"'];
    const at = (p: string) => (args.chdir && !p.startsWith('/') ? `${args.chdir}/${p}` : p);
    if (args.creates) checks.push(`[ -e ${quote(at(args.creates))} ] && echo "@creates-exists"`);
    if (args.removes) checks.push(`[ -e ${quote(at(args.removes))} ] || echo "@removes-missing"`);
    const r = await ctx.probe(checks.join('; ') + '; true');
    return planExpect(args, r.stdout);
  },
};
