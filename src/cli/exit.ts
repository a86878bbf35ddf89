/**
 * End the process once stdout and stderr have flushed. process.exit() drops what is still queued for a
 * pipe (Node writes pipes asynchronously), so `tsplay --json | consumer` would get a cut document;
 * an empty write's callback fires only after everything written before it has gone out.
 */
export function exitAfterDrain(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  for (const stream of [process.stdout, process.stderr]) {
    // A reader that went away (EPIPE) must not keep us alive.
    stream.once('error', done);
    if (stream.destroyed || !stream.writable) done();
    else stream.write('', () => done());
  }
}
