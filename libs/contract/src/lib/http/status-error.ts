import type { SmartLinkError } from '@smartlink/common';
import type { SmartLinkEndpoint } from '../errors/smartlink-endpoint';
import { SmartLinkRejectedError } from '../errors/smartlink-rejected-error';
import { SmartLinkServerError } from '../errors/smartlink-server-error';
import { SmartLinkThrottledError } from '../errors/smartlink-throttled-error';
import { SmartLinkTimeoutError } from '../errors/smartlink-timeout-error';
import { parseRetryAfter } from './retry-after';

/**
 * Maps a non-2xx status (other than the 401 the client handles itself) to the error callers decide on:
 * 429 and 5xx are retriable and carry `Retry-After`; 408 is a timeout; any other 4xx is final.
 */
export function errorForStatus(
  endpoint: SmartLinkEndpoint,
  status: number,
  retryAfterHeader: string | readonly string[] | undefined,
  nowMs: number,
  timeoutMs: number,
): SmartLinkError {
  if (status === 429) return new SmartLinkThrottledError(endpoint, parseRetryAfter(retryAfterHeader, nowMs));
  if (status >= 500)
    return new SmartLinkServerError(endpoint, status, parseRetryAfter(retryAfterHeader, nowMs));
  if (status === 408) return new SmartLinkTimeoutError(endpoint, timeoutMs);
  return new SmartLinkRejectedError(endpoint, status);
}
