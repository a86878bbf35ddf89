import type { NodeSSH } from 'node-ssh';
import { checkBecome } from './become.js';
import { LocalConnection } from './local.js';
import { SshConnection } from './ssh.js';
import { openSsh, type SshOpenOptions } from './ssh-open.js';
import { forwardThrough, proxyCommandTransport, type Transport } from './transport.js';
import { abortable } from '../util/abortable.js';
import { UnreachableError, type Connection, type ConnectionTarget, type ExecOptions, type ExecResult } from './types.js';

/**
 * One connection per host for the whole run. Concurrent get()s for a host share one connect;
 * a host that failed to connect keeps failing with the same UnreachableError (no reconnect storm).
 */
export class ConnectionPool {
  private readonly connections = new Map<string, Promise<Connection>>();
  private readonly opened = new Map<string, number>();
  /** Jump host connections (ProxyJump), one per hop, shared by every host behind it. */
  private readonly jumps = new Map<string, Promise<NodeSSH>>();

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
    let transport: Transport | undefined;
    try {
      transport = await this.transport(target);
      return await SshConnection.open(target, { ...this.options, ...(transport ? { sock: transport.sock } : {}) });
    } catch (e) {
      const why = await transport?.failure();
      if (why) throw new UnreachableError(target.name, why);
      if (e instanceof UnreachableError) throw e.host === target.name ? e : new UnreachableError(target.name, `through ${e.host}: ${e.message}`);
      throw new UnreachableError(target.name, (e as Error).message);
    }
  }

  /** How to reach a host that is not reached by TCP directly: through its jump host, or a ProxyCommand. */
  private async transport(target: ConnectionTarget): Promise<Transport | undefined> {
    if (target.via) {
      const jump = await this.jump(target.via);
      return forwardThrough(jump.connection!, target.via.name, target);
    }
    if (target.proxyCommand) return proxyCommandTransport(target.proxyCommand);
    return undefined;
  }

  /** The jump host's connection: opened once (through its own jump host, if any), reopened once it dropped. */
  private jump(hop: ConnectionTarget): Promise<NodeSSH> {
    const key = jumpKey(hop);
    let conn = this.jumps.get(key);
    if (!conn) {
      conn = (async () => {
        this.opened.set(hop.name, (this.opened.get(hop.name) ?? 0) + 1);
        let transport: Transport | undefined;
        try {
          transport = await this.transport(hop);
          const ssh = await openSsh(hop, { ...this.options, ...(transport ? { sock: transport.sock } : {}) });
          const forget = () => this.jumps.get(key) === conn && this.jumps.delete(key);
          ssh.connection!.on('close', forget);
          ssh.connection!.on('error', forget);
          return ssh;
        } catch (e) {
          const why = await transport?.failure();
          if (why) throw new UnreachableError(hop.name, why);
          throw e;
        }
      })();
      const mine = conn;
      // a failed jump is tried again by the next host behind it (it may have been restarted)
      conn.catch(() => this.jumps.get(key) === mine && this.jumps.delete(key));
      this.jumps.set(key, conn);
    }
    return conn;
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
    // jump hosts last: the connections through them are closed by now (innermost hop first)
    const jumps = [...this.jumps.values()].reverse();
    this.jumps.clear();
    for (const j of jumps) (await j.catch(() => undefined))?.dispose();
  }
}

/** Which jump connection a hop is: its user, address and port, and the hops before it. */
function jumpKey(hop: ConnectionTarget): string {
  return `${hop.user}@${hop.address}:${hop.port}${hop.via ? ` via ${jumpKey(hop.via)}` : hop.proxyCommand ? ` via ${hop.proxyCommand}` : ''}`;
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

  /** The reconnect under way, shared by every command waiting for it. */
  private reopening: Promise<SshConnection> | undefined;

  async exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
    if (!this.current.alive) {
      this.reopening ??= this.reopen()
        .then((c) => (this.current = c))
        .finally(() => (this.reopening = undefined));
      this.reopening.catch(() => {});
      // a wait for a host that is down (wait_for_connection) must end with its task's signal, not the connect timeout
      await abortable(this.reopening, opts?.signal, () => new UnreachableError(this.host, 'interrupted while reconnecting'));
    }
    return checkBecome(await this.current.exec(command, opts), opts?.become);
  }

  close(): Promise<void> {
    return this.current.close();
  }
}
