import type { DrainStop } from './drain/drain-outcome';

/** Counters of what this poller did since it started. */
export interface PollerCounters {
  /** Get calls answered by the cloud (empty or not). */
  readonly gets: number;
  /** Messages appended as `received` events. */
  readonly received: number;
  /** Deliveries refused and dead-lettered. */
  readonly refused: number;
  /** Receipts the cloud confirmed acking. */
  readonly acked: number;
  readonly cloudFailures: number;
  readonly appendFailures: number;
  readonly ackFailures: number;
  readonly drains: number;
  readonly lastStop: DrainStop | null;
}

/**
 * What the poller has done, for readiness details, logs and tests (the same numbers will feed the metrics).
 * Only the drain writes it.
 */
export class PollerStatus {
  private counters: PollerCounters = {
    gets: 0,
    received: 0,
    refused: 0,
    acked: 0,
    cloudFailures: 0,
    appendFailures: 0,
    ackFailures: 0,
    drains: 0,
    lastStop: null,
  };

  /** Adds to the counters. */
  count(delta: Partial<Record<Exclude<keyof PollerCounters, 'lastStop'>, number>>): void {
    const next = { ...this.counters };
    for (const [key, value] of Object.entries(delta) as [keyof typeof delta, number][]) {
      next[key] += value;
    }
    this.counters = next;
  }

  /** Records how a drain ended. */
  drained(stop: DrainStop): void {
    this.counters = { ...this.counters, drains: this.counters.drains + 1, lastStop: stop };
  }

  snapshot(): PollerCounters {
    return this.counters;
  }
}
