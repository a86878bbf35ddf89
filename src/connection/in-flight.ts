/**
 * Every command in flight, across connections, with the way to kill it: a second Ctrl-C kills them
 * all — guard teardowns and always sections included, whose commands no signal of the run stops — and
 * the CLI waits for the kills to reach the hosts before it exits, so no command outlives it.
 */
interface Entry {
  kill(): void;
  done: Promise<void>;
}
const running = new Set<Entry>();

/** Register a command by its kill function; call the returned function once it settled. */
export function register(kill: () => void): () => void {
  let settled!: () => void;
  const entry: Entry = { kill, done: new Promise<void>((r) => (settled = r)) };
  running.add(entry);
  return () => {
    running.delete(entry);
    settled();
  };
}

/** Kill every command in flight (each kills its whole process group on its host); how many there were. */
export function killAll(): number {
  const n = running.size;
  for (const e of [...running]) e.kill();
  return n;
}

/** Resolves when every command in flight has settled, or after `ms` (a host that does not answer). */
export async function commandsSettled(ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((r) => (timer = setTimeout(r, ms)));
  await Promise.race([Promise.all([...running].map((e) => e.done)), limit]);
  clearTimeout(timer);
}
