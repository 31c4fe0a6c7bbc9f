/** How one attempt ended, stored in `GTOTVSLINKMESSAGEEXEC.STATUS`. */
export const AttemptStatus = {
  /** The segment (or the cloud, upstream) accepted the message; its row in `GTOTVSLINKMESSAGE` is deleted. */
  Success: 0,
  /** A retryable failure: another attempt follows unless the attempts are used up. */
  Failure: 1,
  /** A failure no retry can fix: the message is dead-lettered at once. */
  Fatal: 2,
} as const;

/** An {@link AttemptStatus} value as stored in `GTOTVSLINKMESSAGEEXEC.STATUS`. */
export type AttemptStatus = (typeof AttemptStatus)[keyof typeof AttemptStatus];
