import { inspect } from 'node:util';
import {
  AuthenticationFailedError,
  SmartLinkUnauthorizedError,
  createSmartLinkClient,
  parseSmartLinkSettings,
} from '@smartlink/contract';
import { waitFor } from '@smartlink/testing';
import { CLIENT_ID, CLIENT_SECRET, SimHarness, TENANT } from './sim-harness';

describe('RAC token against the simulator', () => {
  let sim: SimHarness;

  beforeAll(async () => {
    sim = await SimHarness.start();
  });
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  it('issues a token whose tenant claim the client reads', async () => {
    await expect(sim.client().tenantId()).resolves.toBe(TENANT);
    expect((await sim.stats()).http.responses.token).toEqual({ 200: 1 });
  });

  it('refuses wrong credentials as a final AUTHENTICATION_FAILED without showing the secret', async () => {
    const client = createSmartLinkClient(
      parseSmartLinkSettings({
        SMARTLINK_RAC_URL: sim.url,
        SMARTLINK_API_URL: `${sim.url}/api/v1`,
        SMARTLINK_CLIENT_ID: CLIENT_ID,
        SMARTLINK_CLIENT_SECRET: 'wrong-secret-value',
      }),
    );
    try {
      const error = await client.get(1).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AuthenticationFailedError);
      expect(error).toMatchObject({
        code: 'AUTHENTICATION_FAILED',
        retriable: false,
        status: 400,
        oauthError: 'invalid_client',
      });
      expect(String(error)).not.toContain('wrong-secret-value');
    } finally {
      await client.close();
    }
  });

  it('uses one token for many calls', async () => {
    const client = sim.client();
    for (let i = 0; i < 10; i++) await client.get(1);
    const stats = await sim.stats();
    expect(stats.http.requests.token).toBe(1);
    expect(stats.http.requests.get).toBe(10);
  });

  it('lets concurrent first calls share one token request', async () => {
    const client = sim.client();
    await Promise.all(Array.from({ length: 25 }, () => client.get(1)));
    expect((await sim.stats()).http.requests.token).toBe(1);
  });

  it('renews short-lived tokens before they expire, so the link API never refuses one', async () => {
    await sim.faults({ tokenTtlS: 2 });
    const client = sim.client({ SMARTLINK_TOKEN_RENEW_MARGIN_S: '60' });
    await waitFor(
      async () => {
        await client.get(1);
        return ((await sim.stats()).http.requests.token ?? 0) >= 3;
      },
      { description: 'the client to renew its 2-second token twice', timeoutMs: 15_000 },
    );
    expect((await sim.stats()).http.responses.get?.['401']).toBeUndefined();
  });

  it('renews once for many concurrent callers when the token falls due', async () => {
    let offsetMs = 0;
    const client = sim.client({ SMARTLINK_TOKEN_RENEW_MARGIN_S: '60' }, () => Date.now() + offsetMs);
    await client.get(1);
    offsetMs = 3600_000; // the client's clock says the token is due; the simulator still honours it
    await Promise.all(Array.from({ length: 25 }, () => client.get(1)));
    expect((await sim.stats()).http.requests.token).toBe(2);
  });

  describe('when the link API refuses the cached token', () => {
    it('renews it and retries the call once', async () => {
      const client = sim.client();
      await sim.enqueue([{ raw: '{}' }], true);
      await client.tenantId();
      await sim.admin('POST', '/admin/tokens/rotate-key');
      await expect(client.get(1)).resolves.toHaveLength(1);
      const stats = await sim.stats();
      expect(stats.http.requests.token).toBe(2);
      expect(stats.http.responses.get).toEqual({ 200: 1, 401: 1 });
    });

    it('gives up with a final UNAUTHORIZED when the renewed token is refused too', async () => {
      await sim.faults({ rules: [{ kind: 'error', status: 401, endpoints: ['get'], next: 2 }] });
      const client = sim.client();
      const error = await client.get(1).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SmartLinkUnauthorizedError);
      expect(error).toMatchObject({ code: 'UNAUTHORIZED', retriable: false });
      expect(inspect(error, { depth: 5 })).not.toContain(CLIENT_SECRET);
      expect((await sim.stats()).http.requests).toMatchObject({ token: 2, get: 2 });
    });
  });
});
