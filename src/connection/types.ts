/** Options for one command on a target. */
export interface ExecOptions {
  /** Data written to the command's stdin, then stdin is closed. */
  stdin?: string | Buffer;
  /** Kill the command (on the target) after this many milliseconds; the result has timedOut. */
  timeoutMs?: number;
  /** Environment variables, exported by the shell before the command runs. */
  env?: Record<string, string>;
  /** Run as another user via `sudo -n` (or `sudo -S` when a password is given). */
  become?: Become;
  /** Called with output as it arrives (for -v streaming); the result still holds all of it. */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  /** Abort (kill on the target) when this signal fires. */
  signal?: AbortSignal;
}

export interface Become {
  user: string;
  /** become_method: sudo (default) or su. */
  method?: 'sudo' | 'su';
  password?: string;
}

/** What a command did. stdout/stderr are decoded once, from all raw bytes, as UTF-8. */
export interface ExecResult {
  rc: number;
  stdout: string;
  stderr: string;
  /** Set when the command was killed because its timeout ran out. */
  timedOut?: boolean;
  /** Set when the command was killed through ExecOptions.signal. */
  aborted?: boolean;
}

/** The connection contract: one per host, reused for all of its tasks. */
export interface Connection {
  readonly host: string;
  /** Run a POSIX shell command line (already quoted) on the target. */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
}

/** Everything needed to reach one host, resolved from its variables. */
export interface ConnectionTarget {
  /** inventory_hostname */
  name: string;
  /** ansible_connection: ssh (default) or local */
  kind: 'ssh' | 'local';
  /** ansible_host (defaults to the name) */
  address: string;
  /** ansible_port (default 22) */
  port: number;
  /** ansible_user (default: the controller's user) */
  user: string;
  /** ansible_ssh_private_key_file */
  privateKeyPath?: string;
  /** ssh-agent socket (SSH_AUTH_SOCK), tried alongside the key. */
  agentSocket?: string;
  /** ansible_password / ansible_ssh_pass */
  password?: string;
  /** Verify the host key against known_hosts (default true; host_key_checking: false opts out). */
  hostKeyChecking: boolean;
  /** known_hosts file (default ~/.ssh/known_hosts; tsplay_known_hosts_file or TSPLAY_KNOWN_HOSTS). */
  knownHostsPath: string;
  /** ansible_ssh_timeout / timeout (seconds → ms). */
  connectTimeoutMs: number;
}

/** A connection failure: the host is unreachable (as opposed to a command failing). */
export class UnreachableError extends Error {
  constructor(readonly host: string, message: string) {
    super(message);
    this.name = 'UnreachableError';
  }
}
