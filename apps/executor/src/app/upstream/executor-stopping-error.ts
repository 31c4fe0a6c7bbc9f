import { SmartLinkError } from '@smartlink/common';

/**
 * Thrown by a chunk handler when the shutdown grace ran out before every send of the chunk ended: the chunk is not
 * committed, so Kafka delivers it again (to the next member, or after the restart) and the sends not recorded are
 * made then. Retriable by definition.
 */
export class ExecutorStoppingError extends SmartLinkError {
  constructor(handedBack: number) {
    super(
      'EXECUTOR_STOPPING',
      `${handedBack} send(s) not finished within the shutdown grace are handed back for redelivery`,
      true,
    );
  }
}
