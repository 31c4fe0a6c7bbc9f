import { z } from 'zod';

/** Token endpoint below the RAC host (smartlink-domain.md §1.3, [C P1 `GRRRacAccess`]). */
export const RAC_TOKEN_PATH = '/totvs.rac/connect/token';

/** OAuth2 grant and scope the Smart Link client asks for ([C P1]). */
export const RAC_GRANT_TYPE = 'client_credentials';
export const RAC_SCOPE = 'authorization_api';

/** JWT claim carrying the tenant id of the credentials ([C P1 `GRRTokenInfo`/`GRRGetTenant`]). */
export const RAC_TENANT_CLAIM = 'http://www.tnf.com/identity/claims/tenantId';

/**
 * RAC's answer to the client-credentials request. `access_token` and `expires_in` (seconds) are confirmed
 * ([C P1]); `token_type` is what an OAuth2 server sends, so it may be absent but must say Bearer if present.
 */
export const RacTokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
  token_type: z
    .string()
    .refine((t) => t.toLowerCase() === 'bearer', { message: 'expected "Bearer"' })
    .optional(),
});
export type RacTokenResponse = z.infer<typeof RacTokenResponseSchema>;

/** An OAuth2 error body (RFC 6749 §5.2), e.g. `{"error":"invalid_client"}`. */
export const OAuthErrorResponseSchema = z.object({
  error: z.string().regex(/^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,64}$/),
  error_description: z.string().optional(),
});
export type OAuthErrorResponse = z.infer<typeof OAuthErrorResponseSchema>;
