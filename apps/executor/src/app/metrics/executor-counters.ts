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
  /**
   * Records of `<ns>.events` of other types (failed, published, retry-scheduled...; dispatched and succeeded from
   * older versions), which the executor does not act on.
   */
  ignoredEvents = 0;
  /** Received events that could not be read or stored (malformed, illegal command, oversize field): dead-lettered. */
  rejectedEvents = 0;
  /** Attempts recorded in GTOTVSLINKMESSAGEEXEC: outcomes of segments and sends to the cloud. */
  outcomes = 0;
  /** Attempts of a (message id, attempt) recorded already (redelivered outcomes, repeated sends): absorbed. */
  duplicateOutcomes = 0;
  /** Outcomes that could not be read: skipped. */
  malformedOutcomes = 0;
  /** Outcomes of a message the executor has never stored, or of an upstream message: skipped. */
  unknownOutcomes = 0;
  /** Messages segments published on `<ns>.outbound`, stored in GTOTVSLINKMESSAGE (DIRECAO 0) for the first time. */
  outbound = 0;
  /** Outbound messages whose id was stored already (a republish, a redelivery): absorbed, sent at most once more. */
  duplicateOutbound = 0;
  /** Outbound records that could not be read or stored: dead-lettered. */
  rejectedOutbound = 0;
  /** Sends to the cloud by how they ended. */
  sendsSucceeded = 0;
  sendsFailed = 0;
  sendsFatal = 0;
  /** Sends not finished by the end of the shutdown grace: handed back with their chunk. */
  sendsHandedBack = 0;
  /** `retry-due` events acted on: republished downstream or sent upstream. */
  retriesDue = 0;
  /** `retry-due` events whose message is gone or has moved on (an older claim, a redelivery): skipped. */
  staleRetries = 0;
  /** `retry-due` events that could not be read: logged and skipped. */
  malformedRetries = 0;
}
