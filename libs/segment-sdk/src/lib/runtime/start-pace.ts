/**
 * How long a record admitted ahead of a free slot may wait for one. Its started marker's outcome due time includes
 * it, and a record still waiting at its end is answered failed without running, so the executor's sweep never counts
 * an attempt lost that could still start.
 */
export const START_BUDGET_MS = 5_000;

/** Weight of the newest handler duration in the running mean. */
const WEIGHT = 0.2;

/**
 * How many records the segment may admit ahead of its free slots: mark started and commit past before a slot is free,
 * so that they start as soon as one is. A record must start before its own marker's promise runs out, so the
 * lookahead is as many records as `concurrency` handlers of the recent mean duration finish in half the start budget:
 * with handlers of a millisecond that is `SEGMENT_LOOKAHEAD`, with handlers of seconds a few, and before any handler has ended
 * none (records then start only on free slots). Without a lookahead every group of records pays one produce and
 * commit round trip for at most `concurrency` records: with fast handlers that round trip, not the handlers, bounds
 * the segment (16 records per ~30 ms, about 500 a second, measured by the benchmark).
 */
export class StartPace {
  private meanMs: number | null = null;

  /**
   * @param concurrency handler slots (`SEGMENT_CONCURRENCY`)
   * @param max records admitted ahead at most, however fast the handlers (`SEGMENT_LOOKAHEAD`)
   */
  constructor(
    private readonly concurrency: number,
    private readonly max: number,
    private readonly budgetMs = START_BUDGET_MS,
  ) {}

  /** A handler ran for `ms`. */
  ended(ms: number): void {
    const sample = Math.max(0, ms);
    this.meanMs = this.meanMs === null ? sample : this.meanMs + WEIGHT * (sample - this.meanMs);
  }

  /** Records that may wait admitted ahead of a slot now. */
  lookahead(): number {
    if (this.meanMs === null || this.max === 0) return 0;
    // A handler that takes no measurable time still takes a turn of the event loop: count it as 0.1 ms.
    const perSlot = this.budgetMs / 2 / Math.max(this.meanMs, 0.1);
    return Math.min(this.max, Math.floor(this.concurrency * perSlot));
  }

  /** The running mean of handler durations, null before the first ended. */
  get meanHandlerMs(): number | null {
    return this.meanMs;
  }
}
