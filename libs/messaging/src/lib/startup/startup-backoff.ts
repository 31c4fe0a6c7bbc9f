/** The wait before the first retry of a start-up step. */
export const STARTUP_BACKOFF_INITIAL_MS = 500;
/** No wait between two tries of a start-up step is longer than this. */
export const STARTUP_BACKOFF_MAX_MS = 10_000;
/** Each wait is scaled by a random factor in [1 - jitter, 1 + jitter] (then capped). */
export const STARTUP_BACKOFF_JITTER = 0.2;

/**
 * The wait before retry `retry` (1 for the first) of a start-up step: 500 ms doubling each time, spread by ±20 % so
 * that services started together do not hit a starting broker in step, and never above 10 s.
 *
 * @param random a number in [0, 1), like `Math.random()`
 */
export function startupBackoffMs(retry: number, random: number): number {
  const exponent = Math.max(0, retry - 1);
  // Capped before the jitter too, so a large exponent (Infinity) never reaches the arithmetic.
  const capped = Math.min(STARTUP_BACKOFF_INITIAL_MS * 2 ** exponent, STARTUP_BACKOFF_MAX_MS);
  const factor = 1 - STARTUP_BACKOFF_JITTER + 2 * STARTUP_BACKOFF_JITTER * random;
  return Math.round(Math.min(capped * factor, STARTUP_BACKOFF_MAX_MS));
}
