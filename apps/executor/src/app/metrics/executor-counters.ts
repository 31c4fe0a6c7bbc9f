/**
 * What the executor has done since it started, counted per kind. Operators read them to see absorbed duplicates and
 * bad input at a glance; the Prometheus endpoint will expose them. Counters only grow.
 */
export class ExecutorCounters {
  /** `received` events projected into GTOTVSLINKMESSAGE (first time or redelivered). */
  received = 0;
  /** Command messages published to `<ns>.cmd.<Command>`. */
  published = 0;
  /**
   * Received events whose message was stored already (a redelivery) or had succeeded. Only a row a crash left pending
   * is published again (same attempt); the others are absorbed.
   */
  duplicateMessages = 0;
  /** Records of `<ns>.events` of other types (dispatched, succeeded...), which the executor does not act on. */
  ignoredEvents = 0;
  /** Received events that could not be read or stored (malformed, illegal command, oversize field): dead-lettered. */
  rejectedEvents = 0;
  /** Outcomes recorded in GTOTVSLINKMESSAGEEXEC. */
  outcomes = 0;
  /** Outcomes of a (message id, attempt) recorded already: absorbed. */
  duplicateOutcomes = 0;
  /** Outcomes that could not be read: skipped. */
  malformedOutcomes = 0;
  /** Outcomes of a message the executor has never stored, or of an upstream message: skipped. */
  unknownOutcomes = 0;
}
