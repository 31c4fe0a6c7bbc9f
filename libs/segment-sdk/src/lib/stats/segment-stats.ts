import type { OutcomeStatus } from '@smartlink/messaging';

/** Attempts of one command that ran the handler, by how they ended. */
export type OutcomeCounts = Record<OutcomeStatus, number>;

/** A point-in-time copy of {@link SegmentStats}. */
export interface SegmentStatsSnapshot {
  readonly segment: string;
  /** Attempts whose handler ran (or whose command had no handler), per command and outcome. */
  readonly handled: Readonly<Record<string, Readonly<OutcomeCounts>>>;
  /** Redeliveries of an (id, attempt) already finished here: answered with the remembered outcome, not run again. */
  readonly duplicatesAbsorbed: number;
  /** Records on a command topic that were not a readable command message. */
  readonly undecodable: number;
  /** Attempts not run because a later attempt of the same message came in the same chunk (the older one had ended). */
  readonly superseded: number;
  /**
   * Attempts not run because they reached the segment after their start deadline (`smartlink-start-by`, half the
   * dispatch timeout after the dispatch): answered with a failed outcome, and retried.
   */
  readonly missedStartDeadline: number;
  /** Handlers running right now. */
  readonly running: number;
  /**
   * Records read whose handler waits for a free slot: admitted ahead of one (marked started and committed, see
   * {@link lookahead}), or not yet admitted (backpressure: their partition reads no further meanwhile).
   */
  readonly waitingForSlot: number;
  /**
   * Records that may be admitted ahead of a free slot now: `SEGMENT_LOOKAHEAD`, lowered so that they start within
   * 2.5 s at the handlers' mean duration; 0 before the first handler ended.
   */
  readonly lookahead: number;
  /** The running mean of handler durations that sets {@link lookahead}, in ms; null before the first handler ended. */
  readonly meanHandlerMs: number | null;
  /** Handlers that outlived their timeout and still run (their attempts failed, their slots are free). */
  readonly timedOutStillRunning: number;
  /** Messages published for the cloud on `<ns>.outbound`: replies of handlers and standalone publishes. */
  readonly published: number;
}

/**
 * Counters of this segment instance since it started, for an app's metrics or stats endpoint and for tests.
 * Injectable from `SegmentModule`; the runtime updates it.
 */
export class SegmentStats {
  private readonly handled = new Map<string, OutcomeCounts>();
  private duplicates = 0;
  private undecodable = 0;
  private superseded = 0;
  private missedStart = 0;
  private running = 0;
  private timedOut = 0;
  private waiting = 0;
  private published = 0;
  private lookahead = 0;
  private meanHandlerMs: number | null = null;

  constructor(readonly segment: string) {}

  /** @internal */
  recordHandled(command: string, status: OutcomeStatus): void {
    let counts = this.handled.get(command);
    if (!counts) {
      counts = { succeeded: 0, failed: 0, fatal: 0 };
      this.handled.set(command, counts);
    }
    counts[status] += 1;
  }

  /** @internal The lookahead and the mean handler duration it follows, after a handler ended. */
  recordPace(lookahead: number, meanHandlerMs: number | null): void {
    this.lookahead = lookahead;
    this.meanHandlerMs = meanHandlerMs;
  }

  /** @internal */
  recordDuplicate(): void {
    this.duplicates += 1;
  }

  /** @internal */
  recordUndecodable(): void {
    this.undecodable += 1;
  }

  /** @internal */
  recordSuperseded(): void {
    this.superseded += 1;
  }

  /** @internal */
  recordMissedStartDeadline(): void {
    this.missedStart += 1;
  }

  /** @internal */
  recordRunning(delta: 1 | -1): void {
    this.running += delta;
  }

  /** @internal */
  recordWaiting(delta: 1 | -1): void {
    this.waiting += delta;
  }

  /** @internal */
  recordTimedOutRunning(delta: 1 | -1): void {
    this.timedOut += delta;
  }

  /** @internal */
  recordPublished(count: number): void {
    this.published += count;
  }

  /** How many attempts of `command` (all commands when omitted) ended with `status` (any when omitted). */
  count(command?: string, status?: OutcomeStatus): number {
    const rows = command === undefined ? [...this.handled.values()] : [this.handled.get(command)];
    return rows.reduce(
      (sum, counts) =>
        sum + (counts ? (status ? counts[status] : counts.succeeded + counts.failed + counts.fatal) : 0),
      0,
    );
  }

  get duplicatesAbsorbed(): number {
    return this.duplicates;
  }

  snapshot(): SegmentStatsSnapshot {
    return {
      segment: this.segment,
      handled: Object.fromEntries([...this.handled].map(([command, counts]) => [command, { ...counts }])),
      duplicatesAbsorbed: this.duplicates,
      undecodable: this.undecodable,
      superseded: this.superseded,
      missedStartDeadline: this.missedStart,
      running: this.running,
      waitingForSlot: this.waiting,
      lookahead: this.lookahead,
      meanHandlerMs: this.meanHandlerMs === null ? null : Math.round(this.meanHandlerMs * 1_000) / 1_000,
      timedOutStillRunning: this.timedOut,
      published: this.published,
    };
  }
}
