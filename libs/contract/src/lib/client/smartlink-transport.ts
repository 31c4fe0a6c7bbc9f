import type { ReceivedMessage } from '../message/cloud-message';
import type { AckResponse } from '../wire/ack-request';

/** What a setup registered. */
export interface SetupResult {
  readonly tenantId: string;
  readonly subscriptions: readonly string[];
}

/**
 * The conversation with the Smart Link Server, independent of how it travels. The REST client implements it
 * today; RM 12.1.2406+ talks gRPC (smartlink-domain.md §1.5, contract not public), which would be another
 * implementation. There is no `nack`: no such endpoint is public, and a delivery that is not acked returns to
 * the queue on its own when its visibility timeout runs out.
 */
export interface SmartLinkTransport {
  /** Tenant of the credentials. */
  tenantId(): Promise<string>;
  /** Binds the given message types to the tenant queue (the complete list, not a delta). */
  setup(subscriptions: readonly string[]): Promise<SetupResult>;
  /** Takes up to `max` messages; each one parsed on its own, so a broken one does not fail the batch. */
  get(max?: number): Promise<ReceivedMessage[]>;
  /** Removes delivered messages from the queue. Unknown or stale receipts are ignored, not an error. */
  ack(receipts: readonly string[]): Promise<AckResponse>;
  /** Sends a message of `type` to the TOTVS App `audience`; `body` is the JSON envelope text. */
  send(type: string, audience: string, body: string): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
