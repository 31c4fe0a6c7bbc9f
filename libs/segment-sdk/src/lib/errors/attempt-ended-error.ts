import { SmartLinkError } from '@smartlink/common';

/**
 * A handler called `context.publish` or `context.reply` after its attempt had ended (it timed out and kept running).
 * The attempt's outcome is out already, so the message is not published. Not retriable within that attempt.
 */
export class AttemptEndedError extends SmartLinkError {
  constructor(readonly messageId: string) {
    super(
      'SEGMENT_ATTEMPT_ENDED',
      `message ${messageId}: publish after the attempt ended (timed out); the message is not published`,
      false,
    );
  }
}
