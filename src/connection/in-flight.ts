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

/** Under the remote user's tmp dir: one marker file per command in flight, `RUN.PID`. */
export const MARKER_DIR = '.tsplay-commands';
let marker: string | undefined;

/** The run id every remote command of this process marks itself with (set by the CLI's journal). */
export function setCommandMarker(run: string | undefined): void {
  marker = run === undefined ? undefined : run.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export function commandMarker(): string | undefined {
  return marker;
}

/**
 * The script that kills the commands earlier runs left running on a host (their controller was
 * killed): for each marker of those runs, TERM then KILL its process group, and remove the marker.
 * Prints the pids it killed.
 */
export function killLeftoversScript(runs: string[]): string {
  const names = runs.map((r) => `"$m"/'${r.replace(/[^A-Za-z0-9_.-]/g, '_')}'.*`).join(' ');
  return (
    `m="\${TMPDIR:-/tmp}/${MARKER_DIR}"; for f in ${names}; do [ -f "$f" ] || continue; p=\${f##*.}; ` +
    `if kill -0 -"$p" 2>/dev/null; then kill -TERM -"$p" 2>/dev/null; i=0; while [ $i -lt 20 ] && kill -0 -"$p" 2>/dev/null; do sleep 0.1; i=$((i+1)); done; ` +
    `kill -KILL -"$p" 2>/dev/null; echo "$p"; fi; rm -f "$f"; done; true`
  );
}
