import { SmartLinkError } from '@smartlink/common';
import type { SmartLinkEndpoint } from './smartlink-endpoint';

/** The call did not finish within the configured timeout (connect, headers or body). Retriable. */
export class SmartLinkTimeoutError extends SmartLinkError {
  constructor(
    readonly endpoint: SmartLinkEndpoint,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super('TIMEOUT', `Smart Link ${endpoint} call timed out after ${timeoutMs} ms`, true, options);
  }
}
