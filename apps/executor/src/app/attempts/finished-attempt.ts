import type { InlineLog, OutcomeStatus } from '@smartlink/messaging';
import type { DATA_OF_MESSAGE, MessageDirection } from '@smartlink/rm-tables';

/**
 * One attempt that has ended, as the executor records it: a segment's outcome (downstream) or a send to the cloud
 * (upstream), with what its history row needs of the message.
 */
export interface FinishedAttempt {
  readonly messageId: string;
  readonly command: string;
  readonly direction: MessageDirection;
  readonly attempt: number;
  readonly status: OutcomeStatus;
  /** Why it failed; null when it succeeded. */
  readonly error: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /**
   * The payload the attempt ran with, kept in the history once the message row is gone; {@link DATA_OF_MESSAGE} when
   * the database copies it from the message's row.
   */
  readonly data: string | null | typeof DATA_OF_MESSAGE;
  /** Upstream only: the cloud's Retry-After (429, 503) in milliseconds, null when it gave none. */
  readonly retryAfterMs?: number | null;
  /** Downstream only: the log lines the segment sent inline in the outcome, written with the history row. */
  readonly logs?: readonly InlineLog[];
}

/**
 * An attempt as its history row in GTOTVSLINKMESSAGEEXEC holds it, once recorded. History rows are never updated, so
 * for a (message id, attempt) recorded before (a redelivered outcome, a repeated send) this is the first record's
 * status, error and times, not the repeat's.
 */
export interface RecordedAttempt {
  readonly messageId: string;
  readonly command: string;
  readonly direction: 'downstream' | 'upstream';
  readonly attempt: number;
  readonly status: OutcomeStatus;
  readonly error: string | null;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** Upstream failures only: the cloud's Retry-After in milliseconds; null when it gave none or it was recorded before. */
  readonly retryAfterMs: number | null;
}
