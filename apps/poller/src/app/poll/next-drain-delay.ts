import { FAILED_STOPS, type DrainStop } from '../drain/drain-outcome';
import { PollerDefaults } from '../poller.defaults';
import { retryDelay, type RetryTiming } from './retry-delay';

/** The poll cadence settings. */
export interface PollTiming extends RetryTiming {
  readonly continuous: boolean;
  readonly intervalMs: number;
  readonly idleDelayMs: number;
}

/** How the last round went; `inactive`: no drain ran (setup not done yet, or another poller holds the lease). */
export interface LastRound {
  readonly stop: DrainStop | 'inactive';
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Failed rounds in a row, this one included. */
  readonly failures: number;
  readonly retryAfterMs: number | null;
  /** Rounds in a row that found the queue empty without taking a message, this one included; 0 if it took some. */
  readonly idleRounds: number;
}

/**
 * When the next round starts, in milliseconds from the end of the last one; null for none (shutdown).
 * Interval mode keeps RM's cadence: one round every `intervalMs`, counted from the start of the last one.
 * Continuous mode drained until the queue ran dry (a round only ends then, or when it cannot go on) and asks
 * again soon after a round that took messages (25 ms), backing off by doubling over empty rounds up to
 * `idleDelayMs`; rounds cut short (backpressure, lease, inactive) wait `idleDelayMs`. After a failure both wait at
 * least the backoff.
 */
export function nextDrainDelay(timing: PollTiming, last: LastRound): number | null {
  if (last.stop === 'stopping') return null;
  const idle =
    last.stop === 'queue-empty'
      ? Math.min(timing.idleDelayMs, PollerDefaults.pollFirstIdleDelayMs * 2 ** Math.min(last.idleRounds, 20))
      : timing.idleDelayMs;
  const cadence = timing.continuous
    ? idle
    : Math.max(0, last.startedAt + timing.intervalMs - last.finishedAt);
  if (last.stop === 'inactive' || !FAILED_STOPS.has(last.stop)) return cadence;
  return Math.max(cadence, retryDelay(last.failures, last.retryAfterMs, timing));
}
