import { SmartLinkError } from '@smartlink/common';
import type { SmartLinkEndpoint } from './smartlink-endpoint';

/** HTTP 5xx: the cloud failed. Retriable, after `retryAfterMs` when the server said so (typically with 503). */
export class SmartLinkServerError extends SmartLinkError {
  constructor(
    readonly endpoint: SmartLinkEndpoint,
    readonly status: number,
    /** From `Retry-After` (seconds or HTTP date), `null` when absent or unreadable. */
    readonly retryAfterMs: number | null,
  ) {
    super(
      'SERVER_ERROR',
      `Smart Link ${endpoint} call failed with HTTP ${status}${retryAfterMs === null ? '' : ` (retry after ${retryAfterMs} ms)`}`,
      true,
    );
  }
}
