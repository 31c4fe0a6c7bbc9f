import { SmartLinkError } from '@smartlink/common';

/**
 * A message a segment tried to publish breaks the outbound contract: an illegal command or audience, data that is not
 * a string, too large or holds a NUL character, an over-long correlation id or an unusable message id. Raised before
 * anything leaves the segment. Not retriable: the same input fails the same way.
 */
export class InvalidPublishError extends SmartLinkError {
  constructor(
    /** The input field at fault: `command`, `audience`, `data`, `correlatedId`, `id` or `(input)`. */
    readonly field: string,
    readonly reason: string,
  ) {
    super('INVALID_PUBLISH', `Cannot publish: ${field} ${reason}`, false);
  }
}
