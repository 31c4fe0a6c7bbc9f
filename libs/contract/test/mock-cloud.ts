import { inspect } from 'node:util';
import { SignJWT } from 'jose';
import { MockAgent, type Interceptable } from 'undici';
import { createSmartLinkClient } from '../src/lib/client/create-smartlink-client';
import type { SmartLinkClient } from '../src/lib/client/smartlink-client';
import { parseSmartLinkSettings } from '../src/lib/settings/smartlink-settings';
import { RAC_TENANT_CLAIM, RAC_TOKEN_PATH } from '../src/lib/wire/rac-token';

/** Test doubles for the cloud side on undici's MockAgent: no sockets, every request answered by an interceptor. */
export const RAC_ORIGIN = 'https://rac.test';
export const LINK_ORIGIN = 'https://link.test';
export const CLIENT_SECRET = 'client-secret-that-must-never-leak';
export const TENANT = '6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';

/** A signed JWT as RAC would issue, with the tenant claim unless `tenantId` is null. */
export async function racJwt(
  tenantId: string | null = TENANT,
  claims: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({
    ...(tenantId === null ? {} : { [RAC_TENANT_CLAIM]: tenantId }),
    client_id: 'client-1',
    ...claims,
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('test-signing-key-of-32-bytes-len'));
}

export interface MockCloud {
  readonly agent: MockAgent;
  readonly rac: Interceptable;
  readonly link: Interceptable;
  readonly client: SmartLinkClient;
  /** Bodies of the token requests received so far. */
  readonly tokenRequests: string[];
  /** Answers the next `times` token requests with a fresh token per request. */
  issueTokens(options?: { times?: number; expiresIn?: number; tenantId?: string }): Promise<string[]>;
}

/** A client wired to a MockAgent, with settings overridable per test. */
export function mockCloud(env: Record<string, string> = {}, now?: () => number): MockCloud {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const settings = parseSmartLinkSettings({
    SMARTLINK_RAC_URL: RAC_ORIGIN,
    SMARTLINK_API_URL: `${LINK_ORIGIN}/api/v1`,
    SMARTLINK_CLIENT_ID: 'client-1',
    SMARTLINK_CLIENT_SECRET: CLIENT_SECRET,
    SMARTLINK_HTTP_TIMEOUT_MS: '1000',
    ...env,
  });
  const client = createSmartLinkClient(settings, { dispatcher: agent, ...(now ? { now } : {}) });
  const rac = agent.get(RAC_ORIGIN);
  const tokenRequests: string[] = [];
  return {
    agent,
    rac,
    link: agent.get(LINK_ORIGIN),
    client,
    tokenRequests,
    async issueTokens({ times = 1, expiresIn = 3600, tenantId = TENANT } = {}) {
      const tokens = await Promise.all(Array.from({ length: times }, () => racJwt(tenantId)));
      let next = 0;
      rac
        .intercept({ path: RAC_TOKEN_PATH, method: 'POST' })
        .reply((opts) => {
          tokenRequests.push(String(opts.body));
          return {
            statusCode: 200,
            data: { access_token: tokens[next++], expires_in: expiresIn, token_type: 'Bearer' },
          };
        })
        .times(times);
      return tokens;
    },
  };
}

/** What a test reads of a request a MockAgent interceptor saw. */
export interface SeenRequest {
  readonly body?: unknown;
  readonly headers?: unknown;
}

/** Fails when the error, its stack, its causes or its JSON show any of the secrets. */
export function expectNoSecrets(error: unknown, secrets: readonly string[]): void {
  const views = [
    String(error),
    (error as Error).stack ?? '',
    inspect(error, { depth: 10 }),
    JSON.stringify(error),
  ];
  for (const secret of secrets) {
    for (const view of views) expect(view).not.toContain(secret);
  }
}

/** The error a promise rejects with; fails if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}
