import { LocalConnection } from './local.js';
import { SshConnection } from './ssh.js';
import type { SshOpenOptions } from './ssh-open.js';
import { UnreachableError, type Connection, type ConnectionTarget } from './types.js';

/**
 * One connection per host for the whole run. Concurrent get()s for a host share one connect;
 * a host that failed to connect keeps failing with the same UnreachableError (no reconnect storm).
 */
export class ConnectionPool {
  private readonly connections = new Map<string, Promise<Connection>>();
  private readonly opened = new Map<string, number>();

  constructor(private readonly options: SshOpenOptions = {}) {}

  get(target: ConnectionTarget): Promise<Connection> {
    let conn = this.connections.get(target.name);
    if (!conn) {
      conn = this.open(target);
      // a failed connect is remembered, but must not count as an unhandled rejection
      conn.catch(() => {});
      this.connections.set(target.name, conn);
    }
    return conn;
  }

  private async open(target: ConnectionTarget): Promise<Connection> {
    this.opened.set(target.name, (this.opened.get(target.name) ?? 0) + 1);
    if (target.kind === 'local') return new LocalConnection(target.name);
    try {
      return await SshConnection.open(target, this.options);
    } catch (e) {
      if (e instanceof UnreachableError) throw e;
      throw new UnreachableError(target.name, (e as Error).message);
    }
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
