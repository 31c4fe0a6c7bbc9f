/**
 * Where a message not yet done stands, stored in `GTOTVSLINKMESSAGE.STATUS`. A message that succeeds has no status:
 * its row is deleted.
 */
export const MessageStatus = {
  /** Stored, not yet handed to a segment (downstream) or to the cloud (upstream). */
  Pending: 0,
  /** Handed over; an outcome is expected. `DATAATUALIZACAO` says since when, so a lost outcome can time out. */
  Dispatched: 1,
  /** An attempt failed; the next one is due at `DATATENTATIVAEXEC`. */
  WaitingRetry: 2,
  /** Out of attempts, or failed fatally. The row stays until an operator redrives it. */
  Dead: 3,
} as const;

/** A {@link MessageStatus} value as stored in `GTOTVSLINKMESSAGE.STATUS`. */
export type MessageStatus = (typeof MessageStatus)[keyof typeof MessageStatus];
