/**
 * One set of process-end hooks for everything the test fleet starts (sshds, PostgreSQL, lab daemons):
 * on exit or a signal, every registered cleanup runs; when nobody else handles the signal, the
 * process then dies by it. A single signal handler for all of them — two handlers that each left
 * re-raising to the other made a process that used both the fleet and PostgreSQL ignore Ctrl-C.
 */
const cleanups = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const fn of [...cleanups]) {
    try {
      fn();
    } catch {
      /* best effort: the process is ending */
    }
  }
}

/** Register a synchronous cleanup; returns a function that unregisters it. */
export function onProcessEnd(fn: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', runAll);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const onSignal = (): void => {
        runAll();
        if (process.listenerCount(sig) === 1) {
          process.removeListener(sig, onSignal);
          process.kill(process.pid, sig);
        }
      };
      process.on(sig, onSignal);
    }
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}
