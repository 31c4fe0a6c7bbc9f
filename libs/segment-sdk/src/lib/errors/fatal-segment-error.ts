import { SmartLinkError } from '@smartlink/common';

/**
 * Throw this from a handler when retrying cannot help (the payload is invalid, the record it refers to can never
 * exist...): the attempt ends with a `fatal` outcome and the message is dead-lettered at once, without further
 * attempts, until an operator redrives it. RM's `RMSSmartLinkConsumerFatalException`.
 *
 * Any other error a handler throws is a retryable failure.
 *
 * @example
 * if (!isValid(payload)) throw new FatalSegmentError('employee id is missing');
 */
export class FatalSegmentError extends SmartLinkError {
  /**
   * @param reason why the message cannot be executed; becomes the outcome's error and the dead letter's last
   *   error, so say it in words an operator understands.
   */
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('SEGMENT_FATAL', reason, false, options);
  }
}
