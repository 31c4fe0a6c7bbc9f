import { SmartLinkError } from '@smartlink/common';

/**
 * What a failing {@link BatchHandler} becomes inside the consumer. Always retriable: whatever the handler threw
 * (a database outage, a bug), the batch stays uncommitted and is delivered again, first by kafkajs' retries and
 * then, once those run out, by a consumer restart. Per-message problems (bad input) are the handler's to
 * settle, e.g. by dead-lettering, without throwing.
 */
export class BatchHandlerError extends SmartLinkError {
  constructor(topic: string, partition: number, firstOffset: string, cause: unknown) {
    super(
      'BATCH_HANDLER_FAILED',
      `Batch handler failed for ${topic}[${partition}] from offset ${firstOffset}: ${cause instanceof Error ? cause.message : String(cause)}`,
      true,
      { cause },
    );
  }
}
