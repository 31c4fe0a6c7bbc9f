import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SIM_SETTINGS, type SimClient, type SimSettings } from '../settings/sim-settings';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The client credentials RAC accepts (SIM_CLIENTS). */
@Injectable()
export class ClientRegistry {
  private readonly clients: ReadonlyMap<string, SimClient>;

  constructor(@Inject(SIM_SETTINGS) settings: SimSettings) {
    this.clients = new Map(settings.SIM_CLIENTS.map((c) => [c.clientId, c]));
  }

  /** The client if id and secret match; secrets are compared in constant time, like a real identity server. */
  authenticate(clientId: string, clientSecret: string): SimClient | null {
    const client = this.clients.get(clientId);
    const expected = digest(client?.clientSecret ?? '');
    const matches = timingSafeEqual(expected, digest(clientSecret));
    return client && matches ? client : null;
  }

  /** Tenant of the first configured client: where demo traffic goes by default. */
  firstTenant(): string {
    const [first] = this.clients.values();
    if (!first) throw new Error('SIM_CLIENTS holds no client');
    return first.tenantId;
  }
}
