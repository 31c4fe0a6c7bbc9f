import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { VerifiedToken } from '../rac/token-issuer';

/** A link API request whose bearer token the {@link BearerAuthGuard} verified. */
export interface AuthenticatedRequest extends FastifyRequest {
  simToken?: VerifiedToken;
}

/** The tenant of the verified bearer token. */
export const TokenTenant = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const tenantId = context.switchToHttp().getRequest<AuthenticatedRequest>().simToken?.tenantId;
  if (!tenantId) throw new Error('TokenTenant used on a route without BearerAuthGuard');
  return tenantId;
});

/** The `jti` of the verified bearer token: which client process is asking. */
export const TokenId = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const token = context.switchToHttp().getRequest<AuthenticatedRequest>().simToken;
  if (!token) throw new Error('TokenId used on a route without BearerAuthGuard');
  return token.tokenId;
});
