/**
 * How long a dispatched attempt may go without an outcome before the retry scheduler's sweep counts it as failed
 * (`DISPATCH_TIMEOUT_MS`), and what follows from it for the segment: the attempt's start deadline. The executor stamps
 * the deadline on the command record and the retry scheduler sweeps by the same timeout, so both read the one setting
 * with these limits.
 */
export const DISPATCH_TIMEOUT = { min: 1_000, max: 86_400_000, default: 300_000 } as const;

/**
 * The instant after which a segment must not start an attempt dispatched at `dispatchedAt` (the row's
 * DATAATUALIZACAO, from which the sweep counts): half the dispatch timeout later. The other half is for the started
 * marker to reach the table before the sweep can look, so an attempt that starts in time is never also counted as
 * lost and run again beside its retry.
 */
export function startDeadline(dispatchedAt: Date, dispatchTimeoutMs: number): Date {
  return new Date(dispatchedAt.getTime() + Math.floor(dispatchTimeoutMs / 2));
}

/** The failed outcome's error of an attempt that reached its segment after its start deadline. */
export function missedStartDeadlineError(startBy: Date, receivedAt: Date): string {
  return (
    `not started: the command reached the segment at ${receivedAt.toISOString()}, ` +
    `${receivedAt.getTime() - startBy.getTime()} ms after its start deadline ${startBy.toISOString()} (half of ` +
    'DISPATCH_TIMEOUT_MS after the dispatch; a consumer lag that long, or a segment down): the attempt is retried'
  );
}
