import { MockAgent } from 'undici';
import {
  CLIENT_SECRET,
  RAC_ORIGIN,
  TENANT,
  expectNoSecrets,
  racJwt,
  rejection,
} from '../../../test/mock-cloud';
import { AuthenticationFailedError } from '../errors/authentication-failed-error';
import { MalformedResponseError } from '../errors/malformed-response-error';
import { SmartLinkServerError } from '../errors/smartlink-server-error';
import { HttpExchange } from '../http/http-exchange';
import { SecretValue } from '@smartlink/common';
import { RAC_TOKEN_PATH } from '../wire/rac-token';
import { RacTokenProvider } from './rac-token-provider';

const T0 = Date.parse('2024-05-01T12:00:00Z');

function rig(renewMarginS = 60) {
  let now = T0;
  const agent = new MockAgent();
  agent.disableNetConnect();
  const rac = agent.get(RAC_ORIGIN);
  const requests: string[] = [];
  const provider = new RacTokenProvider({
    racUrl: RAC_ORIGIN,
    clientId: 'client-1',
    clientSecret: new SecretValue(CLIENT_SECRET),
    renewMarginS,
    exchange: new HttpExchange(agent, 1000, 1024 * 1024),
    now: () => now,
  });
  const answer = (statusCode: number, data: unknown, times = 1, delayMs = 0) => {
    const scope = rac
      .intercept({ path: RAC_TOKEN_PATH, method: 'POST' })
      .reply((opts) => {
        requests.push(String(opts.body));
        return { statusCode, data: typeof data === 'string' ? data : JSON.stringify(data) };
      })
      .times(times);
    if (delayMs > 0) scope.delay(delayMs);
  };
  const token = async (expiresIn = 3600, tenantId: string | null = TENANT) => ({
    access_token: await racJwt(tenantId),
    expires_in: expiresIn,
    token_type: 'Bearer',
  });
  return {
    provider,
    requests,
    answer,
    token,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('RacTokenProvider', () => {
  it('asks RAC with the client-credentials form and reads the tenant claim', async () => {
    const { provider, requests, answer, token } = rig();
    answer(200, await token());
    const accessToken = await provider.getToken();
    expect(accessToken.tenantId).toBe(TENANT);
    expect(accessToken.expiresAtMs).toBe(T0 + 3600_000);
    const form = new URLSearchParams(requests[0]);
    expect(Object.fromEntries(form)).toEqual({
      client_id: 'client-1',
      client_secret: CLIENT_SECRET,
      grant_type: 'client_credentials',
      scope: 'authorization_api',
    });
    expect(await provider.tenantId()).toBe(TENANT);
  });

  it('sends the form as application/x-www-form-urlencoded', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const provider = new RacTokenProvider({
      racUrl: RAC_ORIGIN,
      clientId: 'c',
      clientSecret: new SecretValue('s'),
      renewMarginS: 60,
      exchange: new HttpExchange(agent, 1000, 1024 * 1024),
    });
    agent
      .get(RAC_ORIGIN)
      .intercept({
        path: RAC_TOKEN_PATH,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': /^smartlink-client\// },
      })
      .reply(200, { access_token: await racJwt(), expires_in: 60 });
    await expect(provider.getToken()).resolves.toMatchObject({ tenantId: TENANT });
  });

  describe('caching', () => {
    it('serves the cached token until the renewal margin, then renews', async () => {
      const { provider, requests, answer, token, advance } = rig(60);
      answer(200, await token(3600));
      const first = await provider.getToken();
      advance(3539_000);
      expect(await provider.getToken()).toBe(first);
      expect(requests).toHaveLength(1);

      answer(200, await token(3600));
      advance(1000); // 60 s before expiry
      const second = await provider.getToken();
      expect(second).not.toBe(first);
      expect(requests).toHaveLength(2);
    });

    it('renews a token that lives shorter than twice the margin at half its life', async () => {
      const { provider, requests, answer, token, advance } = rig(60);
      answer(200, await token(10));
      const first = await provider.getToken();
      advance(4999);
      expect(await provider.getToken()).toBe(first);
      answer(200, await token(10));
      advance(1);
      expect(await provider.getToken()).not.toBe(first);
      expect(requests).toHaveLength(2);
    });

    it('lets concurrent callers share one renewal', async () => {
      const { provider, requests, answer, token } = rig();
      answer(200, await token(), 1, 50);
      const tokens = await Promise.all(Array.from({ length: 20 }, () => provider.getToken()));
      expect(requests).toHaveLength(1);
      expect(new Set(tokens).size).toBe(1);
    });

    it('renews after invalidate, but only once for many callers holding the same refused token', async () => {
      const { provider, requests, answer, token } = rig();
      answer(200, await token());
      const refused = await provider.getToken();
      answer(200, await token());
      provider.invalidate(refused);
      const renewed = await provider.getToken();
      provider.invalidate(refused); // a late 401 for the old token
      expect(await provider.getToken()).toBe(renewed);
      expect(requests).toHaveLength(2);
    });

    it('keeps using the still-valid token when a renewal fails, and fails once it expired', async () => {
      const { provider, answer, token, advance } = rig(60);
      answer(200, await token(3600));
      const first = await provider.getToken();
      answer(503, { error: 'down' });
      advance(3550_000);
      expect(await provider.getToken()).toBe(first);
      answer(503, { error: 'down' });
      advance(50_000);
      await expect(provider.getToken()).rejects.toBeInstanceOf(SmartLinkServerError);
    });
  });

  describe('when RAC refuses or answers out of contract', () => {
    it('reports refused credentials as AUTHENTICATION_FAILED with the OAuth code and no secret', async () => {
      const { provider, answer } = rig();
      answer(400, { error: 'invalid_client' });
      const error = await rejection(provider.getToken());
      expect(error).toBeInstanceOf(AuthenticationFailedError);
      expect(error).toMatchObject({
        code: 'AUTHENTICATION_FAILED',
        retriable: false,
        oauthError: 'invalid_client',
      });
      expectNoSecrets(error, [CLIENT_SECRET]);
    });

    it('reports a 401 without a readable body as AUTHENTICATION_FAILED too', async () => {
      const { provider, answer } = rig();
      answer(401, '<html>nope</html>');
      await expect(provider.getToken()).rejects.toMatchObject({
        code: 'AUTHENTICATION_FAILED',
        oauthError: null,
      });
    });

    it.each([
      ['a body that is not JSON', 'not json', '(body)'],
      ['no access_token', { expires_in: 60 }, 'access_token'],
      ['a non-numeric expires_in', { access_token: 'x.y.z', expires_in: '60' }, 'expires_in'],
      [
        'a token_type other than Bearer',
        { access_token: 'x.y.z', expires_in: 60, token_type: 'mac' },
        'token_type',
      ],
      ['an access_token that is not a JWT', { access_token: 'opaque-token', expires_in: 60 }, 'access_token'],
    ])('reports %s as MALFORMED_RESPONSE naming %s', async (_label, body, field) => {
      const { provider, answer } = rig();
      answer(200, body);
      const error = await rejection(provider.getToken());
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect(error).toMatchObject({ code: 'MALFORMED_RESPONSE', retriable: false, endpoint: 'token', field });
      expectNoSecrets(error, [CLIENT_SECRET, 'opaque-token']);
    });

    it('reports a JWT without the tenant claim, without showing the token', async () => {
      const { provider, answer, token } = rig();
      const body = await token(60, null);
      answer(200, body);
      const error = await rejection(provider.getToken());
      expect(error).toMatchObject({
        code: 'MALFORMED_RESPONSE',
        field: 'access_token.http://www.tnf.com/identity/claims/tenantId',
      });
      expectNoSecrets(error, [body.access_token, CLIENT_SECRET]);
    });
  });
});
