import type { OutcomeStatus } from '@smartlink/messaging';
import type { MessageDirection } from '@smartlink/rm-tables';

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
  /** The payload the attempt ran with, kept in the history once the message row is gone. */
  readonly data: string | null;
  /** Upstream only: the cloud's Retry-After (429, 503) in milliseconds, null when it gave none. */
  readonly retryAfterMs?: number | null;
}
