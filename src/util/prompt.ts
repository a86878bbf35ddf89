/**
 * Ask for a secret (vault, SSH or become password) as Ansible does: on a terminal the prompt goes to
 * stderr and nothing is echoed; without one (a pipe, a job) each question reads the next line of stdin.
 */
let pending: string | undefined;
let stdinEnded = false;
const waiters: (() => void)[] = [];
let attached = false;

function attach(): void {
  if (attached) return;
  attached = true;
  pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (c: string) => {
    pending += c;
    waiters.splice(0).forEach((w) => w());
  });
  process.stdin.on('end', () => {
    stdinEnded = true;
    waiters.splice(0).forEach((w) => w());
  });
}

async function readLinePiped(): Promise<string | undefined> {
  attach();
  for (;;) {
    const nl = pending!.indexOf('\n');
    if (nl >= 0) {
      const line = pending!.slice(0, nl).replace(/\r$/, '');
      pending = pending!.slice(nl + 1);
      if (pending === '') process.stdin.pause();
      return line;
    }
    if (stdinEnded) {
      const rest = pending!;
      pending = '';
      return rest === '' ? undefined : rest;
    }
    process.stdin.resume();
    await new Promise<void>((r) => waiters.push(r));
  }
}

function readLineHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    let value = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('interrupted'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** The answer, or undefined when stdin has nothing more to give. */
export async function askSecret(prompt: string): Promise<string | undefined> {
  if (process.stdin.isTTY) return readLineHidden(prompt);
  return readLinePiped();
}
