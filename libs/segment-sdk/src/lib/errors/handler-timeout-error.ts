import { SmartLinkError } from '@smartlink/common';

/**
 * A handler did not settle within the handler timeout. The attempt ends as a retryable failure; the handler's
 * promise keeps running in the background (JavaScript cannot cancel it), only its result is ignored.
 */
export class HandlerTimeoutError extends SmartLinkError {
  constructor(readonly timeoutMs: number) {
    super('SEGMENT_HANDLER_TIMEOUT', `handler timed out after ${timeoutMs} ms`, true);
  }
}
