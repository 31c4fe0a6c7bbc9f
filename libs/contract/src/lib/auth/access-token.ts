import type { SecretValue } from '@smartlink/common';

/** A RAC access token with what the client needs to know about it. Logging it shows no secret. */
export interface AccessToken {
  /** The bearer token; `reveal()` only to put it in the Authorization header. */
  readonly bearer: SecretValue;
  /** Tenant of the credentials, from the JWT claim `http://www.tnf.com/identity/claims/tenantId`. */
  readonly tenantId: string;
  /** When the token stops being valid (epoch ms, measured from when it was requested). */
  readonly expiresAtMs: number;
  /** When the provider starts renewing it (epoch ms). */
  readonly renewAtMs: number;
}
