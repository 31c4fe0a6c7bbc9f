/** A message for the simulator to publish, as its admin API takes it (apps/smartlink-sim/README.md). */
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
  | { raw: string; type?: string }
  /** A body as bytes (base64), e.g. invalid UTF-8: the simulator delivers exactly these bytes. */
  | { rawBase64: string; type?: string };

/** What a published message became: the id the client will use, the broker id the acked list shows. */
export interface SimEnqueued {
  readonly id: string;
  readonly messageId: string;
  readonly status: 'queued' | 'unrouted';
}

/** Per-tenant counters of the simulated cloud queue. */
export interface SimTenantStats {
  readonly ready: number;
  readonly inFlight: number;
  readonly enqueued: number;
  readonly delivered: number;
  readonly redelivered: number;
  readonly acked: number;
  readonly unrouted: number;
  readonly sent: number;
  readonly setUp: boolean;
  readonly subscriptions: string[];
}

/** `GET /admin/stats`: the queues per tenant, requests per endpoint and faults injected (`send:throttle`...). */
export interface SimStats {
  readonly tenants: Record<string, SimTenantStats>;
  readonly http: { readonly requests: Record<string, number>; readonly faults: Record<string, number> };
}

/** One acked delivery. */
export interface SimAcked {
  readonly messageId: string;
  readonly receipt: string;
  readonly deliveryCount: number;
}

/** One get the simulated cloud answered: `tokenId` is the `jti` of the token that asked (one per client process). */
export interface SimGet {
  readonly tenantId: string;
  readonly tokenId: string;
  readonly messages: number;
  readonly at: string;
}

/** One send the simulated cloud recorded: `type` and `audience` come from the request path. */
export interface SimSent {
  readonly tenantId: string;
  readonly type: string;
  readonly audience: string;
  /** The envelope as parsed JSON. */
  readonly body: Record<string, unknown>;
  /** The body exactly as received. */
  readonly bodyText: string;
  /** The envelope as the simulator read it; null when the body is neither style. */
  readonly envelope: SimSentEnvelope | null;
  readonly headers: Record<string, string>;
  readonly sentAt: string;
}

/** A send's envelope as the simulator read it (apps/smartlink-sim/README.md, `GET /admin/sent`). */
export interface SimSentEnvelope {
  readonly style: 'totvs' | 'cloudevents';
  /** TOTVS `header.transactionId`, CloudEvents `id`. */
  readonly id: string | null;
  readonly type: string | null;
  readonly tenantId: string | null;
  readonly correlationId: string | null;
  /** TOTVS `header.generatedOn`, CloudEvents `time`. */
  readonly time: string | null;
  /** Where the envelope disagrees with the path type or the token's tenant, or has no payload. */
  readonly problems: readonly string[];
}

/**
 * The simulator's admin API (apps/smartlink-sim/README.md), for tests and benchmarks that drive the simulated
 * cloud over HTTP. The simulator is another app: module boundaries keep its code out of the client's tests, so
 * they talk to it the way an operator would.
 */
export class SimAdmin {
  constructor(readonly url: string) {}

  /**
   * Publishes messages to a tenant queue. Throws when one is not queued (no setup for its type yet) unless
   * `allowUnrouted`; returns, per message, `id` (what the client calls it) and `messageId` (the broker's id).
   */
  async enqueue(
    tenantId: string,
    messages: readonly SimMessage[],
    options: { allowUnrouted?: boolean } = {},
  ): Promise<SimEnqueued[]> {
    const result = await this.call<{ messages: SimEnqueued[] }>(
      'POST',
      `/admin/tenants/${encodeURIComponent(tenantId)}/messages`,
      { messages },
    );
    const unrouted = result.messages.filter((m) => m.status !== 'queued');
    if (unrouted.length > 0 && !options.allowUnrouted) {
      throw new Error(`${unrouted.length} messages were not queued (is setup done?)`);
    }
    return result.messages;
  }

  /**
   * Publishes `count` synthetic messages of about `payloadBytes` each, built by the simulator itself so no large
   * request body is needed (`POST .../messages/generate`): the way to load tens of thousands at once.
   */
  generate(
    tenantId: string,
    request: { count: number; type: string; style?: 'cloudevents' | 'totvs'; payloadBytes?: number },
  ): Promise<{ queued: number; unrouted: number }> {
    const path = `/admin/tenants/${encodeURIComponent(tenantId)}/messages/generate`;
    // Building 50,000 envelopes takes the simulator a few seconds on a busy machine.
    return this.call('POST', path, request, 120_000);
  }

  stats(): Promise<SimStats> {
    return this.call<SimStats>('GET', '/admin/stats');
  }

  async tenantStats(tenantId: string): Promise<SimTenantStats | undefined> {
    return (await this.stats()).tenants[tenantId];
  }

  /** The deliveries acked so far, with the exact total. */
  acked(tenantId: string): Promise<{ total: number; entries: SimAcked[] }> {
    return this.call('GET', `/admin/tenants/${encodeURIComponent(tenantId)}/acked`);
  }

  /** The sends recorded so far (of one tenant, or all), with the exact total; the list keeps the latest 100,000. */
  sent(tenantId?: string): Promise<{ total: number; entries: SimSent[] }> {
    const query = tenantId === undefined ? '' : `?tenantId=${encodeURIComponent(tenantId)}`;
    return this.call('GET', `/admin/sent${query}`);
  }

  /** The gets answered so far (of one tenant, or all), oldest first; the list keeps the latest 100,000. */
  gets(tenantId?: string): Promise<{ total: number; entries: SimGet[] }> {
    const query = tenantId === undefined ? '' : `?tenantId=${encodeURIComponent(tenantId)}`;
    return this.call('GET', `/admin/gets${query}`);
  }

  /** Replaces the fault configuration (see the simulator's README); `{}` clears it. */
  async setFaults(faults: unknown): Promise<void> {
    await this.call('PUT', '/admin/faults', faults);
  }

  /** Makes every token issued so far answer 401. */
  async rotateKey(): Promise<void> {
    await this.call('POST', '/admin/tokens/rotate-key');
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: unknown,
    timeoutMs = 10_000,
  ): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      throw new Error(`admin ${method} ${path} answered ${response.status}: ${await response.text()}`);
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}
