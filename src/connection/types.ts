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
  password?: string;
  /** become_method: sudo (default) or su (which needs the target user's password). */
  method?: 'sudo' | 'su';
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
  /** ansible_ssh_private_key_file: must be readable. */
  privateKeyPath?: string;
  /**
   * Further keys, tried after privateKeyPath: -i / IdentityFile from the ssh arguments and the ssh
   * config, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa. Missing files are skipped, as ssh does.
   * An encrypted key is opened with `password` as its passphrase (as Ansible's sshpass answers it).
   */
  identityFiles?: string[];
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
  /** ServerAliveInterval (seconds → ms); the pool's default otherwise. */
  keepaliveIntervalMs?: number;
  /** HostKeyAlias: the name the host key is looked up under in known_hosts. */
  hostKeyAlias?: string;
  /** ForwardAgent: commands get the controller's ssh-agent (needs agentSocket). */
  forwardAgent?: boolean;
  /** ProxyJump: reach this host through that one (its own `via` makes a chain). */
  via?: ConnectionTarget;
  /** ProxyCommand, tokens expanded: run it and speak SSH over its stdin/stdout. */
  proxyCommand?: string;
}

/** A connection failure: the host is unreachable (as opposed to a command failing). */
export class UnreachableError extends Error {
  constructor(readonly host: string, message: string) {
    super(message);
    this.name = 'UnreachableError';
  }
}
