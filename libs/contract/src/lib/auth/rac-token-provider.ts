import { decodeJwt } from 'jose';
import { AuthenticationFailedError } from '../errors/authentication-failed-error';
import { MalformedResponseError } from '../errors/malformed-response-error';
import type { HttpExchange, HttpExchangeResponse } from '../http/http-exchange';
import { SMARTLINK_USER_AGENT } from '../http/client-version';
import { errorForStatus } from '../http/status-error';
import { SecretValue } from '@smartlink/common';
import {
  OAuthErrorResponseSchema,
  RAC_GRANT_TYPE,
  RAC_SCOPE,
  RAC_TENANT_CLAIM,
  RAC_TOKEN_PATH,
  RacTokenResponseSchema,
} from '../wire/rac-token';
import type { AccessToken } from './access-token';

/** What {@link RacTokenProvider} needs. */
export interface RacTokenProviderOptions {
  /** RAC host, e.g. `https://admin.rac.totvs.app`; the token path is appended. */
  readonly racUrl: string;
  readonly clientId: string;
  readonly clientSecret: SecretValue;
  /** Seconds before expiry to renew (SMARTLINK_TOKEN_RENEW_MARGIN_S). */
  readonly renewMarginS: number;
  readonly exchange: HttpExchange;
  /** Clock in epoch ms; tests pass a fixed one. */
  readonly now?: () => number;
}

/**
 * Gets RAC access tokens with the OAuth2 client-credentials grant (smartlink-domain.md §1.3) and caches them.
 *
 * - A token is renewed `renewMarginS` before it expires, or at half its life when it lives shorter than twice
 *   the margin, so short-lived tokens are not renewed on every call.
 * - One renewal at a time: concurrent callers share the same request.
 * - If a renewal fails while the cached token is still valid, the cached token is used; the next call tries
 *   again. A RAC outage therefore costs nothing until the token really expires.
 * - The tenant is read from the JWT claim without verifying the signature: we are the token's bearer, not its
 *   audience; the link API verifies it, and a forged token would only fail there.
 */
export class RacTokenProvider {
  private readonly now: () => number;
  private current: AccessToken | null = null;
  private renewal: Promise<AccessToken> | null = null;

  constructor(private readonly options: RacTokenProviderOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A valid token, from the cache when it is not yet due for renewal. */
  getToken(): Promise<AccessToken> {
    const cached = this.current;
    if (cached && this.now() < cached.renewAtMs) return Promise.resolve(cached);
    this.renewal ??= this.renew(cached).finally(() => {
      this.renewal = null;
    });
    return this.renewal;
  }

  /**
   * Drops the cached token after the link API refused it (401). Pass the token that was refused: if another
   * caller already replaced it, nothing happens, so concurrent 401s cause one renewal, not many.
   */
  invalidate(token?: AccessToken): void {
    if (!token || this.current === token) this.current = null;
  }

  /** Tenant of the credentials (from the token). */
  async tenantId(): Promise<string> {
    return (await this.getToken()).tenantId;
  }

  private async renew(fallback: AccessToken | null): Promise<AccessToken> {
    try {
      const token = await this.requestToken();
      this.current = token;
      return token;
    } catch (error) {
      if (fallback && this.current === fallback && this.now() < fallback.expiresAtMs) return fallback;
      throw error;
    }
  }

  private async requestToken(): Promise<AccessToken> {
    const requestedAt = this.now();
    const form = new URLSearchParams({
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret.reveal(),
      grant_type: RAC_GRANT_TYPE,
      scope: RAC_SCOPE,
    });
    const response = await this.options.exchange.send({
      endpoint: 'token',
      method: 'POST',
      url: `${this.options.racUrl}${RAC_TOKEN_PATH}`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'user-agent': SMARTLINK_USER_AGENT,
      },
      body: form.toString(),
    });
    if (response.status === 400 || response.status === 401) {
      throw new AuthenticationFailedError(response.status, oauthError(response));
    }
    if (response.status < 200 || response.status >= 300) {
      throw errorForStatus(
        'token',
        response.status,
        response.headers['retry-after'],
        this.now(),
        this.options.exchange.timeoutMs,
      );
    }
    return this.toAccessToken(response, requestedAt);
  }

  private toAccessToken(response: HttpExchangeResponse, requestedAt: number): AccessToken {
    let json: unknown;
    try {
      json = JSON.parse(response.text);
    } catch {
      throw new MalformedResponseError('token', '(body)', 'not JSON');
    }
    const parsed = RacTokenResponseSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new MalformedResponseError(
        'token',
        issue?.path.map(String).join('.') || '(body)',
        issue?.message ?? 'invalid',
      );
    }
    const { access_token: accessToken, expires_in: expiresInS } = parsed.data;
    let claims: Record<string, unknown>;
    try {
      claims = decodeJwt(accessToken);
    } catch {
      // jose's message says nothing about the token, but nothing of it is passed on all the same.
      throw new MalformedResponseError('token', 'access_token', 'not a JWT');
    }
    const tenantId = claims[RAC_TENANT_CLAIM];
    if (typeof tenantId !== 'string' || tenantId.length === 0) {
      throw new MalformedResponseError('token', `access_token.${RAC_TENANT_CLAIM}`, 'missing tenant claim');
    }
    const renewAfterS = Math.max(expiresInS - this.options.renewMarginS, expiresInS / 2);
    return {
      bearer: new SecretValue(accessToken),
      tenantId,
      expiresAtMs: requestedAt + expiresInS * 1000,
      renewAtMs: requestedAt + renewAfterS * 1000,
    };
  }
}

function oauthError(response: HttpExchangeResponse): string | null {
  try {
    const parsed = OAuthErrorResponseSchema.safeParse(JSON.parse(response.text));
    return parsed.success ? parsed.data.error : null;
  } catch {
    return null;
  }
}
