import { SmartLinkError } from '@smartlink/common';

/** The retry policy could not be read (URL down, timeout, unexpected status, file missing). Retriable. */
export class RetryPolicyUnavailableError extends SmartLinkError {
  constructor(
    /** Where it was read from, safe to log (a URL without its query). */
    readonly origin: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      'RETRY_POLICY_UNAVAILABLE',
      `The retry policy could not be read from ${origin}: ${reason}`,
      true,
      options,
    );
  }
}
