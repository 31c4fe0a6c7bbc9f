/**
 * The server's Retry-After hint carried by a throttled (429) or failed (5xx) call, in milliseconds; null when the
 * error carries none.
 */
export function retryAfterOf(error: unknown): number | null {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}
