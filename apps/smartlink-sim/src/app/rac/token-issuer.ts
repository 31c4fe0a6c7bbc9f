import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RAC_SCOPE, RAC_TENANT_CLAIM, type RacTokenResponse } from '@smartlink/contract';
import { SignJWT, jwtVerify } from 'jose';
import { CLOCK, type Clock } from '../clock/clock';
import { FaultPlan } from '../faults/fault-plan';
import { SIM_SETTINGS, type SimClient, type SimSettings } from '../settings/sim-settings';

/** Issuer of the simulated RAC tokens, checked by the link API. */
export const SIM_TOKEN_ISSUER = 'smartlink-sim';

/** What the link API learns from a valid token. */
export interface VerifiedToken {
  readonly tenantId: string;
  readonly clientId: string;
  /** The token's `jti`: tells apart the processes of one client, each of which fetches its own token. */
  readonly tokenId: string;
}

/**
 * Issues and verifies HS256 JWTs shaped like RAC's: the tenant claim `http://www.tnf.com/identity/claims/tenantId`,
 * `client_id`, `scope`, `exp`. The lifetime is SIM_TOKEN_TTL_S unless a fault overrides it. Rotating the key
 * revokes every token issued so far, which is how tests make the link API answer 401 to a cached token.
 */
@Injectable()
export class TokenIssuer {
  private key: Uint8Array;

  constructor(
    @Inject(SIM_SETTINGS) private readonly settings: SimSettings,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly faults: FaultPlan,
  ) {
    this.key = new TextEncoder().encode(settings.SIM_JWT_SECRET);
  }

  async issue(client: SimClient): Promise<Required<RacTokenResponse>> {
    const ttlS = this.faults.tokenTtlS ?? this.settings.SIM_TOKEN_TTL_S;
    const nowS = this.clock.now() / 1000;
    // `exp` is whole seconds: round up, so a token never dies before the `expires_in` it was announced with.
    const token = await new SignJWT({
      [RAC_TENANT_CLAIM]: client.tenantId,
      client_id: client.clientId,
      scope: RAC_SCOPE,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(SIM_TOKEN_ISSUER)
      .setIssuedAt(Math.floor(nowS))
      .setExpirationTime(Math.ceil(nowS) + ttlS)
      .setJti(randomUUID())
      .sign(this.key);
    return { access_token: token, expires_in: ttlS, token_type: 'Bearer' };
  }

  /** The tenant and client of a token this issuer signed and that has not expired, else null. */
  async verify(token: string): Promise<VerifiedToken | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: SIM_TOKEN_ISSUER,
        currentDate: new Date(this.clock.now()),
      });
      const tenantId = payload[RAC_TENANT_CLAIM];
      const clientId = payload['client_id'];
      const tokenId = payload.jti ?? '';
      return typeof tenantId === 'string' && typeof clientId === 'string'
        ? { tenantId, clientId, tokenId }
        : null;
    } catch {
      return null;
    }
  }

  /** Switches to a new signing key: every token issued before is refused from now on. */
  rotateKey(): void {
    this.key = randomBytes(32);
  }
}
