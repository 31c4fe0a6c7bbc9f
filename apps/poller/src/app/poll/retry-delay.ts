/** Bounds of the backoff after failures. */
export interface RetryTiming {
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
}

/**
 * How long to wait after the `failures`-th failure in a row: doubling from `retryInitialMs`, at most `retryMaxMs`,
 * and never less than the server's Retry-After (itself capped at `retryMaxMs`, so a wild hint cannot park the
 * poller for hours).
 */
export function retryDelay(failures: number, retryAfterMs: number | null, timing: RetryTiming): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const backoff = Math.min(timing.retryMaxMs, timing.retryInitialMs * 2 ** exponent);
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, timing.retryMaxMs));
}
