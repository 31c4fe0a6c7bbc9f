import { Body, Controller, Headers, HttpCode, HttpException, Post, Res } from '@nestjs/common';
import { RAC_GRANT_TYPE, RAC_SCOPE, RAC_TOKEN_PATH, type RacTokenResponse } from '@smartlink/contract';
import type { FastifyReply } from 'fastify';
import { ClientRegistry } from './client-registry';
import { TokenIssuer } from './token-issuer';

type OAuthError = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope';

function oauthError(status: 400 | 401, error: OAuthError, description: string): HttpException {
  return new HttpException({ error, error_description: description }, status);
}

function basicCredentials(authorization: string | undefined): { id: string; secret: string } | null {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return {
    id: decodeURIComponent(decoded.slice(0, colon)),
    secret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}

/**
 * RAC's token endpoint: OAuth2 client credentials (smartlink-domain.md §1.3). Errors follow RFC 6749 §5.2 as an
 * IdentityServer answers them: 400 with `invalid_client` for wrong credentials in the form, 401 with a Basic
 * challenge for wrong credentials in an Authorization header.
 */
@Controller()
export class RacController {
  constructor(
    private readonly clients: ClientRegistry,
    private readonly issuer: TokenIssuer,
  ) {}

  @Post(RAC_TOKEN_PATH)
  @HttpCode(200)
  async token(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Required<RacTokenResponse>> {
    // RFC 6749 §5.1: token responses must not be cached.
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    if (
      !contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded') ||
      typeof body !== 'object' ||
      !body
    ) {
      throw oauthError(400, 'invalid_request', 'expected an application/x-www-form-urlencoded body');
    }
    const form = body as Record<string, unknown>;
    const field = (name: string) => (typeof form[name] === 'string' ? form[name] : undefined);
    const basic = basicCredentials(authorization);
    const clientId = basic?.id ?? field('client_id');
    const clientSecret = basic?.secret ?? field('client_secret');
    if (!clientId || !clientSecret) throw oauthError(400, 'invalid_client', 'client credentials missing');
    const client = this.clients.authenticate(clientId, clientSecret);
    if (!client) {
      if (basic) reply.header('www-authenticate', 'Basic realm="totvs.rac"');
      throw oauthError(basic ? 401 : 400, 'invalid_client', 'unknown client or wrong secret');
    }
    if (field('grant_type') !== RAC_GRANT_TYPE) {
      throw oauthError(400, 'unsupported_grant_type', `only ${RAC_GRANT_TYPE} is supported`);
    }
    if (!(field('scope') ?? '').split(' ').includes(RAC_SCOPE)) {
      throw oauthError(400, 'invalid_scope', `scope must include ${RAC_SCOPE}`);
    }
    return this.issuer.issue(client);
  }
}
