import type { Admin } from 'kafkajs';

/**
 * The connection of one kafkajs admin client, opened on first use and shared by the calls that follow; a failed
 * connect is forgotten, so the next call tries again (a broker that was down answers later), and {@link close}
 * lets the next call connect anew. The admin-backed readers of this library hold one each.
 */
export class LazyAdminConnection {
  private connection: Promise<void> | null = null;

  constructor(private readonly admin: Pick<Admin, 'connect' | 'disconnect'>) {}

  /** Resolves once connected: at once when a connection is open or being opened. */
  open(): Promise<void> {
    this.connection ??= this.admin.connect().catch((error: unknown) => {
      this.connection = null;
      throw error;
    });
    return this.connection;
  }

  /** Disconnects, when connected or connecting; the next {@link open} connects again. */
  async close(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    this.connection = null;
    await connection.catch(() => undefined);
    await this.admin.disconnect();
  }
}
