/** A message for the simulator to publish, as the admin API takes it (apps/smartlink-sim/README.md). */
export type SimMessage =
  | {
      style: 'cloudevents';
      type: string;
      data: unknown;
      id?: string;
      correlationId?: string;
      source?: string;
    }
  | { style: 'totvs'; type: string; content: unknown; transactionId?: string; correlationId?: string }
  | { raw: string; type?: string };

/** Per-tenant counters of the simulated cloud queue. */
export interface SimTenantStats {
  ready: number;
  inFlight: number;
  enqueued: number;
  delivered: number;
  redelivered: number;
  acked: number;
  unrouted: number;
  sent: number;
  setUp: boolean;
}

/** The simulator's admin API, as the end-to-end tests use it. */
export class SimAdmin {
  constructor(readonly url: string) {}

  /**
   * Publishes messages to a tenant queue. Returns, per message, `id` (what the client will call it: the
   * CloudEvents id, or the broker id) and `messageId` (the broker's id, which the ack list reports).
   */
  async enqueue(
    tenantId: string,
    messages: readonly SimMessage[],
  ): Promise<{ id: string; messageId: string }[]> {
    const result = await this.call<{ messages: { id: string; messageId: string; status: string }[] }>(
      'POST',
      `/admin/tenants/${tenantId}/messages`,
      { messages },
    );
    const unrouted = result.messages.filter((m) => m.status !== 'queued');
    if (unrouted.length > 0) throw new Error(`${unrouted.length} messages were not queued (is setup done?)`);
    return result.messages.map(({ id, messageId }) => ({ id, messageId }));
  }

  async tenantStats(tenantId: string): Promise<SimTenantStats | undefined> {
    const stats = await this.call<{ tenants: Record<string, SimTenantStats> }>('GET', '/admin/stats');
    return stats.tenants[tenantId];
  }

  /** The message ids acked so far, with the exact total. */
  async acked(tenantId: string): Promise<{ total: number; messageIds: string[] }> {
    const result = await this.call<{ total: number; entries: { messageId: string }[] }>(
      'GET',
      `/admin/tenants/${tenantId}/acked`,
    );
    return { total: result.total, messageIds: result.entries.map((a) => a.messageId) };
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok)
      throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }
}
