import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createSmartLinkClient, parseSmartLinkSettings, type SmartLinkClient } from '@smartlink/contract';
import { createSimApp } from '../src/app/create-sim-app';
import type { FaultConfigInput } from '../src/app/faults/fault-config';
import { parseSimSettings } from '../src/app/settings/sim-settings';

/** Credentials of the one client every integration test uses. */
export const CLIENT_ID = 'it-client';
export const CLIENT_SECRET = 'it-client-secret-never-in-errors';
export const TENANT = '0d7c4b1e-2f3a-4c5d-9e8f-7a6b5c4d3e2f';

/** The admin API's view of the simulator, as tests read it. */
export interface SimStats {
  tenants: Record<
    string,
    {
      ready: number;
      inFlight: number;
      acked: number;
      redelivered: number;
      unrouted: number;
      sent: number;
      setUp: boolean;
    }
  >;
  http: {
    requests: Partial<Record<'token' | 'setup' | 'get' | 'ack' | 'send', number>>;
    responses: Partial<Record<'token' | 'setup' | 'get' | 'ack' | 'send', Record<string, number>>>;
    faults: Record<string, number>;
  };
}

/** A simulator running in this process on a free port, with its admin API and contract clients at hand. */
export class SimHarness {
  private readonly clients: SmartLinkClient[] = [];

  private constructor(
    private readonly app: NestFastifyApplication,
    readonly url: string,
  ) {}

  /** Boots the simulator with the test client and the given extra settings, listening on 127.0.0.1:0. */
  static async start(env: Record<string, string> = {}): Promise<SimHarness> {
    const settings = parseSimSettings({ SIM_CLIENTS: `${CLIENT_ID}:${CLIENT_SECRET}:${TENANT}`, ...env });
    const app = await createSimApp(settings, { logger: false });
    await app.listen(0, '127.0.0.1');
    return new SimHarness(app, await app.getUrl());
  }

  /** A contract client pointed at the simulator; closed by {@link stop}. */
  client(env: Record<string, string> = {}, now?: () => number): SmartLinkClient {
    const client = createSmartLinkClient(
      parseSmartLinkSettings({
        SMARTLINK_RAC_URL: this.url,
        SMARTLINK_API_URL: `${this.url}/api/v1`,
        SMARTLINK_CLIENT_ID: CLIENT_ID,
        SMARTLINK_CLIENT_SECRET: CLIENT_SECRET,
        SMARTLINK_HTTP_TIMEOUT_MS: '5000',
        ...env,
      }),
      now ? { now } : {},
    );
    this.clients.push(client);
    return client;
  }

  async admin<T = unknown>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!response.ok)
      throw new Error(`admin ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  stats(): Promise<SimStats> {
    return this.admin<SimStats>('GET', '/admin/stats');
  }

  async faults(config: FaultConfigInput): Promise<void> {
    await this.admin('PUT', '/admin/faults', config);
  }

  /** Publishes messages to the test tenant; returns the ids a contract client will see. */
  async enqueue(
    messages: unknown[],
    direct = false,
  ): Promise<{ id: string; messageId: string; status: string }[]> {
    const result = await this.admin<{ messages: { id: string; messageId: string; status: string }[] }>(
      'POST',
      `/admin/tenants/${TENANT}/messages`,
      { messages, direct },
    );
    return result.messages;
  }

  async reset(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
    await this.admin('POST', '/admin/reset');
  }

  /** Stops the simulator first: closing a client waits for its calls in flight, which the simulator may hold. */
  async stop(): Promise<void> {
    await this.app.close();
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
  }
}
