/**
 * Why a drain ended. Drains stop when the queue has nothing more (the last get returned nothing), when this poller
 * must not go on (shutdown, lease lost), or when it cannot go on right now.
 */
export type DrainStop =
  /** The last get returned no message. */
  | 'queue-empty'
  /** Shutdown began. */
  | 'stopping'
  /** Another poller holds the lease now (or this one lost touch with Kafka). */
  | 'lease-lost'
  /** The backlog reached the high-water mark. */
  | 'backpressure'
  /** The backlog could not be read. */
  | 'backlog-unknown'
  /** The cloud did not answer the get. */
  | 'cloud-failed'
  /** Kafka did not take the batch durably; nothing of it was acked. */
  | 'kafka-failed';

/** Stops that mean something failed and the next attempt should back off. */
export const FAILED_STOPS: ReadonlySet<DrainStop> = new Set([
  'backlog-unknown',
  'cloud-failed',
  'kafka-failed',
]);

/** What one drain did. */
export interface DrainOutcome {
  readonly stop: DrainStop;
  /** Gets that returned at least one message. */
  readonly batches: number;
  readonly received: number;
  readonly refused: number;
  /** From the cloud's Retry-After when a get was throttled or failed with one; null otherwise. */
  readonly retryAfterMs: number | null;
}
