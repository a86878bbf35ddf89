import { LocalConnection } from './local.js';
import { SshConnection } from './ssh.js';
import type { SshOpenOptions } from './ssh-open.js';
import { UnreachableError, type Connection, type ConnectionTarget, type ExecOptions, type ExecResult } from './types.js';

/**
 * One connection per host for the whole run. Concurrent get()s for a host share one connect;
 * a host that failed to connect keeps failing with the same UnreachableError (no reconnect storm).
 */
export class ConnectionPool {
  private readonly connections = new Map<string, Promise<Connection>>();
  private readonly opened = new Map<string, number>();

  constructor(private readonly options: SshOpenOptions = {}) {}

  get(target: ConnectionTarget): Promise<Connection> {
    // One connection per host *and* identity: a task that connects as another user, to another port
    // or locally (remote_user, port, connection, ansible_user in task vars) must not reuse another's.
    const key = `${target.name}\0${target.kind}\0${target.user}@${target.address}:${target.port}`;
    let conn = this.connections.get(key);
    if (!conn) {
      conn = this.open(target);
      // a failed connect is remembered, but must not count as an unhandled rejection
      conn.catch(() => {});
      this.connections.set(key, conn);
    }
    return conn;
  }

  private async open(target: ConnectionTarget): Promise<Connection> {
    this.opened.set(target.name, (this.opened.get(target.name) ?? 0) + 1);
    if (target.kind === 'local') return new LocalConnection(target.name);
    return new ReopeningConnection(target, await this.connect(target), () => this.reopen(target));
  }

  private async connect(target: ConnectionTarget): Promise<SshConnection> {
    try {
      return await SshConnection.open(target, this.options);
    } catch (e) {
      if (e instanceof UnreachableError) throw e;
      throw new UnreachableError(target.name, (e as Error).message);
    }
  }

  private reopen(target: ConnectionTarget): Promise<SshConnection> {
    this.opened.set(target.name, (this.opened.get(target.name) ?? 0) + 1);
    return this.connect(target);
  }

  /** How many connections were opened to this host (tests assert it stays 1). */
  openedCount(host: string): number {
    return this.opened.get(host) ?? 0;
  }

  async closeAll(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.close()));
  }
}

/**
 * The host's one connection. When the host dropped it (a reboot, sshd restarted), the next command
 * opens a new one — so wait_for_connection can ride out a restart; the command in flight when it
 * dropped still failed as unreachable.
 */
class ReopeningConnection implements Connection {
  readonly host: string;

  constructor(
    target: ConnectionTarget,
    private current: SshConnection,
    private readonly reopen: () => Promise<SshConnection>,
  ) {
    this.host = target.name;
  }

  async exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
    if (!this.current.alive) this.current = await this.reopen();
    return this.current.exec(command, opts);
  }

  close(): Promise<void> {
    return this.current.close();
  }
}
