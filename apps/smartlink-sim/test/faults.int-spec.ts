import {
  MalformedResponseError,
  SmartLinkNetworkError,
  SmartLinkServerError,
  SmartLinkThrottledError,
  SmartLinkTimeoutError,
} from '@smartlink/contract';
import { waitFor } from '@smartlink/testing';
import { CLIENT_SECRET, SimHarness } from './sim-harness';

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('the contract client under simulated cloud faults', () => {
  let sim: SimHarness;

  beforeAll(async () => {
    sim = await SimHarness.start();
  });
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  it('surfaces 429 as retriable THROTTLED with Retry-After in seconds', async () => {
    const client = sim.client();
    await client.tenantId();
    await sim.faults({ rules: [{ kind: 'throttle', endpoints: ['get'], retryAfter: 3, next: 1 }] });
    const error = await failure(client.get(10));
    expect(error).toBeInstanceOf(SmartLinkThrottledError);
    expect(error).toMatchObject({ code: 'THROTTLED', retriable: true, retryAfterMs: 3000 });
    await expect(client.get(10)).resolves.toEqual([]);
    expect((await sim.stats()).http.faults).toEqual({ 'get:throttle': 1 });
  });

  it('reads a Retry-After HTTP date', async () => {
    const client = sim.client();
    await client.tenantId();
    const at = new Date(Date.now() + 30_000).toUTCString();
    await sim.faults({ rules: [{ kind: 'throttle', endpoints: ['ack'], retryAfter: at, next: 1 }] });
    const error = await failure(client.ack(['r']));
    expect(error).toMatchObject({ code: 'THROTTLED' });
    expect((error as SmartLinkThrottledError).retryAfterMs).toBeGreaterThan(25_000);
    expect((error as SmartLinkThrottledError).retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('surfaces 5xx as retriable SERVER_ERROR, on the token call too', async () => {
    await sim.faults({
      rules: [{ kind: 'error', status: 503, retryAfter: 2, endpoints: ['token'], next: 1 }],
    });
    const client = sim.client();
    const error = await failure(client.setup(['T']));
    expect(error).toBeInstanceOf(SmartLinkServerError);
    expect(error).toMatchObject({
      code: 'SERVER_ERROR',
      retriable: true,
      status: 503,
      retryAfterMs: 2000,
      endpoint: 'token',
    });
    await expect(client.setup(['T'])).resolves.toMatchObject({ subscriptions: ['T'] });
  });

  it('times out a call the cloud holds open past the client timeout', async () => {
    const client = sim.client({ SMARTLINK_HTTP_TIMEOUT_MS: '300' });
    await client.tenantId();
    await sim.faults({ rules: [{ kind: 'timeout', endpoints: ['get'], holdMs: 60_000, next: 1 }] });
    const error = await failure(client.get(10));
    expect(error).toBeInstanceOf(SmartLinkTimeoutError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retriable: true, endpoint: 'get', timeoutMs: 300 });
    await expect(client.get(10)).resolves.toEqual([]);
  });

  it('reports a reset connection as retriable NETWORK, and recovers on a new connection', async () => {
    const client = sim.client();
    await client.tenantId();
    await sim.faults({ rules: [{ kind: 'reset', endpoints: ['ack'], next: 1 }] });
    const error = await failure(client.ack(['r']));
    expect(error).toBeInstanceOf(SmartLinkNetworkError);
    expect(error).toMatchObject({ code: 'NETWORK', retriable: true, endpoint: 'ack' });
    await expect(client.ack(['r'])).resolves.toEqual({ acked: 0, ignored: 1 });
  });

  it.each([
    ['invalid-json', 'get', '(body)'],
    ['wrong-shape', 'get', 'messages.0.receipt'],
    ['wrong-shape', 'ack', 'acked'],
    ['wrong-shape', 'token', 'access_token'],
  ] as const)(
    'reports a %s %s body as final MALFORMED_RESPONSE naming %s',
    async (variant, endpoint, field) => {
      const client = sim.client();
      if (endpoint !== 'token') await client.tenantId();
      await sim.faults({ rules: [{ kind: 'malformed', variant, endpoints: [endpoint], next: 1 }] });
      const error = await failure(endpoint === 'ack' ? client.ack(['r']) : client.get(10));
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect(error).toMatchObject({ code: 'MALFORMED_RESPONSE', retriable: false, endpoint, field });
      expect(String(error)).not.toContain(CLIENT_SECRET);
    },
  );

  it('adds latency without failing the call, and counts it', async () => {
    const client = sim.client();
    await sim.faults({
      rules: [{ kind: 'latency', latencyMs: 50, jitterMs: 20, endpoints: ['get'], next: 2 }],
    });
    await client.get(1);
    await client.get(1);
    await client.get(1);
    expect((await sim.stats()).http.faults).toEqual({ 'get:latency': 2 });
  });

  it('takes boot-time faults from SIM_FAULTS and restores them on reset', async () => {
    const other = await SimHarness.start({
      SIM_FAULTS: JSON.stringify({ rules: [{ kind: 'error', status: 500, endpoints: ['setup'] }] }),
    });
    try {
      await expect(other.client().setup(['T'])).rejects.toMatchObject({ code: 'SERVER_ERROR', status: 500 });
      await other.faults({});
      await expect(other.client().setup(['T'])).resolves.toBeDefined();
      await other.reset();
      await expect(other.client().setup(['T'])).rejects.toMatchObject({ code: 'SERVER_ERROR' });
    } finally {
      await other.stop();
    }
  });

  it('shuts down promptly while a request is held open', async () => {
    const other = await SimHarness.start({
      SIM_FAULTS: JSON.stringify({ rules: [{ kind: 'timeout', endpoints: ['get'], holdMs: 600_000 }] }),
    });
    const pending = other.client({ SMARTLINK_HTTP_TIMEOUT_MS: '600000' }).get(1);
    const settled = pending.then(
      () => 'resolved',
      (e: { code?: string }) => e.code ?? 'unknown',
    );
    await waitFor(async () => (await other.stats()).http.faults['get:timeout'], {
      description: 'the simulator to hold the get',
      timeoutMs: 10_000,
    });
    await other.stop();
    // The held call ends as a dropped connection, not a hang: the client sees a retriable NETWORK error.
    await expect(settled).resolves.toBe('NETWORK');
  });
});
