import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { TokenIssuer } from '../rac/token-issuer';
import type { AuthenticatedRequest } from './authenticated-request';

/**
 * Lets a link API request through only with a valid, unexpired bearer token from this simulator's RAC, and
 * records its tenant. Anything else is a 401 with an RFC 6750 challenge.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(private readonly issuer: TokenIssuer) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const verified = match?.[1] ? await this.issuer.verify(match[1]) : null;
    if (!verified) {
      http.getResponse<FastifyReply>().header('www-authenticate', 'Bearer error="invalid_token"');
      throw new UnauthorizedException({ error: 'invalid_token' });
    }
    request.simToken = verified;
    return true;
  }
}
