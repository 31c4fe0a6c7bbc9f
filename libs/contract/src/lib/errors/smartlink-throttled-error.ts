import { SmartLinkError } from '@smartlink/common';
import type { SmartLinkEndpoint } from './smartlink-endpoint';

/** HTTP 429: the cloud asks us to slow down. Retriable, after `retryAfterMs` when the server said so. */
export class SmartLinkThrottledError extends SmartLinkError {
  readonly status = 429;

  constructor(
    readonly endpoint: SmartLinkEndpoint,
    /** From `Retry-After` (seconds or HTTP date), `null` when absent or unreadable. */
    readonly retryAfterMs: number | null,
  ) {
    super(
      'THROTTLED',
      `Smart Link ${endpoint} call was throttled (HTTP 429${retryAfterMs === null ? '' : `, retry after ${retryAfterMs} ms`})`,
      true,
    );
  }
}
