import type { ExecOptions } from './types.js';
import { quote } from '../util/quote.js';
import { TsplayError } from '../errors.js';

/**
 * Printed to stderr by the become'd shell before the command starts: whatever came before it was
 * sudo's or su's password prompt (removed from the output); no marker means become itself failed.
 */
export const BECOME_MARK = '\x1ftsplay-become-ok';

/**
 * Turn a command and its options into the script a target's /bin/sh runs, plus the bytes for stdin.
 * Shared by every transport so that environment and become behave the same on SSH and locally.
 * - env: `export K='v';` before the command;
 * - become: `sudo -n -H -u USER -- /bin/sh -c CMD`; with a become password, `sudo -S -p PROMPT`
 *   or `su USER -c …` reading the password as the first line of stdin — never on the command line —
 *   and a marker line (BECOME_MARK) once become succeeded (see become.ts).
 */
export function wrapCommand(command: string, opts: ExecOptions): { script: string; stdin?: string | Buffer } {
  // No command line can carry a NUL byte (SSH drops the connection over one): the task fails, clearly.
  const nul = command.includes('\0') ? 'the command' : Object.entries(opts.env ?? {}).find(([, v]) => v.includes('\0'))?.[0];
  if (nul !== undefined) {
    throw new TsplayError(`a value contains a NUL byte (\\0), which no command line can carry: ${nul === 'the command' ? nul : `environment variable ${nul}`} was not sent`);
  }
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
    const marked = `printf '%s\\n' "$(printf '\\037')tsplay-become-ok" >&2; exec /bin/sh -c ${quote(script)}`;
    if (opts.become.method === 'su') {
      // su reads the target user's password from stdin when it has no terminal
      script = `su ${user} -c ${quote(marked)}`;
    } else if (opts.become.password !== undefined) {
      script = `sudo -S -p '[sudo via tsplay] password: ' -H -u ${user} -- /bin/sh -c ${quote(marked)}`;
    } else {
      script = `sudo -n -H -u ${user} -- /bin/sh -c ${quote(script)}`;
    }
    if (opts.become.password !== undefined) {
      const pw = Buffer.from(opts.become.password + '\n', 'utf8');
      stdin = stdin === undefined ? pw : Buffer.concat([pw, Buffer.isBuffer(stdin) ? stdin : Buffer.from(stdin, 'utf8')]);
    }
  }
  return { script, stdin };
}
