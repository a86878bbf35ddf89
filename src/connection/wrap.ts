import type { ExecOptions } from './types.js';
import { quote } from '../util/quote.js';

/**
 * Turn a command and its options into the script a target's /bin/sh runs, plus the bytes for stdin.
 * Shared by every transport so that environment and become behave the same on SSH and locally.
 * - env: `export K='v';` before the command;
 * - become: `sudo -n -H -u USER -- /bin/sh -c CMD`, or `sudo -S -p ''` with the password as
 *   the first line of stdin when a become password is set.
 */
export function wrapCommand(command: string, opts: ExecOptions): { script: string; stdin?: string | Buffer } {
  let script = command;
  if (opts.env && Object.keys(opts.env).length > 0) {
    const exports = Object.entries(opts.env)
      .map(([k, v]) => {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invalid environment variable name: ${k}`);
        return `export ${k}=${quote(v)};`;
      })
      .join(' ');
    script = `${exports} ${script}`;
  }
  let stdin = opts.stdin;
  if (opts.become) {
    const user = quote(opts.become.user || 'root');
    if (opts.become.password !== undefined) {
      script = `sudo -S -p '' -H -u ${user} -- /bin/sh -c ${quote(script)}`;
      const pw = Buffer.from(opts.become.password + '\n', 'utf8');
      stdin = stdin === undefined ? pw : Buffer.concat([pw, Buffer.isBuffer(stdin) ? stdin : Buffer.from(stdin, 'utf8')]);
    } else {
      script = `sudo -n -H -u ${user} -- /bin/sh -c ${quote(script)}`;
    }
  }
  return { script, stdin };
}
