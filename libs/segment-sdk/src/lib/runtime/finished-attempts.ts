import type { EventRecord, LogRecord, Outcome } from '@smartlink/messaging';

/** What is remembered of one finished (message id, attempt). */
export interface FinishedAttempt {
  readonly command: string;
  readonly outcome: Outcome;
  /** The attempt's log records not yet known to be published; emptied once a send carrying them succeeded. */
  unpublishedLogs: readonly LogRecord[];
  /** What the handler published (`<ns>.outbound` records) not yet known to be sent; emptied like the logs. */
  unpublishedOutbound: readonly EventRecord[];
}

/**
 * A bounded, least-recently-used memory of finished attempts keyed by (message id, attempt). A redelivery of a
 * remembered attempt is answered with its outcome instead of running the handler again. Bounded, so it absorbs the
 * redeliveries that follow a failed commit or a rebalance, not every duplicate ever; the executor still
 * deduplicates outcomes by (message id, attempt).
 */
export class FinishedAttempts {
  // A Map iterates in insertion order: re-inserting on access makes the first key the least recently used.
  private readonly entries = new Map<string, FinishedAttempt>();

  constructor(readonly capacity: number) {}

  get(messageId: string, attempt: number): FinishedAttempt | undefined {
    const key = attemptKey(messageId, attempt);
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  remember(messageId: string, attempt: number, entry: FinishedAttempt): void {
    if (this.capacity === 0) return;
    const key = attemptKey(messageId, attempt);
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/** One string per (message id, attempt); NUL cannot occur in either part. */
export function attemptKey(messageId: string, attempt: number): string {
  return `${messageId}\u0000${attempt}`;
}
